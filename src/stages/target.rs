//! `target:NAME`: a deliverable. Its buses are routed to its layout and
//! summed; a target normalised to a spec is measured first (pass 1:
//! dialogue-gated where the spec says so), then gained, limited where
//! asked, dithered and encoded (pass 2). Its bus's pass may have rendered
//! it already, or measured it and carried the measurement here
//! ([`Carry::Loudness`]).

use miette::{IntoDiagnostic, WrapErr};

use crate::{
    audio::{
        self,
        channel_role::ChannelRole,
        dialogue_gate::DialogueGatedMeter,
        loudness::{LoudnessMeter, LoudnessReport},
        normalize::{NormalizationPlan, Normalizer, PeakPolicy},
        Source, WavReader, BLOCK_FRAMES,
    },
    engine::key::Params,
    engine::stage::{Carry, InputObject, RunContext, Stage},
    lower::TargetStage,
    model::LoudnessGate,
    stages::delivery::{deliver, Delivery},
    stages::keys::{format_params, recipe_name, route_params, Setting},
    stages::mix::route,
    stages::output::{normalization, target_output},
};

/// A `target:NAME` stage.
pub(super) struct TargetRender {
    spec: TargetStage,
    setting: Setting,
    inputs: Vec<String>,
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
    pub fn new(spec: &TargetStage, setting: Setting) -> TargetRender {
        let mut inputs: Vec<String> = spec.from.iter().map(|(id, _)| id.to_string()).collect();
        inputs.extend(spec.dialogue.iter().map(|id| id.to_string()));
        TargetRender {
            spec: spec.clone(),
            setting,
            inputs,
        }
    }

    /// Renders the target; `measured` is its mix's measurement when its
    /// bus's pass made it (see [`crate::stages::follow`]), else pass 1 makes it.
    fn render(
        &self,
        context: &mut RunContext<'_>,
        measured: Option<LoudnessReport>,
    ) -> miette::Result<()> {
        let target = &self.spec;
        let inputs = context.inputs().to_vec();
        let (from, dialogue) = inputs.split_at(target.from.len());
        let rate = self.setting.clock.sample_rate;
        // Pass 1: measure the mix (dialogue-gated where the spec says so and
        // the target has dialogue).
        let plan = match normalization(target) {
            Some((spec, loudness)) => {
                let measured = match measured {
                    Some(measured) => measured,
                    None => self.measure_mix(from, dialogue, loudness.gate)?,
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
        let (mix, time_reference) = self.mix(from)?;
        let (spec, quantizer) = target_output(target, rate, time_reference)?;
        let channels = target.channels.len();
        let normalizer = plan
            .as_ref()
            .map(|plan| Normalizer::new(plan, channels, rate));
        let frames = mix.frames();
        let delivery = Delivery::new(
            context.output(),
            spec,
            &target.id,
            rate,
            channels,
            frames,
            normalizer,
            quantizer,
        )?;
        deliver(delivery, mix)
    }

    /// The target's mix: its buses routed to its layout and summed (one
    /// bus is read as it is, without a sum), with the first bus's start.
    fn mix(&self, inputs: &[InputObject]) -> miette::Result<(Box<dyn Source>, u64)> {
        let target = &self.spec;
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

    /// Pass 1: the loudness of the mix of `from`, gated on the sum of
    /// `dialogue` where `gate` says so and there is dialogue.
    fn measure_mix(
        &self,
        from: &[InputObject],
        dialogue: &[InputObject],
        gate: LoudnessGate,
    ) -> miette::Result<LoudnessReport> {
        let target = &self.spec;
        let rate = self.setting.clock.sample_rate;
        let (mut mix, _) = self.mix(from)?;
        let channels = target.channels.len();
        let mut meter = LoudnessMeter::for_labels(&target.channels, rate).into_diagnostic()?;
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        if gate == LoudnessGate::Dialogue && !dialogue.is_empty() {
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
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        self.render(context, None)
    }

    fn run_carried(&self, context: &mut RunContext<'_>, carry: Carry) -> miette::Result<()> {
        match carry {
            Carry::Loudness(measured) => self.render(context, Some(measured)),
        }
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
