//! `bus:NAME`: a bus's stems, cues and sub-buses summed on the timeline,
//! written as a 32-bit float WAV whose `bext` time reference is the
//! timeline's start. With reels, the bus renders the long play, each clip
//! placed in the reels it overlaps ([`crate::stages::programme`]); a reel
//! target's dialogue gate renders that reel alone. A bus leads the deliverables that read it alone: they
//! are rendered (or measured) from its blocks in its own pass
//! ([`crate::stages::follow`]).

use std::path::PathBuf;

use miette::IntoDiagnostic;
use rayon::prelude::*;

use crate::{
    audio::{self, SampleFormat, Source, WavEncoder, WavReader, WavSpec},
    engine::key::Params,
    engine::stage::{Follower, RunContext, Stage, UnreadableFiles},
    engine::store::ObjectWriter,
    lower::{BusStage, StageId},
    stages::delivery::PIPELINE_FRAMES,
    stages::follow::{self, BusStream, Led},
    stages::keys::{clip_files, clip_params, recipe_name, route_params, ClipUse, Setting},
    stages::mix::{clip_source, played, resample_inputs, route},
    stages::output::layout,
    stages::pipeline::{self, BlockSink},
    stages::programme::{place, stretch},
    stages::target::recipe_target,
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
    /// (see [`Stage::can_lead`]).
    fn render(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        let bus = &self.spec;
        let Setting {
            clock,
            default_start,
            ..
        } = self.setting;
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
        let mut sum = audio::Bus::new(channels).into_diagnostic()?;
        for (clip, gain) in &bus.clips {
            let clip = &*played(clip, context.inputs());
            let tap = |path: &std::path::Path| context.tap(path);
            let (source, extent) = clip_source(clip, clock, default_start, &tap)?;
            let mut source = Some(source);
            for piece in place(extent, &segments) {
                // A clip in two reels is opened once per reel.
                let whole = match source.take() {
                    Some(source) => source,
                    None => clip_source(clip, clock, default_start, &tap)?.0,
                };
                let played = stretch(whole, piece.skip, piece.frames)?;
                let routed = route(played, &clip.route, &bus.channels, &clip.name)?;
                sum.add(routed, piece.offset, *gain).into_diagnostic()?;
            }
        }
        // A sub-bus renders the long play; a reel's bus takes its stretch.
        let skip = match &bus.reel {
            Some(reel) => timeline.reel(reel).map_or(0, |segment| segment.offset),
            None => 0,
        };
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
        let spec = WavSpec {
            sample_rate: clock.sample_rate,
            layout: layout(&bus.channels, None)?,
            sample_format: SampleFormat::Float32,
            time_reference: Some(time_reference),
        };
        let encoder = WavEncoder::with_length(context.output(), spec, bus.id.as_str(), frames)
            .into_diagnostic()?;
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
        Ok(())
    }
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
