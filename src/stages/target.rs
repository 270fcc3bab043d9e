//! `target:NAME`: a deliverable. Its buses are routed to its layout and
//! summed; a target normalised to a spec is measured first (pass 1:
//! dialogue-gated where the spec says so), then gained, limited where
//! asked, dithered and encoded (pass 2). Its bus's pass may have rendered
//! it already, or measured it and carried the measurement here
//! ([`Carry::Loudness`]).
//!
//! A limited render is measured as it is written, as the spec measures it
//! (after the limiter, at the project's rate): when the limiter took it
//! more than 0.1 LU under the spec's loudness, it is rendered again with
//! the gain raised ([`NormalizationPlan::limit`], at most three limited
//! renders), and the run notes what the limiter did (`limited: up to 3.2 dB
//! gain reduction, true peak -2.0 dBTP, 2 passes`). One that cannot land
//! fails with E0612.

use std::sync::Arc;

use miette::{IntoDiagnostic, WrapErr};

use crate::{
    audio::{
        self,
        channel_role::ChannelRole,
        chunk_stats::{sub_block_frames, ChunkStats, WARM_SUB_BLOCKS},
        loudness::{LoudnessMeter, LoudnessReport},
        normalize::{LimitedRender, NormalizationPlan, Normalized, Normalizer, PeakPolicy},
        Source, WavReader,
    },
    engine::key::Params,
    engine::stage::{Carry, InputObject, RunContext, Stage},
    lower::{Route, StageId, TargetStage},
    model::LoudnessGate,
    stages::adm,
    stages::delivery::{deliver, Delivery, Kept, Stream, PIPELINE_FRAMES},
    stages::keys::{format_params, recipe_name, route_params, Setting},
    stages::loudness::{self, MixMeter},
    stages::mix::route,
    stages::output::{normalization, target_bext, target_output, Stamp},
    stages::programme::{stretch, Segment},
    stages::region::{self, ChunkKeyer, ChunkKeys, PreviousFile},
    stages::scene,
    stages::timeline::Timeline,
    stages::unkept::{self, Unkept},
};

/// A mix's measurement carried from its bus's pass, and its chunks' stats.
type Carried = (LoudnessReport, Option<Vec<ChunkStats>>);

/// A `target:NAME` stage.
pub(super) struct TargetRender {
    spec: TargetStage,
    setting: Setting,
    inputs: Vec<String>,
    /// The buses not kept, which it mixes from their members where it
    /// reads them.
    unkept: Arc<Unkept>,
}

/// The target a stage renders, if it is a recipe's target stage: how a bus
/// recognises the deliverables it can lead.
pub(super) fn recipe_target(stage: &dyn Stage) -> Option<&TargetStage> {
    stage
        .as_any()?
        .downcast_ref::<TargetRender>()
        .map(|target| &target.spec)
}

impl TargetRender {
    pub fn new(spec: &TargetStage, setting: Setting, unkept: &Arc<Unkept>) -> TargetRender {
        let mut inputs: Vec<String> = Vec::new();
        // A target that matches another reads what that one is measured
        // from too (each input once).
        let targets = std::iter::once(spec).chain(spec.matched.as_deref());
        // A reel's target finds its reel's stretch of the long play there.
        if targets.clone().any(|target| target.reel.is_some()) {
            inputs.push(StageId::timeline().to_string());
        }
        for target in targets {
            let from = target.from.iter().map(|(id, _)| id);
            for id in from.chain(&target.dialogue) {
                if !inputs.iter().any(|input| *id == **input) {
                    inputs.push(id.to_string());
                }
            }
        }
        // What mixing an unkept bus reads.
        for (id, _) in &spec.from {
            unkept.add_needs(id.as_str(), &mut inputs);
        }
        TargetRender {
            spec: spec.clone(),
            setting,
            inputs,
            unkept: Arc::clone(unkept),
        }
    }

    /// Renders the target; `carried` is its mix's measurement when its
    /// bus's pass made it (see [`crate::stages::follow`]), else pass 1 makes it.
    fn render(&self, context: &mut RunContext<'_>, carried: Option<Carried>) -> miette::Result<()> {
        let target = &self.spec;
        let inputs = context.inputs().to_vec();
        let rate = self.setting.clock.sample_rate;
        // Pass 1: the gain, from the mix's measurement, or from the
        // measurement of the mix of the target it matches.
        let mut mix_index = MixIndex::default();
        let plan = match &target.matched {
            Some(level) => self.level_of(level, &inputs)?,
            None => match normalization(target) {
                Some(_) => {
                    let (measured, index) = self.measure_mix(context, &inputs, carried)?;
                    mix_index = index;
                    Some(plan(target, &measured)?)
                }
                None => None,
            },
        };
        if let Some(plan) = plan.filter(|plan| plan.limit_dbtp.is_some()) {
            self.render_limited(context, &inputs, &plan)?;
            // Its index holds its mix's alone: a limited render is not
            // spliced, but its next gain is measured from the mix's chunks.
            if let Some(mix) = mix_index.mix {
                let index = ChunkKeys {
                    stats: None,
                    mix: Some(Box::new(mix.clone())),
                    dialogue: mix_index.dialogue.map(Box::new),
                    ..mix
                };
                context.set_regions(index.encode());
            }
            return Ok(());
        }
        // Pass 2: gain, dither, encode.
        let (mix, stamp) = mix(target, &self.unkept, &inputs, rate)?;
        let (spec, quantizer) = target_output(target, rate, stamp)?;
        let channels = target.channels.len();
        let normalizer = plan
            .as_ref()
            .map(|plan| Normalizer::new(plan, channels, rate));
        let frames = mix.frames();
        let chunks = adm::chunks(
            target,
            &self.setting.title,
            rate,
            stamp.time_reference,
            frames,
        )?;
        let stream = Stream {
            id: &target.id,
            rate,
            channels,
            frames,
        };
        let gain = plan.as_ref().map(NormalizationPlan::gain);
        let keys = match splices(target, rate) && chunks.is_empty() {
            true => self.chunk_keys(context, &inputs, gain, frames),
            false => None,
        };
        let old = context.previous().cloned().and_then(|previous| {
            let old = ChunkKeys::decode(&context.regions_of(&previous.digest)?)?;
            old.stats.is_some().then_some((previous, old))
        });
        let runs = keys
            .as_ref()
            .map(|keys| keys.runs(old.as_ref().map(|(_, old)| old)));
        // What a splice copies from: the previous output, opened before
        // the run may take it to patch in place (then only the spans
        // rendered are written).
        let from = match (&old, &runs) {
            (Some((previous, old)), Some(runs)) if runs.iter().any(|(_, render)| !render) => {
                let file = PreviousFile::open(&previous.path, channels, old.frames)?;
                let patch = context.adopt_previous();
                Some((file, old, patch))
            }
            _ => None,
        };
        let mut delivery = Delivery::with_chunks(
            context.output(),
            spec,
            stream,
            normalizer,
            quantizer,
            &chunks,
        )?;
        delivery.describe(target_bext(&self.setting.title, target))?;
        let (Some(mut keys), Some(runs)) = (keys, runs) else {
            return deliver(delivery, mix).map(|_| ());
        };
        let stats = match from {
            Some((file, old, patch)) => {
                if patch && delivery.data_start() != file.data_start() {
                    miette::bail!(
                        "the previous output of `{}` has another header: build again to render it whole",
                        target.id
                    );
                }
                splice(&mut delivery, mix, &runs, old, file, patch, rate)?;
                let rendered = ChunkKeys::rendered(&runs);
                let stats = delivery.finish()?;
                context.note(format!("re-rendered {rendered} of {frames} frames"));
                if patch {
                    context.note("patched its previous output in place");
                }
                stats
            }
            None => deliver(delivery, mix)?,
        };
        if let Some(stats) = stats {
            keys.stats = Some(stats);
            keys.mix = mix_index.mix.map(Box::new);
            keys.dialogue = mix_index.dialogue.map(Box::new);
            context.set_regions(keys.encode());
        }
        Ok(())
    }

    /// Pass 1 of a target normalised to its spec: its mix's measurement
    /// (gated on dialogue where the spec says so), `carried` from its bus's
    /// pass or made here. A target that splices is measured chunk by
    /// chunk, its mix's and its dialogue gate's, and the chunks whose
    /// samples did not change since its last run (its previous index says)
    /// are not read again: their stats are taken from there. It returns,
    /// with the measurement, the indexes with every chunk's stats, for the
    /// target's own index.
    fn measure_mix(
        &self,
        context: &mut RunContext<'_>,
        inputs: &[InputObject],
        carried: Option<Carried>,
    ) -> miette::Result<(LoudnessReport, MixIndex)> {
        let target = &self.spec;
        let rate = self.setting.clock.sample_rate;
        let gate = gate_of(target, inputs)?;
        let (mut source, _) = mix(target, &self.unkept, inputs, rate)?;
        let frames = source.frames();
        let keys = match splices(target, rate) {
            true => self.chunk_keys(context, inputs, None, frames),
            false => None,
        };
        // The dialogue gate's keys, when it has them for the same chunks.
        let gate_keys = match (&gate, &keys) {
            (Some(gate), Some(keys)) => context
                .regions_of(&gate.digest)
                .and_then(|bytes| ChunkKeys::decode(&bytes))
                .filter(|gated| gated.frames == keys.frames && gated.chunk == keys.chunk)
                .map(Some),
            _ => Some(None),
        };
        let (Some(mut keys), Some(mut gate_keys)) = (keys, gate_keys) else {
            return match carried {
                Some((measured, _)) => Ok((measured, MixIndex::default())),
                None => Ok((
                    measure(target, &self.unkept, inputs, rate)?,
                    MixIndex::default(),
                )),
            };
        };
        if let Some((measured, stats)) = carried.filter(|_| gate.is_none()) {
            keys.stats = stats;
            let mix = keys.stats.is_some().then_some(keys);
            return Ok((
                measured,
                MixIndex {
                    mix,
                    dialogue: None,
                },
            ));
        }
        let old = context
            .previous()
            .and_then(|previous| ChunkKeys::decode(&context.regions_of(&previous.digest)?));
        let mut measured = 0;
        let mix_meter = LoudnessMeter::for_labels(&target.channels, rate).into_diagnostic()?;
        let old_mix = old.as_ref().and_then(|old| old.mix.as_deref());
        let (stats, frames_read) = chunk_stats(source.as_mut(), mix_meter, &keys, old_mix)?;
        measured += frames_read;
        keys.stats = Some(stats);
        if let (Some(gate), Some(gate_keys)) = (&gate, &mut gate_keys) {
            let mut speech = WavReader::open(&gate.path).into_diagnostic()?;
            let meter = LoudnessMeter::new(&[ChannelRole::Center], rate).into_diagnostic()?;
            let old_gate = old.as_ref().and_then(|old| old.dialogue.as_deref());
            let (stats, frames_read) = chunk_stats(&mut speech, meter, gate_keys, old_gate)?;
            measured += frames_read;
            gate_keys.stats = Some(stats);
        }
        let stats = |index: &ChunkKeys| index.stats.clone().unwrap_or_default();
        let loudness = loudness::from_chunks(
            &stats(&keys),
            gate_keys.as_ref().map(stats).as_deref(),
            rate,
        );
        if old.is_some() {
            let whole = frames * if gate.is_some() { 2 } else { 1 };
            context.note(format!("measured {measured} of {whole} frames of its mix"));
        }
        Ok((
            loudness.for_normalising(),
            MixIndex {
                mix: Some(keys),
                dialogue: gate_keys,
            },
        ))
    }

    /// The key of every chunk of the deliverable, from its buses' region
    /// indexes; `None` when one has none.
    fn chunk_keys(
        &self,
        context: &RunContext<'_>,
        inputs: &[InputObject],
        gain: Option<f64>,
        frames: u64,
    ) -> Option<ChunkKeys> {
        let from = inputs_of(self.spec.from.iter().map(|(id, _)| id.as_str()), inputs).ok()?;
        let mut buses = Vec::with_capacity(from.len());
        for input in &from {
            buses.push(ChunkKeys::decode(&context.regions_of(&input.digest)?)?);
        }
        target_keys(self, self.setting.clock.sample_rate, gain, frames, &buses)
    }

    /// Pass 2 of a target whose gain needs the limiter: rendered, and
    /// measured as it is rendered, until it lands on its spec's loudness
    /// (each render after the first replaces the last); then the note of
    /// what the limiter did.
    fn render_limited(
        &self,
        context: &mut RunContext<'_>,
        inputs: &[InputObject],
        plan: &NormalizationPlan,
    ) -> miette::Result<()> {
        let target = &self.spec;
        let Some((spec, loudness)) = normalization(target) else {
            miette::bail!("target `{}` is not normalised", target.name);
        };
        let limited = plan
            .limit(loudness.lufs, |plan, pass| {
                if pass > 1 {
                    context.output().restart().into_diagnostic()?;
                }
                self.limited_pass(context, inputs, plan)
            })
            .wrap_err_with(|| format!("normalising target `{}` to {}", target.name, spec.name))?;
        let passes = limited.passes;
        context.note(format!(
            "limited: up to {:.1} dB gain reduction, true peak {:.1} dBTP, {passes} pass{}",
            limited.measured.max_reduction_db,
            limited.measured.true_peak_dbtp,
            if passes == 1 { "" } else { "es" }
        ));
        Ok(())
    }

    /// One limited render of the target with `plan`, written to the
    /// output and measured as it goes by: its loudness as the spec measures
    /// it, its true peak, and the most the limiter took off.
    fn limited_pass(
        &self,
        context: &mut RunContext<'_>,
        inputs: &[InputObject],
        plan: &NormalizationPlan,
    ) -> miette::Result<LimitedRender> {
        let target = &self.spec;
        let rate = self.setting.clock.sample_rate;
        let channels = target.channels.len();
        let (mix, stamp) = mix(target, &self.unkept, inputs, rate)?;
        let frames = mix.frames();
        let mut limited = Normalized::new(mix, Normalizer::new(plan, channels, rate));
        let mut speech = match gate_of(target, inputs)? {
            Some(gate) => Some(WavReader::open(&gate.path).into_diagnostic()?),
            None => None,
        };
        let mut meter = match &mut speech {
            Some(speech) => MixMeter::gated(&target.channels, rate, speech)?,
            None => MixMeter::plain(&target.channels, rate)?,
        };
        let (spec, quantizer) = target_output(target, rate, stamp)?;
        let mut delivery = Delivery::new(
            context.output(),
            spec,
            &target.id,
            rate,
            channels,
            frames,
            None,
            quantizer,
        )?;
        // Each block is written while the next is limited and measured.
        let mut read = |block: &mut [f32]| -> miette::Result<usize> {
            let frames = limited.read(block).into_diagnostic()?;
            meter.push(&block[..frames * channels])?;
            Ok(frames)
        };
        let mut current = vec![0.0f32; PIPELINE_FRAMES * channels];
        let mut next = current.clone();
        let mut frames = read(&mut current)?;
        while frames > 0 {
            let block = &current[..frames * channels];
            let (pushed, got) = rayon::join(|| delivery.push(block), || read(&mut next));
            pushed?;
            frames = got?;
            std::mem::swap(&mut current, &mut next);
        }
        delivery.finish()?;
        let max_reduction_db = limited.normalizer().max_reduction_db().unwrap_or(0.0);
        let measured = meter.finish();
        let true_peak_dbtp = measured.report.true_peak_dbtp;
        Ok(LimitedRender {
            integrated_lufs: measured.for_normalising().integrated_lufs,
            true_peak_dbtp,
            max_reduction_db,
        })
    }

    /// The gain of `level`, the target this one matches: its own
    /// normalisation's gain, measured as it measures itself. Only the gain
    /// is taken: a limiter is not linear, and what it does to the print
    /// master it would do differently to each stem.
    fn level_of(
        &self,
        level: &TargetStage,
        inputs: &[InputObject],
    ) -> miette::Result<Option<NormalizationPlan>> {
        if normalization(level).is_none() {
            miette::bail!(
                "target `{}` matches `{}`, which is not normalised",
                self.spec.name,
                level.name
            );
        }
        let measured = measure(level, &self.unkept, inputs, self.setting.clock.sample_rate)?;
        let plan = plan(level, &measured).wrap_err_with(|| {
            format!(
                "target `{}` takes the level of `{}`",
                self.spec.name, level.name
            )
        })?;
        Ok(Some(NormalizationPlan {
            limit_dbtp: None,
            ..plan
        }))
    }
}

/// A normalised target's measurement indexes, for its own index: its
/// mix's and its dialogue gate's, with their chunks' stats.
#[derive(Debug, Default)]
struct MixIndex {
    mix: Option<ChunkKeys>,
    dialogue: Option<ChunkKeys>,
}

/// The stats of every chunk of `source` (its chunks are those of `keys`),
/// measured by `meter`'s chunked meter; those of chunks that measure as
/// they did in the index `old` (the same samples, and the chunk before
/// too) are taken from it instead, and only the rest of `source` is read
/// (with the last 200 ms of a chunk taken before one measured again). With
/// the stats, the frames measured.
fn chunk_stats(
    source: &mut dyn Source,
    mut meter: audio::loudness::LoudnessMeter,
    keys: &ChunkKeys,
    old: Option<&ChunkKeys>,
) -> miette::Result<(Vec<ChunkStats>, u64)> {
    let channels = source.channels();
    let chunks = meter.chunks_mut();
    let warm = chunks.setup().warm_frames() as u64;
    let reused = |index: usize| {
        let old = old?;
        let stats = old.stats.as_ref()?.get(index)?;
        keys.same_measurement(old, index).then_some(stats)
    };
    let mut position = 0u64;
    let mut read = |span: std::ops::Range<u64>| -> miette::Result<Vec<f32>> {
        source.skip(span.start - position).into_diagnostic()?;
        let mut samples = vec![0.0f32; (span.end - span.start) as usize * channels];
        let mut got = 0;
        while got < samples.len() {
            let frames = source.read(&mut samples[got..]).into_diagnostic()?;
            if frames == 0 {
                miette::bail!(
                    "the mix ended {} frames early",
                    (samples.len() - got) / channels
                );
            }
            got += frames * channels;
        }
        position = span.end;
        Ok(samples)
    };
    let count = keys.keys.len();
    let mut measured = 0u64;
    for index in 0..count {
        let span = region::chunk_span(index, keys.frames, keys.chunk);
        match reused(index) {
            Some(stats) => {
                // The chunk after needs this one's last frames when it is
                // measured.
                let tail = match index + 1 < count && reused(index + 1).is_none() {
                    true => read(span.end - warm.min(span.end - span.start)..span.end)?,
                    false => Vec::new(),
                };
                chunks.push_measured(stats.clone(), &tail);
            }
            None => {
                measured += span.end - span.start;
                chunks.push(&read(span)?).into_diagnostic()?;
            }
        }
    }
    Ok((meter.finish().into_diagnostic()?, measured))
}

/// Whether every sample of `target`'s deliverable depends on its own
/// position alone, so that it can be spliced from chunks
/// ([`crate::stages::region`]): the long play (no reel) of loudspeaker
/// buses, at the project's rate, as a plain WAV file. (A limited target is
/// rendered whole: its limiter carries state from sample to sample.)
pub(super) fn splices(target: &TargetStage, rate: u32) -> bool {
    target.reel.is_none()
        && target.adm.is_none()
        && target.format.sample_rate == rate
        && !target
            .from
            .iter()
            .any(|(_, route)| matches!(route, Route::Object(_)))
}

/// The key of every chunk of `stage`'s deliverable: everything its
/// header depends on (its parameters, its normalisation's `gain`), and
/// per chunk its buses' keys there (`buses`, in the order of its `from`).
pub(super) fn target_keys(
    stage: &dyn Stage,
    rate: u32,
    gain: Option<f64>,
    frames: u64,
    buses: &[ChunkKeys],
) -> Option<ChunkKeys> {
    let chunk = region::chunk_frames(rate);
    if buses.is_empty()
        || buses
            .iter()
            .any(|keys| keys.frames != frames || keys.chunk != chunk)
    {
        return None;
    }
    let mut keyer = ChunkKeyer::new(frames, chunk, |params| {
        stage.params(params);
        params
            .str("region.stage", stage.id())
            .u64("region.rate", u64::from(rate));
        match gain {
            Some(gain) => params.f64("region.gain", gain),
            None => params.str("region.gain", "none"),
        };
        for (index, keys) in buses.iter().enumerate() {
            params.digest(&format!("region.from{index}"), &keys.header);
        }
    });
    keyer.each(|span| {
        let index = (span.start / chunk) as usize;
        let mut hasher = blake3::Hasher::new();
        for keys in buses {
            hasher.update(&keys.keys.get(index)?.0);
        }
        Some(hasher.finalize().into())
    });
    Some(keyer.finish())
}

/// Writes a deliverable from `runs`: a span to render is mixed from the
/// buses over it alone and goes through the chain as in a whole render; a
/// span to copy is copied from the previous output (`file`), chunk by
/// chunk, each with the stats `old` recorded for it unless the chunk
/// before it was rendered (its measurement reads back into that one). When
/// the output is that file, taken to be patched (`patch`), a span to copy
/// is left where it is: only a chunk's last frames are read, for the next
/// one's measurement, or the whole chunk when it is measured again.
fn splice<W: std::io::Write + std::io::Seek>(
    delivery: &mut Delivery<W>,
    mut mix: Box<dyn Source>,
    runs: &[(std::ops::Range<u64>, bool)],
    old: &ChunkKeys,
    mut file: PreviousFile,
    patch: bool,
    rate: u32,
) -> miette::Result<()> {
    let channels = mix.channels();
    let stats = old.stats.as_deref().unwrap_or_default();
    let warm = WARM_SUB_BLOCKS * sub_block_frames(rate);
    let mut block = vec![0.0f32; PIPELINE_FRAMES * channels];
    let mut position = 0u64;
    let mut after_render = false;
    for (span, render) in runs {
        if *render {
            mix.skip(span.start - position).into_diagnostic()?;
            let mut left = span.end - span.start;
            while left > 0 {
                let want = left.min(PIPELINE_FRAMES as u64) as usize;
                let got = mix.read(&mut block[..want * channels]).into_diagnostic()?;
                if got == 0 {
                    miette::bail!("the mix ended {left} frames early");
                }
                delivery.push(&block[..got * channels])?;
                left -= got as u64;
            }
            position = span.end;
            after_render = true;
            continue;
        }
        let mut start = span.start;
        while start < span.end {
            let index = (start / old.chunk) as usize;
            let end = (start + old.chunk).min(span.end);
            let measured = stats.get(index).filter(|_| !after_render);
            if patch {
                match measured {
                    Some(chunk) => {
                        let raw = file.read(end - (end - start).min(warm as u64)..end)?;
                        let tail = file.decode_tail(&raw, warm);
                        delivery.keep(Kept::Measured {
                            frames: end - start,
                            stats: chunk.clone(),
                            tail: &tail,
                        })?;
                    }
                    None => delivery.keep(Kept::Read(&file.read(start..end)?))?,
                }
                after_render = false;
                start = end;
                continue;
            }
            let raw = file.read(start..end)?;
            match measured {
                Some(chunk) => {
                    let tail = file.decode_tail(&raw, warm);
                    delivery.copy(&raw, Some((chunk.clone(), &tail)))?;
                }
                None => delivery.copy(&raw, None)?,
            }
            after_render = false;
            start = end;
        }
    }
    Ok(())
}

/// The inputs of `target` read from `from` (its buses, then its dialogue
/// gate), found by id among a stage's inputs.
fn inputs_of<'a>(
    ids: impl Iterator<Item = &'a str>,
    inputs: &[InputObject],
) -> miette::Result<Vec<InputObject>> {
    ids.map(|id| {
        inputs
            .iter()
            .find(|input| input.id == id)
            .cloned()
            .ok_or_else(|| miette::miette!("the stage does not read `{id}`"))
    })
    .collect()
}

/// How `target` is normalised to its spec, from its measured mix.
fn plan(target: &TargetStage, measured: &LoudnessReport) -> miette::Result<NormalizationPlan> {
    let Some((spec, loudness)) = normalization(target) else {
        miette::bail!("target `{}` is not normalised", target.name);
    };
    let policy = if target.limiter {
        PeakPolicy::Limit
    } else {
        PeakPolicy::Refuse
    };
    let ceiling = spec.true_peak_dbtp.unwrap_or(0.0);
    NormalizationPlan::new(measured, loudness.lufs, ceiling, policy)
        .into_diagnostic()
        .wrap_err_with(|| format!("normalising target `{}` to {}", target.name, spec.name))
}

/// `target`'s mix: its buses (found among `inputs`) routed to its layout
/// and summed (one bus is read as it is, without a sum), stamped with the
/// first bus's start; for a reel's target, the reel's stretch of them,
/// stamped with the reel's start and where it is in the long play.
fn mix(
    target: &TargetStage,
    unkept: &Arc<Unkept>,
    inputs: &[InputObject],
    rate: u32,
) -> miette::Result<(Box<dyn Source>, Stamp)> {
    let from = inputs_of(target.from.iter().map(|(id, _)| id.as_str()), inputs)?;
    let reel = reel_of(target, inputs)?;
    let mut routed = Vec::with_capacity(from.len());
    let mut stamp = Stamp::default();
    for ((_, bus_route), input) in target.from.iter().zip(&from) {
        let (reader, time_reference) = unkept::open(input, unkept, inputs)?;
        stamp.time_reference = time_reference;
        // A scene's object is placed on the long play's clock, then cut
        // to the reel like the rest.
        let (reader, bus_route): (Box<dyn Source>, &Route) = match bus_route {
            Route::Object(object) => (
                scene::object_source(object, reader, &target.layout, rate, stamp.time_reference)?,
                &Route::Direct,
            ),
            other => (reader, other),
        };
        let source: Box<dyn Source> = match &reel {
            Some(segment) => {
                stamp = Stamp {
                    time_reference: segment.start,
                    first: segment.offset,
                };
                stretch(reader, segment.offset, segment.frames)?
            }
            None => reader,
        };
        routed.push(route(source, bus_route, &target.channels, &input.id)?);
    }
    if routed.len() == 1 {
        if let Some(only) = routed.pop() {
            return Ok((only, stamp));
        }
    }
    let mut sum = audio::Bus::new(target.channels.len()).into_diagnostic()?;
    for source in routed {
        sum.add(source, 0, 0.0).into_diagnostic()?;
    }
    Ok((Box::new(sum), stamp))
}

/// The stretch of the long play that holds `target`'s reel, if it renders
/// one (from the timeline among `inputs`).
fn reel_of(target: &TargetStage, inputs: &[InputObject]) -> miette::Result<Option<Segment>> {
    let Some(reel) = &target.reel else {
        return Ok(None);
    };
    let timeline = inputs_of(std::iter::once(StageId::timeline().as_str()), inputs)?;
    let Some(timeline) = timeline.first() else {
        miette::bail!("target `{}` does not read the timeline", target.name);
    };
    let timeline = Timeline::read(&timeline.path)?;
    timeline
        .reel(reel)
        .map(Some)
        .ok_or_else(|| miette::miette!("the timeline has no reel `{reel}`"))
}

/// Pass 1: the loudness of `target`'s mix, gated on its dialogue where its
/// spec says so and it has a dialogue gate.
fn measure(
    target: &TargetStage,
    unkept: &Arc<Unkept>,
    inputs: &[InputObject],
    rate: u32,
) -> miette::Result<LoudnessReport> {
    let (mut mix, _) = mix(target, unkept, inputs, rate)?;
    match gate_of(target, inputs)? {
        Some(gate) => {
            let mut speech = WavReader::open(&gate.path).into_diagnostic()?;
            Ok(
                loudness::gated(mix.as_mut(), &mut speech, &target.channels, rate)?
                    .for_normalising(),
            )
        }
        None => Ok(loudness::plain(mix.as_mut(), &target.channels, rate)?.for_normalising()),
    }
}

/// The dialogue gate `target`'s loudness is measured on, among `inputs`:
/// its gate, when its spec gates on dialogue and it has one.
fn gate_of(target: &TargetStage, inputs: &[InputObject]) -> miette::Result<Option<InputObject>> {
    let gated =
        normalization(target).is_some_and(|(_, loudness)| loudness.gate == LoudnessGate::Dialogue);
    Ok(match target.dialogue.first() {
        Some(id) if gated => inputs_of(std::iter::once(id.as_str()), inputs)?.pop(),
        _ => None,
    })
}

impl Stage for TargetRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "target"
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn output_path(&self) -> Option<&std::path::Path> {
        Some(&self.spec.output)
    }

    fn params(&self, params: &mut Params<'_>) {
        let target = &self.spec;
        self.setting.params(params);
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
        if target.limiter {
            // 2: a limited render is measured again and its gain corrected.
            params.u64("limiter.version", 2);
        }
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
        if let Some(reel) = &target.reel {
            params.str("reel", reel);
        }
        // 2: the dither follows what is rendered and where it is in the
        // long play, so that a reel's target is that reel of the long play.
        params.u64("dither.version", 2);
        adm::params(target, params);
        params.str(
            "bext.description",
            &target_bext(&self.setting.title, target).description,
        );
        if let Some(level) = &target.matched {
            // What decides the gain taken: how the matched target is
            // measured and normalised (its inputs' bytes are in the key).
            params
                .label("match", &format!("match {}", level.name))
                .str("match", &level.name)
                .str("match.channels", &level.channels.join(" "));
            for (index, (id, route)) in level.from.iter().enumerate() {
                params.str(&format!("match.from{index}"), id);
                route_params(params, &format!("match.from{index}.route"), route);
            }
            if let Some(spec) = &level.spec {
                if let Some(loudness) = &spec.loudness {
                    params
                        .f64("match.spec.loudness", loudness.lufs)
                        .str("match.spec.gate", &format!("{:?}", loudness.gate));
                }
                params.f64(
                    "match.spec.true_peak",
                    spec.true_peak_dbtp.unwrap_or(f64::NAN),
                );
            }
            params
                .bool("match.limiter", level.limiter)
                .u64("match.dialogue_inputs", level.dialogue.len() as u64);
            if let Some(reel) = &level.reel {
                params.str("match.reel", reel);
            }
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        self.render(context, None)
    }

    fn run_carried(&self, context: &mut RunContext<'_>, carry: Carry) -> miette::Result<()> {
        match carry {
            Carry::Loudness(measured, stats) => self.render(context, Some((measured, stats))),
        }
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
