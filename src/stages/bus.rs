//! `bus:NAME`: a bus's stems, cues and sub-buses summed on the timeline,
//! written as a 32-bit float WAV whose `bext` time reference is the
//! timeline's start. With reels, the bus renders the long play, each clip
//! placed in the reels it overlaps ([`crate::stages::programme`]); a reel
//! target's dialogue gate renders that reel alone. A bus leads the deliverables that read it alone: they
//! are rendered (or measured) from its blocks in its own pass
//! ([`crate::stages::follow`]).

use std::{ops::Range, path::PathBuf};

use miette::IntoDiagnostic;
use rayon::prelude::*;

use crate::{
    audio::{self, SampleFormat, Source, WavEncoder, WavReader, WavSpec},
    engine::key::Params,
    engine::stage::{Follower, InputObject, RunContext, Stage, UnreadableFiles},
    engine::store::ObjectWriter,
    lower::{BusStage, ClipSpec, StageId},
    stages::delivery::PIPELINE_FRAMES,
    stages::follow::{self, BusStream, Led},
    stages::keys::{clip_files, clip_params, recipe_name, route_params, ClipUse, Setting},
    stages::mix::{clip_source, played, resample_inputs, route, Extent},
    stages::output,
    stages::pipeline::{self, BlockSink},
    stages::programme::{place, stretch, Piece, Segment},
    stages::region::{self, ChunkKeyer, ChunkKeys, PreviousFile},
    stages::target::{recipe_target, splices, target_keys},
    stages::timeline::Timeline,
};

/// A `bus:NAME` stage.
pub(super) struct BusRender {
    spec: BusStage,
    setting: Setting,
    inputs: Vec<String>,
    files: Vec<PathBuf>,
}

impl BusRender {
    pub fn new(spec: &BusStage, setting: Setting) -> BusRender {
        let mut inputs = vec![StageId::timeline().into()];
        inputs.extend(spec.buses.iter().map(|(id, _, _)| id.to_string()));
        inputs.extend(resample_inputs(spec.clips.iter().map(|(clip, _)| clip)));
        BusRender {
            files: clip_files(spec.clips.iter().map(|(clip, _)| clip)),
            spec: spec.clone(),
            setting,
            inputs,
        }
    }

    /// Renders the bus and, in the same pass, the targets `followers`
    /// (see [`Stage::can_lead`]); or, when its previous output's region
    /// index shows which chunks changed, renders only those and copies the
    /// rest ([`crate::stages::region`]), leaving the followers to run on
    /// their own.
    fn render(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        let bus = &self.spec;
        let clock = self.setting.clock;
        let timeline = Timeline::read(&context.inputs()[0].path)?;
        let segments = timeline.window(bus.reel.as_deref()).ok_or_else(|| {
            miette::miette!(
                "the timeline has no reel `{}`",
                bus.reel.as_deref().unwrap_or("")
            )
        })?;
        let frames: u64 = segments.iter().map(|segment| segment.frames).sum();
        let time_reference = segments.first().map_or(timeline.start, |first| first.start);
        let channels = bus.channels.len();
        let layout = BusLayout {
            frames,
            time_reference,
            rate: clock.sample_rate,
            channels,
        };
        // A sub-bus renders the long play; a reel's bus takes its stretch.
        let skip = match &bus.reel {
            Some(reel) => timeline.reel(reel).map_or(0, |segment| segment.offset),
            None => 0,
        };
        let placed = self.place(context, &segments)?;
        // After an edit, the chunks whose key changed alone (the sources'
        // digests are known then); in a clean build, the keys once the
        // render has learnt them.
        let previous = context.previous().cloned().filter(|_| bus.reel.is_none());
        let keys = previous
            .as_ref()
            .and_then(|_| self.chunk_keys(context, &layout, &placed, skip));
        if let (Some(previous), Some(keys)) = (&previous, &keys) {
            let old = context
                .regions_of(&previous.digest)
                .and_then(|bytes| ChunkKeys::decode(&bytes));
            let runs = keys.runs(old.as_ref());
            if runs.iter().any(|(_, render)| !render) {
                for follower in followers.iter_mut() {
                    follower.refuse(&bus.id);
                }
                let patched = self.splice(context, &layout, &placed, skip, &runs, previous)?;
                let rendered = ChunkKeys::rendered(&runs);
                context.note(format!("re-rendered {} of {} frames", rendered, frames));
                if patched {
                    context.note("patched its previous output in place");
                }
                context.set_regions(keys.encode());
                return Ok(());
            }
        }
        let mut sum = audio::Bus::new(channels).into_diagnostic()?;
        for member in placed.iter() {
            let played = stretch(
                member.open(self, context)?,
                member.piece.skip,
                member.piece.frames,
            )?;
            let routed = route(played, &member.clip.route, &bus.channels, &member.clip.name)?;
            sum.add(routed, member.piece.offset, member.gain)
                .into_diagnostic()?;
        }
        let sub_buses = &context.inputs()[1..1 + bus.buses.len()];
        for ((_, gain, bus_route), input) in bus.buses.iter().zip(sub_buses) {
            let reader = WavReader::open(&input.path).into_diagnostic()?;
            let stretch = stretch(Box::new(reader), skip, frames)?;
            let routed = route(stretch, bus_route, &bus.channels, &input.id)?;
            sum.add(routed, 0, *gain).into_diagnostic()?;
        }
        sum.set_length(frames);
        sum.set_parallel(true);
        let stream = BusStream {
            channels,
            frames,
            time_reference,
            rate: clock.sample_rate,
        };
        let mut led: Vec<Led<'_>> = follow::lead(
            followers,
            &bus.id,
            stream,
            &self.setting.title,
            recipe_target,
        );
        let encoder = self.encoder(context.output(), &layout)?;
        let mut file = FileSink {
            encoder,
            error: None,
        };
        // The bus's file and the targets led each take the blocks in
        // order, while the next blocks are mixed.
        let mut sinks: Vec<&mut dyn BlockSink> = vec![&mut file];
        sinks.extend(led.iter_mut().map(|target| target as &mut dyn BlockSink));
        pipeline::stream(
            PIPELINE_FRAMES * channels,
            |block: &mut [f32]| sum.read(block).map(|frames| frames * channels),
            sinks,
        )
        .into_diagnostic()?;
        if let Some(error) = file.error {
            return Err(error).into_diagnostic();
        }
        file.encoder.finish().into_diagnostic()?;
        led.into_par_iter().for_each(Led::finish);
        drop(sum);
        // The indexes for the next run, once the sources' digests are
        // known: the bus's, and those of the deliverables it rendered.
        let keys = match (keys, &bus.reel) {
            (Some(keys), _) => Some(keys),
            (None, None) => self.chunk_keys(context, &layout, &placed, skip),
            (None, Some(_)) => None,
        };
        for follower in followers.iter_mut() {
            let stats = follower.regions.take();
            if follower.error.is_some() || follower.carry.is_some() {
                continue;
            }
            let (Some(keys), Some(stats)) = (&keys, stats) else {
                continue;
            };
            let target =
                recipe_target(follower.stage).filter(|target| splices(target, layout.rate));
            let stats = region::stats_of_bytes(&stats);
            if let (Some(_), Some(stats)) = (target, stats) {
                let index = target_keys(
                    follower.stage,
                    layout.rate,
                    None,
                    frames,
                    std::slice::from_ref(keys),
                );
                follower.regions = index.map(|mut index| {
                    index.stats = Some(stats);
                    index.encode()
                });
            }
        }
        if let Some(keys) = keys {
            context.set_regions(keys.encode());
        }
        Ok(())
    }

    /// The bus's file, told its length.
    fn encoder<W: std::io::Write + std::io::Seek>(
        &self,
        out: W,
        layout: &BusLayout,
    ) -> miette::Result<WavEncoder<W>> {
        let spec = WavSpec {
            sample_rate: layout.rate,
            layout: output::layout(&self.spec.channels, None)?,
            sample_format: SampleFormat::Float32,
            time_reference: Some(layout.time_reference),
        };
        WavEncoder::with_length(out, spec, self.spec.id.as_str(), layout.frames).into_diagnostic()
    }

    /// Every clip's pieces on the bus's frames, in member order.
    fn place<'s>(
        &'s self,
        context: &RunContext<'_>,
        segments: &[Segment],
    ) -> miette::Result<Vec<Placed<'s>>> {
        let Setting {
            clock,
            default_start,
            ..
        } = self.setting;
        let mut placed = Vec::new();
        for (clip, gain) in &self.spec.clips {
            let played = played(clip, context.inputs()).into_owned();
            let (_, extent) = clip_source(&played, clock, default_start, &|_| None)?;
            for piece in place(extent, segments) {
                placed.push(Placed {
                    clip,
                    played: played.clone(),
                    gain: *gain,
                    extent,
                    piece,
                });
            }
        }
        Ok(placed)
    }

    /// The key of every chunk of the bus, or `None` when one cannot be
    /// known (a source whose digest is unknown, a sub-bus with no index).
    fn chunk_keys(
        &self,
        context: &RunContext<'_>,
        layout: &BusLayout,
        placed: &[Placed<'_>],
        skip: u64,
    ) -> Option<ChunkKeys> {
        let bus = &self.spec;
        let chunk = region::chunk_frames(layout.rate);
        let mut keyer = ChunkKeyer::new(layout.frames, chunk, |params| {
            self.setting.params(params);
            params
                .str("kind", self.kind())
                .str("channels", &bus.channels.join(" "))
                .u64("rate", u64::from(layout.rate))
                .u64("time_reference", layout.time_reference)
                .str("format", "float32");
        });
        for member in placed {
            let clip = member.clip;
            let mut digests = Vec::new();
            for file in clip.declared_files() {
                let index = self.files.iter().position(|known| known == file)?;
                digests.push(context.file_digest(index)?);
            }
            let resampled = match &clip.resample {
                Some(id) => Some(
                    context
                        .inputs()
                        .iter()
                        .find(|input| input.id == id.as_str())?
                        .digest,
                ),
                None => None,
            };
            let identity = region::identity(|params| {
                clip_params(params, "clip", clip, ClipUse::Bus);
                params
                    .f64("member_gain", member.gain)
                    .u64("extent.start", member.extent.start)
                    .u64("extent.frames", member.extent.frames)
                    .u64("piece.skip", member.piece.skip)
                    .u64("piece.frames", member.piece.frames)
                    .u64("piece.offset", member.piece.offset);
                for (index, digest) in digests.iter().enumerate() {
                    params.digest(&format!("file{index}"), digest);
                }
                if let Some(digest) = &resampled {
                    params.digest("resampled", digest);
                }
            });
            let start = member.piece.offset;
            keyer.touch(start..start.saturating_add(member.piece.frames), &identity);
        }
        let sub_buses = &context.inputs()[1..1 + bus.buses.len()];
        for (index, ((_, gain, bus_route), input)) in bus.buses.iter().zip(sub_buses).enumerate() {
            let keys = ChunkKeys::decode(&context.regions_of(&input.digest)?)?;
            let member = region::identity(|params| {
                params.u64("bus", index as u64).f64("gain", *gain);
                route_params(params, "route", bus_route);
                params
                    .digest("header", &keys.header)
                    .u64("frames", keys.frames);
            });
            keyer.each(|span| {
                let from = skip + span.start;
                let to = skip + span.end;
                let mut hasher = blake3::Hasher::new();
                hasher.update(&member.0);
                hasher.update(&from.to_le_bytes());
                hasher.update(&to.to_le_bytes());
                for chunk in region::chunks_of(from..to, keys.chunk) {
                    match keys.keys.get(chunk) {
                        Some(key) => hasher.update(&key.0),
                        None => hasher.update(b"beyond"),
                    };
                }
                Some(hasher.finalize().into())
            });
        }
        Some(keyer.finish())
    }

    /// Writes the bus from `runs`: a span to render is mixed alone from
    /// the members that touch it (their sources read from where the span
    /// starts), a span to copy is read from the previous output, or, when
    /// the run could take the previous output as its own
    /// ([`RunContext::adopt_previous`]), left where it is. Returns whether
    /// it was patched so.
    fn splice(
        &self,
        context: &mut RunContext<'_>,
        layout: &BusLayout,
        placed: &[Placed<'_>],
        skip: u64,
        runs: &[(Range<u64>, bool)],
        previous: &InputObject,
    ) -> miette::Result<bool> {
        let bus = &self.spec;
        let channels = layout.channels;
        let mut old = PreviousFile::open(&previous.path, channels, layout.frames)?;
        if old.format() != SampleFormat::Float32 {
            return Err(miette::miette!(
                "the previous output of `{}` is not the bus it should be",
                bus.id
            ));
        }
        let inputs = context.inputs().to_vec();
        let mut sources = Vec::new();
        for (span, render) in runs {
            if *render {
                sources.push(self.span(context, placed, skip, span.clone(), &inputs)?);
            }
        }
        let mut sources = sources.into_iter();
        // The previous output, when nothing else uses it, is patched in
        // place: only the spans rendered are written.
        let same_header = self
            .encoder(std::io::Cursor::new(Vec::new()), layout)?
            .data_start()
            == old.data_start();
        let patch = same_header && context.adopt_previous();
        let mut encoder = self.encoder(context.output(), layout)?;
        let mut block = vec![0.0f32; PIPELINE_FRAMES * channels];
        let chunk = region::chunk_frames(layout.rate);
        for (span, render) in runs {
            let length = span.end - span.start;
            if *render {
                let mut source = sources
                    .next()
                    .ok_or_else(|| miette::miette!("a span of `{}` was not mixed", bus.id))?;
                let written = copy(source.as_mut(), length, &mut encoder, &mut block)?;
                if written != length {
                    return Err(miette::miette!(
                        "a span of `{}` ended {} frames early",
                        bus.id,
                        length - written
                    ));
                }
                continue;
            }
            if patch {
                encoder.keep_frames(length).into_diagnostic()?;
                continue;
            }
            let mut start = span.start;
            while start < span.end {
                let end = (start + chunk).min(span.end);
                let raw = old.read(start..end)?;
                encoder.write_encoded(&raw).into_diagnostic()?;
                start = end;
            }
        }
        encoder.finish().into_diagnostic()?;
        Ok(patch)
    }

    /// The bus over `span` alone.
    fn span(
        &self,
        context: &RunContext<'_>,
        placed: &[Placed<'_>],
        skip: u64,
        span: Range<u64>,
        inputs: &[InputObject],
    ) -> miette::Result<Box<dyn Source>> {
        let bus = &self.spec;
        let mut sum = audio::Bus::new(bus.channels.len()).into_diagnostic()?;
        for member in placed {
            let start = member.piece.offset;
            let end = start.saturating_add(member.piece.frames);
            if end <= span.start || start >= span.end {
                continue;
            }
            let played = stretch(
                member.open(self, context)?,
                member.piece.skip,
                member.piece.frames,
            )?;
            let mut routed = route(played, &member.clip.route, &bus.channels, &member.clip.name)?;
            let into = span.start.saturating_sub(start);
            if routed.skip(into).into_diagnostic()? != into {
                return Err(miette::miette!("`{}` ended early", member.clip.name));
            }
            sum.add(routed, start.saturating_sub(span.start), member.gain)
                .into_diagnostic()?;
        }
        let sub_buses = &inputs[1..1 + bus.buses.len()];
        for ((_, gain, bus_route), input) in bus.buses.iter().zip(sub_buses) {
            let reader = WavReader::open(&input.path).into_diagnostic()?;
            let stretch = stretch(Box::new(reader), skip + span.start, span.end - span.start)?;
            let routed = route(stretch, bus_route, &bus.channels, &input.id)?;
            sum.add(routed, 0, *gain).into_diagnostic()?;
        }
        sum.set_length(span.end - span.start);
        sum.set_parallel(true);
        Ok(Box::new(sum))
    }
}

/// What a bus's file holds: its length, first sample, rate and channels.
struct BusLayout {
    frames: u64,
    time_reference: u64,
    rate: u32,
    channels: usize,
}

/// One piece of a clip on the bus: in member order, with the clip as the
/// stage plays it (from its `resample:` stage's output, if it has one).
struct Placed<'s> {
    clip: &'s ClipSpec,
    played: ClipSpec,
    gain: f64,
    extent: Extent,
    piece: Piece,
}

impl Placed<'_> {
    /// The clip's source from its start, read through the engine's tap
    /// (a clean build learns the file's digest as it is mixed).
    fn open(&self, bus: &BusRender, context: &RunContext<'_>) -> miette::Result<Box<dyn Source>> {
        let tap = |path: &std::path::Path| context.tap(path);
        Ok(clip_source(
            &self.played,
            bus.setting.clock,
            bus.setting.default_start,
            &tap,
        )?
        .0)
    }
}

/// Writes up to `length` frames of `source`; returns how many it had.
fn copy(
    source: &mut dyn Source,
    length: u64,
    encoder: &mut WavEncoder<&mut ObjectWriter>,
    block: &mut [f32],
) -> miette::Result<u64> {
    let channels = source.channels();
    let mut written = 0u64;
    while written < length {
        let frames = source.read(block).into_diagnostic()?;
        if frames == 0 {
            break;
        }
        encoder
            .write_block(&block[..frames * channels])
            .into_diagnostic()?;
        written += frames as u64;
    }
    Ok(written)
}

impl Stage for BusRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        // A scene's object is rendered as a mono bus of its one clip.
        if self.spec.id.starts_with("object:") {
            "object"
        } else {
            "bus"
        }
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The bus runs even when the engine cannot read one of its files: it
    /// then fails opening it, with the audio core's error (E0501) naming
    /// the clip and the file, as it does for a file that is not a WAV file
    /// or is truncated.
    fn unreadable_files(&self) -> UnreadableFiles {
        UnreadableFiles::Key
    }

    fn params(&self, params: &mut Params<'_>) {
        let bus = &self.spec;
        self.setting.params(params);
        params
            .u64("default_start", self.setting.default_start)
            .str("channels", &bus.channels.join(" "));
        for (index, (clip, gain)) in bus.clips.iter().enumerate() {
            clip_params(params, &format!("clip{index}"), clip, ClipUse::Bus);
            params.f64(&format!("clip{index}.member_gain"), *gain);
        }
        for (index, (id, gain, route)) in bus.buses.iter().enumerate() {
            params
                .label(&format!("bus{index}"), &recipe_name(id))
                .str(&format!("bus{index}"), id)
                .f64(&format!("bus{index}.gain"), *gain);
            route_params(params, &format!("bus{index}.route"), route);
        }
        if let Some(reel) = &bus.reel {
            params.str("reel", reel);
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        self.render(context, &mut [])
    }

    /// A bus leads a target that it can render in its own pass
    /// ([`follow::can_follow`]).
    fn can_lead(&self, dependant: &dyn Stage) -> bool {
        recipe_target(dependant).is_some_and(|target| follow::can_follow(&self.spec.id, target))
    }

    fn run_leading(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        self.render(context, followers)
    }
}

/// A float file written block by block, keeping its first error.
struct FileSink<'w> {
    encoder: WavEncoder<&'w mut ObjectWriter>,
    error: Option<audio::AudioError>,
}

impl BlockSink for FileSink<'_> {
    fn push(&mut self, block: &[f32]) {
        if self.error.is_none() {
            if let Err(error) = self.encoder.write_block(block) {
                self.error = Some(error);
            }
        }
    }
}
