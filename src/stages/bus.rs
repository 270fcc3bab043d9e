//! `bus:NAME`: a bus's stems, cues and sub-buses summed on the timeline,
//! written as a 32-bit float WAV whose `bext` time reference is the
//! timeline's start; or, for a bus whose readers mix it themselves, not
//! written at all: its object names it by its chunks' keys
//! ([`crate::stages::unkept`]). With reels, the bus renders the long play, each clip
//! placed in the reels it overlaps ([`crate::stages::programme`]); a reel
//! target's dialogue gate renders that reel alone. A bus leads the deliverables that read it alone: they
//! are rendered (or measured) from its blocks in its own pass
//! ([`crate::stages::follow`]).

use std::{io::Write, ops::Range, path::PathBuf, sync::Arc};

use miette::IntoDiagnostic;
use rayon::prelude::*;

use crate::{
    audio::{self, SampleFormat, Source, WavEncoder, WavSpec},
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
    stages::unkept::{self, Unkept},
};

/// A `bus:NAME` stage.
pub(super) struct BusRender {
    spec: BusStage,
    setting: Setting,
    inputs: Vec<String>,
    files: Vec<PathBuf>,
    /// The buses not kept, which this one renders from their members
    /// where it reads them.
    unkept: Arc<Unkept>,
    /// Whether this bus is written whole to its object (else it is one of
    /// `unkept`, and its object only names it).
    kept: bool,
}

impl BusRender {
    pub fn new(spec: &BusStage, setting: Setting, unkept: &Arc<Unkept>) -> BusRender {
        let mut inputs = vec![StageId::timeline().into()];
        inputs.extend(spec.buses.iter().map(|(id, _, _)| id.to_string()));
        inputs.extend(resample_inputs(spec.clips.iter().map(|(clip, _)| clip)));
        // What rendering an unkept sub-bus reads.
        for (id, _, _) in &spec.buses {
            unkept.add_needs(id.as_str(), &mut inputs);
        }
        BusRender {
            files: clip_files(spec.clips.iter().map(|(clip, _)| clip)),
            spec: spec.clone(),
            kept: !unkept.contains(spec.id.as_str()),
            unkept: Arc::clone(unkept),
            setting,
            inputs,
        }
    }

    /// The bus's spec.
    pub(super) fn spec(&self) -> &BusStage {
        &self.spec
    }

    /// What the bus's file holds, the timeline's segments it renders and
    /// where they start in the long play, from the timeline among
    /// `inputs`.
    pub(super) fn layout(
        &self,
        inputs: &[InputObject],
    ) -> miette::Result<(BusLayout, Vec<Segment>, u64)> {
        let bus = &self.spec;
        let timeline = inputs
            .iter()
            .find(|input| input.id == StageId::timeline().as_str())
            .ok_or_else(|| miette::miette!("`{}` does not read the timeline", bus.id))?;
        let timeline = Timeline::read(&timeline.path)?;
        let segments = timeline.window(bus.reel.as_deref()).ok_or_else(|| {
            miette::miette!(
                "the timeline has no reel `{}`",
                bus.reel.as_deref().unwrap_or("")
            )
        })?;
        let frames: u64 = segments.iter().map(|segment| segment.frames).sum();
        let time_reference = segments.first().map_or(timeline.start, |first| first.start);
        let layout = BusLayout {
            frames,
            time_reference,
            rate: self.setting.clock.sample_rate,
            channels: bus.channels.len(),
        };
        // A sub-bus renders the long play; a reel's bus takes its stretch.
        let skip = match &bus.reel {
            Some(reel) => timeline.reel(reel).map_or(0, |segment| segment.offset),
            None => 0,
        };
        Ok((layout, segments, skip))
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
        let inputs = context.inputs().to_vec();
        let (layout, segments, skip) = self.layout(&inputs)?;
        let frames = layout.frames;
        // Placing the clips opens their sources: one missing or malformed
        // fails here, naming its clip.
        let placed = self.place(&inputs, &segments)?;
        if !self.kept && bus.reel.is_none() {
            return self.render_unkept(context, followers, &layout, &placed);
        }
        // After an edit, the chunks whose key changed alone (the sources'
        // digests are known then); in a clean build, the keys once the
        // render has learnt them. (A previous object that only named the
        // bus, unkept then, has nothing to splice from.)
        let previous = context
            .previous()
            .cloned()
            .filter(|previous| bus.reel.is_none() && !unkept::is_placeholder(&previous.path));
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
        self.whole(context, followers, &layout, &placed, skip, true)?;
        // The indexes for the next run, once the sources' digests are
        // known: the bus's, and those of the deliverables it rendered.
        let keys = match (keys, &bus.reel) {
            (Some(keys), _) => Some(keys),
            (None, None) => self.chunk_keys(context, &layout, &placed, skip),
            (None, Some(_)) => None,
        };
        index_followers(followers, keys.as_ref(), &layout);
        if let Some(keys) = keys {
            context.set_regions(keys.encode());
        }
        Ok(())
    }

    /// Runs an unkept bus ([`crate::stages::unkept`]) whose clips are
    /// `placed`: its object names it by its chunks' keys and holds no
    /// audio. In a clean build the bus is mixed in this pass for the
    /// deliverables it leads (its sources' digests learnt as they are
    /// read); after an edit, each deliverable mixes the chunks it renders
    /// again from the bus's members itself. A bus whose keys cannot be
    /// known (a sub-bus's index is gone) is written whole, as a kept one.
    fn render_unkept(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
        layout: &BusLayout,
        placed: &[Placed<'_>],
    ) -> miette::Result<()> {
        let bus = &self.spec;
        let old = context
            .previous()
            .filter(|previous| unkept::is_placeholder(&previous.path))
            .and_then(|previous| context.regions_of(&previous.digest))
            .and_then(|bytes| ChunkKeys::decode(&bytes));
        let mut keys = match old {
            Some(_) => self.chunk_keys(context, layout, placed, 0),
            None => None,
        };
        let splices = match (&old, &keys) {
            (Some(old), Some(keys)) => keys.runs(Some(old)).iter().any(|(_, render)| !render),
            _ => false,
        };
        if splices || followers.is_empty() {
            for follower in followers.iter_mut() {
                follower.refuse(&bus.id);
            }
        } else {
            self.whole(context, followers, layout, placed, 0, false)?;
        }
        if keys.is_none() {
            keys = self.chunk_keys(context, layout, placed, 0);
        }
        index_followers(followers, keys.as_ref(), layout);
        let Some(keys) = keys else {
            return self.whole(context, &mut [], layout, placed, 0, true);
        };
        let named = unkept::placeholder(layout, &keys);
        context.output().write_all(&named).into_diagnostic()?;
        context.note("not kept: mixed from its members where it is read");
        context.set_regions(keys.encode());
        Ok(())
    }

    /// Mixes the whole bus in one pass, to its file when `to_file`, and
    /// to the targets `followers` it leads.
    fn whole(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
        layout: &BusLayout,
        placed: &[Placed<'_>],
        skip: u64,
        to_file: bool,
    ) -> miette::Result<()> {
        let bus = &self.spec;
        let (frames, channels) = (layout.frames, layout.channels);
        let inputs = context.inputs().to_vec();
        let mut sum = audio::Bus::new(channels).into_diagnostic()?;
        for member in placed.iter() {
            let played = stretch(
                member.open(self, Some(context))?,
                member.piece.skip,
                member.piece.frames,
            )?;
            let routed = route(played, &member.clip.route, &bus.channels, &member.clip.name)?;
            sum.add(routed, member.piece.offset, member.gain)
                .into_diagnostic()?;
        }
        let sub_buses = &inputs[1..1 + bus.buses.len()];
        for ((_, gain, bus_route), input) in bus.buses.iter().zip(sub_buses) {
            let (reader, _) = unkept::open(input, &self.unkept, &inputs)?;
            let stretch = stretch(reader, skip, frames)?;
            let routed = route(stretch, bus_route, &bus.channels, &input.id)?;
            sum.add(routed, 0, *gain).into_diagnostic()?;
        }
        sum.set_length(frames);
        sum.set_parallel(true);
        let stream = BusStream {
            channels,
            frames,
            time_reference: layout.time_reference,
            rate: layout.rate,
        };
        let mut led: Vec<Led<'_>> = follow::lead(
            followers,
            &bus.id,
            stream,
            &self.setting.title,
            recipe_target,
        );
        let mut file = match to_file {
            true => Some(FileSink {
                encoder: self.encoder(context.output(), layout)?,
                error: None,
            }),
            false => None,
        };
        // The bus's file and the targets led each take the blocks in
        // order, while the next blocks are mixed.
        let mut sinks: Vec<&mut dyn BlockSink> = Vec::new();
        if let Some(file) = file.as_mut() {
            sinks.push(file);
        }
        sinks.extend(led.iter_mut().map(|target| target as &mut dyn BlockSink));
        pipeline::stream(
            PIPELINE_FRAMES * channels,
            |block: &mut [f32]| sum.read(block).map(|frames| frames * channels),
            sinks,
        )
        .into_diagnostic()?;
        if let Some(file) = file {
            if let Some(error) = file.error {
                return Err(error).into_diagnostic();
            }
            file.encoder.finish().into_diagnostic()?;
        }
        led.into_par_iter().for_each(Led::finish);
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
    pub(super) fn place<'s>(
        &'s self,
        inputs: &[InputObject],
        segments: &[Segment],
    ) -> miette::Result<Vec<Placed<'s>>> {
        let Setting {
            clock,
            default_start,
            ..
        } = self.setting;
        let mut placed = Vec::new();
        for (clip, gain) in &self.spec.clips {
            let played = played(clip, inputs).into_owned();
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
                sources.push(self.span(
                    Some(context),
                    &self.unkept,
                    placed,
                    skip,
                    span.clone(),
                    &inputs,
                )?);
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

    /// The bus over `span` alone, its members' sources opened through
    /// `context`'s taps when there is one, its sub-buses found among
    /// `inputs` (an unkept one mixed from its members, over the span).
    pub(super) fn span(
        &self,
        context: Option<&RunContext<'_>>,
        unkept: &Arc<Unkept>,
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
        for (id, gain, bus_route) in &bus.buses {
            let input = inputs
                .iter()
                .find(|input| input.id == id.as_str())
                .ok_or_else(|| miette::miette!("`{}` does not read `{id}`", bus.id))?;
            let (reader, _) = unkept::open(input, unkept, inputs)?;
            let stretch = stretch(reader, skip + span.start, span.end - span.start)?;
            let routed = route(stretch, bus_route, &bus.channels, &input.id)?;
            sum.add(routed, 0, *gain).into_diagnostic()?;
        }
        sum.set_length(span.end - span.start);
        sum.set_parallel(true);
        Ok(Box::new(sum))
    }
}

/// What a bus's file holds: its length, first sample, rate and channels.
pub(super) struct BusLayout {
    pub frames: u64,
    pub time_reference: u64,
    pub rate: u32,
    pub channels: usize,
}

/// One piece of a clip on the bus: in member order, with the clip as the
/// stage plays it (from its `resample:` stage's output, if it has one).
pub(super) struct Placed<'s> {
    clip: &'s ClipSpec,
    played: ClipSpec,
    gain: f64,
    extent: Extent,
    piece: Piece,
}

impl Placed<'_> {
    /// The clip's source from its start, read through the engine's tap
    /// when there is a `context` (a clean build learns the file's digest
    /// as it is mixed).
    fn open(
        &self,
        bus: &BusRender,
        context: Option<&RunContext<'_>>,
    ) -> miette::Result<Box<dyn Source>> {
        let tap = |path: &std::path::Path| context.and_then(|context| context.tap(path));
        Ok(clip_source(
            &self.played,
            bus.setting.clock,
            bus.setting.default_start,
            &tap,
        )?
        .0)
    }
}

/// Turns the chunk stats each target led in a whole pass left in its
/// `regions` into the target's region index, from the bus's `keys` (none
/// when they are not known, or for a target that does not splice).
fn index_followers(followers: &mut [Follower<'_>], keys: Option<&ChunkKeys>, layout: &BusLayout) {
    for follower in followers.iter_mut() {
        let stats = follower.regions.take();
        if follower.error.is_some() || follower.carry.is_some() {
            continue;
        }
        let (Some(keys), Some(stats)) = (keys, stats) else {
            continue;
        };
        let target = recipe_target(follower.stage).filter(|target| splices(target, layout.rate));
        let stats = region::stats_of_bytes(&stats);
        if let (Some(_), Some(stats)) = (target, stats) {
            let index = target_keys(
                follower.stage,
                layout.rate,
                None,
                layout.frames,
                std::slice::from_ref(keys),
            );
            follower.regions = index.map(|mut index| {
                index.stats = Some(stats);
                index.encode()
            });
        }
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
            .str("channels", &bus.channels.join(" "))
            // An unkept bus's object names it; a kept one's holds it.
            .bool("kept", self.kept);
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
