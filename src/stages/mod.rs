//! The recipe's render stages as build-engine [`Stage`]s: each lowered
//! [`StageSpec`] writes its key parameters and renders its one output.
//!
//! Outputs: `timeline` a small JSON object (`{"start", "frames"}`);
//! `bus:NAME` a 32-bit float WAV of the bus on the timeline (its `bext` time
//! reference is the timeline's start); `target:NAME` the deliverable WAV;
//! `measure:NAME` the loudness report, as JSON, of a deliverable that has a
//! spec; `album:NAME/NN` a track WAV.

pub(crate) mod delivery;
pub(crate) mod follow;
pub mod mix;
pub(crate) mod output;
pub(crate) mod pipeline;

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
};

use miette::{IntoDiagnostic, WrapErr};
use serde::{Deserialize, Serialize};

use crate::{
    audio::{
        self,
        loudness::{LoudnessMeter, LoudnessReport},
        normalize::{NormalizationPlan, Normalizer, PeakPolicy},
        SampleFormat, Source, WavEncoder, WavReader, WavSpec, BLOCK_FRAMES,
    },
    engine::key::Params,
    engine::stage::{Carry, Follower, RunContext, Stage},
    engine::store::ObjectWriter,
    lower::{
        AlbumTrackStage, BusStage, ClipSpec, RenderPlan, Route, StageSpec, TargetStage, TIMELINE,
    },
    model::{AudioSource, Duration, Format, LoudnessGate},
    stages::delivery::{deliver, encoding, Delivery, PIPELINE_FRAMES},
    stages::follow::{BusStream, Led},
    stages::mix::{clip_source, route, Clock},
    stages::output::{layout, normalization, target_bext, target_output, track_bext},
    stages::pipeline::BlockSink,
};
use rayon::prelude::*;

/// A lowered stage ready for the engine.
pub struct RecipeStage {
    spec: StageSpec,
    id: String,
    kind: &'static str,
    inputs: Vec<String>,
    files: Vec<PathBuf>,
    clock: Clock,
    default_start: u64,
    output: Option<PathBuf>,
    /// The project's title, for the deliverables' `bext` descriptions.
    title: String,
}

/// Every stage of a plan, plus a `measure:NAME` stage per target with a spec.
pub fn stages(plan: &RenderPlan) -> Result<Vec<Box<dyn Stage>>, miette::Report> {
    let clock = Clock {
        sample_rate: plan.sample_rate,
        frame_rate: plan.frame_rate,
    };
    let default_start = clock
        .samples(plan.picture_start)
        .into_diagnostic()
        .wrap_err("the project's picture start")?;
    let mut stages: Vec<Box<dyn Stage>> = Vec::new();
    for spec in &plan.stages {
        let (kind, inputs, files, output): (
            &'static str,
            Vec<String>,
            Vec<PathBuf>,
            Option<PathBuf>,
        ) = match spec {
            StageSpec::Timeline(timeline) => (
                "timeline",
                Vec::new(),
                clip_files(timeline.clips.iter()),
                None,
            ),
            StageSpec::Bus(bus) => {
                let mut inputs = vec![TIMELINE.to_owned()];
                inputs.extend(bus.buses.iter().map(|(id, _, _)| id.clone()));
                (
                    "bus",
                    inputs,
                    clip_files(bus.clips.iter().map(|(clip, _)| clip)),
                    None,
                )
            }
            StageSpec::Target(target) => {
                let mut inputs: Vec<String> =
                    target.from.iter().map(|(id, _)| id.clone()).collect();
                inputs.extend(target.dialogue.iter().cloned());
                ("target", inputs, Vec::new(), Some(target.output.clone()))
            }
            StageSpec::AlbumTrack(track) => (
                "album",
                Vec::new(),
                clip_files(std::iter::once(&track.clip)),
                Some(track.output.clone()),
            ),
        };
        stages.push(Box::new(RecipeStage {
            id: spec.id().to_owned(),
            spec: spec.clone(),
            kind,
            inputs,
            files,
            clock,
            default_start,
            output,
            title: plan.title.clone(),
        }));
        // A deliverable with a spec is measured against it after it is
        // rendered; one without a spec has nothing to be measured against.
        if let StageSpec::Target(target @ TargetStage { spec: Some(_), .. }) = spec {
            stages.push(Box::new(MeasureStage {
                id: format!("measure:{}", target.name),
                inputs: vec![target.id.clone()],
                channels: target.channels.clone(),
                sample_rate: target.format.sample_rate,
            }));
        }
    }
    Ok(stages)
}

fn clip_files<'a>(clips: impl Iterator<Item = &'a ClipSpec>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = clips
        .filter_map(|clip| clip.declared_file().map(Path::to_path_buf))
        .collect();
    files.sort();
    files.dedup();
    files
}

fn duration(params: &mut Params<'_>, name: &str, duration: Option<Duration>) {
    match duration {
        None => params.str(name, "none"),
        Some(Duration::Seconds(seconds)) => params.f64(&format!("{name}.seconds"), seconds),
        Some(Duration::Frames(frames)) => params.f64(&format!("{name}.frames"), frames),
    };
}

/// What of a clip goes into a key: all of it for a bus or a track; for the
/// timeline only what decides where the clip sits and how long it is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClipUse {
    Timeline,
    Bus,
    Track,
}

/// `stem dx` for the stage-style name `stem:dx`: how the manifest names
/// a clip or bus, in the recipe's words.
fn recipe_name(id: &str) -> String {
    id.replacen(':', " ", 1)
}

fn clip_params(params: &mut Params<'_>, prefix: &str, clip: &ClipSpec, clip_use: ClipUse) {
    params.label(prefix, &recipe_name(&clip.name));
    let p = |field: &str| format!("{prefix}.{field}");
    params.str(&p("name"), &clip.name);
    match &clip.source {
        AudioSource::File { .. } => {
            // The file's content hash is part of the key through `files`.
            params.str(&p("source"), "file");
            let file = clip
                .declared_file()
                .map(|path| path.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            params.str(&p("file"), &file);
        }
        AudioSource::Tone {
            frequency_hz,
            level_dbfs,
            duration: length,
        } => {
            params
                .str(&p("source"), "tone")
                .f64(&p("frequency"), *frequency_hz)
                .f64(&p("level"), *level_dbfs);
            duration(params, &p("length"), Some(*length));
        }
        AudioSource::Noise {
            color,
            level_dbfs,
            duration: length,
        } => {
            params
                .str(&p("source"), &format!("noise {color:?}"))
                .f64(&p("level"), *level_dbfs)
                .u64(&p("seed"), clip.seed);
            duration(params, &p("length"), Some(*length));
        }
        AudioSource::Silence { duration: length } => {
            params.str(&p("source"), "silence");
            duration(params, &p("length"), Some(*length));
        }
    }
    params.str(&p("channels"), &clip.channels.join(" "));
    let settings = &clip.clip;
    if clip_use != ClipUse::Track {
        params.str(
            &p("at"),
            &settings
                .at
                .map(|at| at.value.to_string())
                .unwrap_or_default(),
        );
    }
    params.str(
        &p("to"),
        &settings
            .until
            .map(|until| until.value.to_string())
            .unwrap_or_default(),
    );
    duration(params, &p("trim_head"), settings.trim_head);
    duration(params, &p("trim_tail"), settings.trim_tail);
    if clip_use == ClipUse::Timeline {
        return;
    }
    duration(params, &p("fade_in"), settings.fade_in);
    duration(params, &p("fade_out"), settings.fade_out);
    params.str(&p("fade_curve"), &format!("{:?}", settings.fade_curve));
    params.f64(&p("gain"), settings.gain_db);
    route_params(params, &p("route"), &clip.route);
}

fn route_params(params: &mut Params<'_>, name: &str, route: &Route) {
    match route {
        Route::Direct => {
            params.str(name, "direct");
        }
        Route::Pan(channel) => {
            params.u64(&format!("{name}.pan"), *channel as u64);
        }
        Route::Matrix { name: matrix, rows } => {
            params.str(&format!("{name}.matrix"), matrix);
            for (index, row) in rows.iter().enumerate() {
                let text: Vec<String> = row.iter().map(|gain| format!("{gain:?}")).collect();
                params.str(&format!("{name}.row{index}"), &text.join(" "));
            }
        }
    }
}

fn format_params(params: &mut Params<'_>, format: &Format) {
    params
        .u64("format.rate", u64::from(format.sample_rate))
        .u64("format.bits", u64::from(format.bits))
        .bool("format.float", format.float);
}

impl Stage for RecipeStage {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &str {
        self.kind
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn output_path(&self) -> Option<&Path> {
        self.output.as_deref()
    }

    fn params(&self, params: &mut Params<'_>) {
        params
            .u64("sample_rate", u64::from(self.clock.sample_rate))
            .str("frame_rate", &format!("{:?}", self.clock.frame_rate));
        match &self.spec {
            StageSpec::Timeline(timeline) => {
                params.u64("default_start", self.default_start);
                for (index, clip) in timeline.clips.iter().enumerate() {
                    clip_params(params, &format!("clip{index}"), clip, ClipUse::Timeline);
                }
            }
            StageSpec::Bus(bus) => {
                params
                    .u64("default_start", self.default_start)
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
            }
            StageSpec::Target(target) => {
                params
                    .str("channels", &target.channels.join(" "))
                    .u64("mask", u64::from(target.mask.unwrap_or(0)));
                format_params(params, &target.format);
                for (index, (id, route)) in target.from.iter().enumerate() {
                    params
                        .label(
                            &format!("from{index}"),
                            &format!("from {}", recipe_name(id)),
                        )
                        .str(&format!("from{index}"), id);
                    route_params(params, &format!("from{index}.route"), route);
                }
                params
                    .bool("normalize", target.normalize)
                    .bool("limiter", target.limiter);
                if let Some(spec) = &target.spec {
                    params.str("spec", &spec.name);
                    if let Some(loudness) = &spec.loudness {
                        params
                            .f64("spec.loudness", loudness.lufs)
                            .str("spec.gate", &format!("{:?}", loudness.gate));
                    }
                    params.f64("spec.true_peak", spec.true_peak_dbtp.unwrap_or(f64::NAN));
                }
                params.u64("dialogue_inputs", target.dialogue.len() as u64);
                params.str(
                    "bext.description",
                    &target_bext(&self.title, target).description,
                );
            }
            StageSpec::AlbumTrack(track) => {
                clip_params(params, "clip", &track.clip, ClipUse::Track);
                params
                    .str("channels", &track.channels.join(" "))
                    .u64("mask", u64::from(track.mask.unwrap_or(0)));
                format_params(params, &track.format);
                params.str(
                    "bext.description",
                    &track_bext(&self.title, &track.album_title, track).description,
                );
            }
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        match &self.spec {
            StageSpec::Timeline(timeline) => {
                let mut start = u64::MAX;
                let mut end = 0u64;
                for clip in &timeline.clips {
                    // Only the header is read: no tap.
                    let (_, extent) = clip_source(clip, self.clock, self.default_start, &|_| None)?;
                    start = start.min(extent.start);
                    end = end.max(extent.start + extent.frames);
                }
                if start == u64::MAX {
                    start = self.default_start;
                    end = start;
                }
                let text = serde_json::to_string(&Timeline {
                    start,
                    frames: end - start,
                })
                .into_diagnostic()?;
                context
                    .output()
                    .write_all(text.as_bytes())
                    .into_diagnostic()?;
                Ok(())
            }
            StageSpec::Bus(bus) => self.render_bus(bus, context, &mut []),
            StageSpec::Target(target) => self.render_target(target, context, None),
            StageSpec::AlbumTrack(track) => self.render_track(track, context),
        }
    }

    fn can_lead(&self, dependant: &dyn Stage) -> bool {
        self.leads(dependant)
    }

    fn run_leading(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        match &self.spec {
            StageSpec::Bus(bus) => self.render_bus(bus, context, followers),
            _ => {
                for follower in followers {
                    follower.refuse(&self.id);
                }
                self.run(context)
            }
        }
    }

    fn run_carried(&self, context: &mut RunContext<'_>, carry: Carry) -> miette::Result<()> {
        match (&self.spec, carry) {
            (StageSpec::Target(target), Carry::Loudness(measured)) => {
                self.render_target(target, context, Some(measured))
            }
            _ => self.run(context),
        }
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
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

/// The target a stage renders, if it is a recipe's target stage.
fn recipe_target(stage: &dyn Stage) -> Option<&TargetStage> {
    match stage.as_any()?.downcast_ref::<RecipeStage>()? {
        RecipeStage {
            spec: StageSpec::Target(target),
            ..
        } => Some(target),
        _ => None,
    }
}

/// The programme's first sample (since midnight) and its length.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Timeline {
    pub start: u64,
    pub frames: u64,
}

fn float_spec(
    sample_rate: u32,
    channels: &[String],
    time_reference: u64,
) -> miette::Result<WavSpec> {
    Ok(WavSpec {
        sample_rate,
        layout: layout(channels, None)?,
        sample_format: SampleFormat::Float32,
        time_reference: Some(time_reference),
    })
}

impl RecipeStage {
    /// Renders the bus and, in the same pass, the targets `followers`
    /// (see [`RecipeStage::leads`]).
    fn render_bus(
        &self,
        bus: &BusStage,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        let mut timeline_text = String::new();
        std::fs::File::open(&context.inputs()[0].path)
            .and_then(|mut file| file.read_to_string(&mut timeline_text))
            .into_diagnostic()?;
        let timeline: Timeline = serde_json::from_str(&timeline_text).into_diagnostic()?;
        let channels = bus.channels.len();
        let mut sum = audio::Bus::new(channels).into_diagnostic()?;
        for (clip, gain) in &bus.clips {
            let (source, extent) = clip_source(clip, self.clock, self.default_start, &|path| {
                context.tap(path)
            })?;
            let routed = route(source, &clip.route, &bus.channels, &clip.name)?;
            sum.add(
                routed,
                extent
                    .start
                    .checked_sub(timeline.start)
                    .ok_or_else(|| miette::miette!("{} starts before the timeline", clip.name))?,
                *gain,
            )
            .into_diagnostic()?;
        }
        for ((_, gain, bus_route), input) in bus.buses.iter().zip(&context.inputs()[1..]) {
            let reader = WavReader::open(&input.path).into_diagnostic()?;
            let routed = route(Box::new(reader), bus_route, &bus.channels, &input.id)?;
            sum.add(routed, 0, *gain).into_diagnostic()?;
        }
        sum.set_length(timeline.frames);
        sum.set_parallel(true);
        let stream = BusStream {
            channels,
            frames: timeline.frames,
            time_reference: timeline.start,
            rate: self.clock.sample_rate,
        };
        let mut led: Vec<Led<'_>> =
            follow::lead(followers, &bus.id, stream, &self.title, recipe_target);
        let spec = float_spec(self.clock.sample_rate, &bus.channels, timeline.start)?;
        let encoder = WavEncoder::with_length(context.output(), spec, &bus.id, timeline.frames)
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

    /// Whether `dependant` is a target this bus can render in its own
    /// pass ([`follow::can_follow`]).
    fn leads(&self, dependant: &dyn Stage) -> bool {
        let Some(target) = recipe_target(dependant) else {
            return false;
        };
        matches!(self.spec, StageSpec::Bus(_)) && follow::can_follow(&self.id, target)
    }

    /// The target's mix: its buses routed to its layout and summed (one
    /// bus is read as it is, without a sum).
    fn target_mix(
        &self,
        target: &TargetStage,
        inputs: &[crate::engine::stage::InputObject],
    ) -> miette::Result<(Box<dyn Source>, u64)> {
        let mut routed = Vec::with_capacity(inputs.len());
        let mut time_reference = 0;
        for ((_, bus_route), input) in target.from.iter().zip(inputs) {
            let reader = WavReader::open(&input.path).into_diagnostic()?;
            time_reference = reader.format().time_reference.unwrap_or(0);
            routed.push(route(
                Box::new(reader),
                bus_route,
                &target.channels,
                &input.id,
            )?);
        }
        if routed.len() == 1 {
            if let Some(only) = routed.pop() {
                return Ok((only, time_reference));
            }
        }
        let mut sum = audio::Bus::new(target.channels.len()).into_diagnostic()?;
        for source in routed {
            sum.add(source, 0, 0.0).into_diagnostic()?;
        }
        Ok((Box::new(sum), time_reference))
    }

    /// Renders the target; `measured` is its mix's measurement when its
    /// bus's pass made it (see [`crate::stages::follow`]), else pass 1 makes it.
    fn render_target(
        &self,
        target: &TargetStage,
        context: &mut RunContext<'_>,
        measured: Option<LoudnessReport>,
    ) -> miette::Result<()> {
        let inputs = context.inputs().to_vec();
        let (from, dialogue) = inputs.split_at(target.from.len());
        let rate = self.clock.sample_rate;
        // Pass 1: measure the mix (dialogue-gated where the spec says so and
        // the target has dialogue).
        let plan = match normalization(target) {
            Some((spec, loudness)) => {
                let measured = match measured {
                    Some(measured) => measured,
                    None => self.measure_mix(target, from, dialogue, loudness.gate)?,
                };
                let policy = if target.limiter {
                    PeakPolicy::Limit
                } else {
                    PeakPolicy::Refuse
                };
                let ceiling = spec.true_peak_dbtp.unwrap_or(0.0);
                Some(
                    NormalizationPlan::new(&measured, loudness.lufs, ceiling, policy)
                        .into_diagnostic()
                        .wrap_err_with(|| {
                            format!("normalising target `{}` to {}", target.name, spec.name)
                        })?,
                )
            }
            _ => None,
        };
        // Pass 2: gain, dither, encode.
        let (mix, time_reference) = self.target_mix(target, from)?;
        let (spec, quantizer) = target_output(target, rate, time_reference)?;
        let channels = target.channels.len();
        let normalizer = plan
            .as_ref()
            .map(|plan| Normalizer::new(plan, channels, rate));
        let frames = mix.frames();
        let mut delivery = Delivery::new(
            context.output(),
            spec,
            &target.id,
            rate,
            channels,
            frames,
            normalizer,
            quantizer,
        )?;
        delivery.describe(target_bext(&self.title, target))?;
        deliver(delivery, mix)
    }

    fn measure_mix(
        &self,
        target: &TargetStage,
        from: &[crate::engine::stage::InputObject],
        dialogue: &[crate::engine::stage::InputObject],
        gate: LoudnessGate,
    ) -> miette::Result<LoudnessReport> {
        let rate = self.clock.sample_rate;
        let (mut mix, _) = self.target_mix(target, from)?;
        let channels = target.channels.len();
        let mut meter = LoudnessMeter::for_labels(&target.channels, rate).into_diagnostic()?;
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        if gate == LoudnessGate::Dialogue && !dialogue.is_empty() {
            use crate::audio::{channel_role::ChannelRole, dialogue_gate::DialogueGatedMeter};
            let mut gate_sum = audio::Bus::new(1).into_diagnostic()?;
            for input in dialogue {
                let reader = WavReader::open(&input.path).into_diagnostic()?;
                let inputs = reader.channels();
                let down = audio::Matrix::new("dialogue", inputs, vec![vec![1.0; inputs]])
                    .into_diagnostic()?;
                gate_sum
                    .add(
                        Box::new(audio::Convert::new(reader, down).into_diagnostic()?),
                        0,
                        0.0,
                    )
                    .into_diagnostic()?;
            }
            gate_sum.set_length(mix.frames());
            let mut gated = DialogueGatedMeter::new(
                &ChannelRole::for_layout(&target.channels),
                &[ChannelRole::Center],
                rate,
            )
            .into_diagnostic()?;
            let mut speech = vec![0.0f32; BLOCK_FRAMES];
            loop {
                let frames = mix.read(&mut block).into_diagnostic()?;
                if frames == 0 {
                    break;
                }
                let got = gate_sum.read(&mut speech[..frames]).into_diagnostic()?;
                speech[got..frames].fill(0.0);
                gated
                    .push(&block[..frames * channels], &speech[..frames])
                    .into_diagnostic()?;
                meter.push(&block[..frames * channels]).into_diagnostic()?;
            }
            let gated = gated.report();
            let mut report = meter.report();
            // Below about 15 % dialogue, Netflix measures the full programme.
            if gated.dialogue_fraction() >= 0.15 && gated.dialogue_gated_lufs.is_finite() {
                report.integrated_lufs = gated.dialogue_gated_lufs;
            }
            return Ok(report);
        }
        loop {
            let frames = mix.read(&mut block).into_diagnostic()?;
            if frames == 0 {
                break;
            }
            meter.push(&block[..frames * channels]).into_diagnostic()?;
        }
        Ok(meter.report())
    }

    fn render_track(
        &self,
        track: &AlbumTrackStage,
        context: &mut RunContext<'_>,
    ) -> miette::Result<()> {
        let (source, _) = clip_source(&track.clip, self.clock, self.default_start, &|path| {
            context.tap(path)
        })?;
        let source = route(source, &track.clip.route, &track.channels, &track.clip.name)?;
        let (sample_format, quantizer) = encoding(&track.format, &track.id)?;
        let spec = WavSpec {
            sample_rate: track.format.sample_rate,
            layout: layout(&track.channels, track.mask)?,
            sample_format,
            time_reference: None,
        };
        let (channels, frames) = (source.channels(), source.frames());
        let mut delivery = Delivery::new(
            context.output(),
            spec,
            &track.id,
            self.clock.sample_rate,
            channels,
            frames,
            None,
            quantizer,
        )?;
        delivery.describe(track_bext(&self.title, &track.album_title, track))?;
        deliver(delivery, source)
    }
}

/// `measure:NAME`: the deliverable's loudness and peaks, as JSON.
struct MeasureStage {
    id: String,
    inputs: Vec<String>,
    channels: Vec<String>,
    sample_rate: u32,
}

/// What `measure:NAME` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    pub integrated_lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub lra_lu: Option<f64>,
}

impl Stage for MeasureStage {
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> &str {
        "measure"
    }
    fn inputs(&self) -> &[String] {
        &self.inputs
    }
    fn params(&self, params: &mut Params<'_>) {
        params
            .str("channels", &self.channels.join(" "))
            .u64("sample_rate", u64::from(self.sample_rate));
    }
    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let mut reader = WavReader::open(&context.inputs()[0].path).into_diagnostic()?;
        let channels = reader.channels();
        let mut meter = LoudnessMeter::for_labels(&self.channels, reader.format().sample_rate)
            .into_diagnostic()?;
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        loop {
            let frames = reader.read(&mut block).into_diagnostic()?;
            if frames == 0 {
                break;
            }
            meter.push(&block[..frames * channels]).into_diagnostic()?;
        }
        let report = meter.report();
        let finite = |value: f64| value.is_finite().then_some(value);
        let measurement = Measurement {
            integrated_lufs: finite(report.integrated_lufs),
            true_peak_dbtp: finite(report.true_peak_dbtp),
            sample_peak_dbfs: finite(report.sample_peak_dbfs),
            lra_lu: finite(report.loudness_range_lu),
        };
        let text = serde_json::to_string(&measurement).into_diagnostic()?;
        context
            .output()
            .write_all(text.as_bytes())
            .into_diagnostic()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{lower::lower, resolve::resolve_text};

    /// Which targets a bus leads in its own pass: those that read it alone
    /// (a normalised one is measured there and rendered afterwards).
    #[test]
    fn a_bus_leads_the_targets_that_read_it_alone() {
        let resolved = resolve_text(
            "soundtrack.sndtrk",
            None,
            r#"import "std/layouts"
            import "std/delivery/ebu"
            project "T" { frame_rate 24 sample_rate 48kHz }
            stem dx { role dialogue layout 1.0 pan C tone 1kHz -20dBFS for 1s }
            stem fx { role effects layout 5.1 tone 100Hz -20dBFS for 1s }
            bus DX 5.1 { dx }
            bus FX 5.1 { fx }
            target plain { from DX layout 5.1 format wav 48kHz 24bit }
            target folded { from DX layout 2.0 downmix loro format wav 44.1kHz 16bit }
            target measured { from DX layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 }
            target as_is { from DX layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 normalize off }
            target both { from DX FX layout 5.1 format wav 48kHz 24bit }"#,
        );
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        let all = stages(&plan).unwrap();
        let find = |id: &str| {
            all.iter()
                .find(|stage| stage.id() == id)
                .unwrap_or_else(|| panic!("no {id}"))
        };
        let (dx, fx) = (find("bus:DX"), find("bus:FX"));
        for (target, led) in [
            ("target:plain", true),
            ("target:folded", true),
            ("target:measured", true),
            ("target:as_is", true),
            ("target:both", false),
        ] {
            assert_eq!(dx.can_lead(find(target).as_ref()), led, "{target}");
            assert!(!fx.can_lead(find(target).as_ref()), "{target}");
        }
        // Only buses lead, and only targets follow.
        assert!(!find("target:plain").can_lead(find("measure:measured").as_ref()));
        assert!(!dx.can_lead(find("bus:FX").as_ref()));
    }
}
