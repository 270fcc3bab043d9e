//! Measuring a mix, plainly or gated on its dialogue: the one measurement
//! that normalises a deliverable (its pass 1) and that its `measure:`
//! stage makes again of the file delivered.

use miette::IntoDiagnostic;

use crate::audio::{
    channel_role::ChannelRole,
    dialogue_gate::DialogueGatedMeter,
    loudness::{LoudnessMeter, LoudnessReport},
    Source, BLOCK_FRAMES,
};

/// Below this share of dialogue-active blocks, a dialogue-gated spec
/// measures the full programme (Netflix's rule: about 15 %).
pub(crate) const MIN_DIALOGUE_FRACTION: f64 = 0.15;

/// A mix's loudness and, when it was gated on dialogue and there was
/// enough of it, its dialogue-gated loudness.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Loudness {
    pub report: LoudnessReport,
    pub dialogue_gated_lufs: Option<f64>,
}

impl Loudness {
    /// The report a normalisation works from: the dialogue-gated loudness
    /// as the integrated one where there is one.
    pub fn for_normalising(self) -> LoudnessReport {
        let mut report = self.report;
        if let Some(gated) = self.dialogue_gated_lufs {
            report.integrated_lufs = gated;
        }
        report
    }
}

/// The loudness of `mix` (channels `labels`, at `rate`).
pub(crate) fn plain(
    mix: &mut dyn Source,
    labels: &[String],
    rate: u32,
) -> miette::Result<Loudness> {
    let channels = mix.channels();
    let mut meter = LoudnessMeter::for_labels(labels, rate).into_diagnostic()?;
    let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
    loop {
        let frames = mix.read(&mut block).into_diagnostic()?;
        if frames == 0 {
            break;
        }
        meter.push(&block[..frames * channels]).into_diagnostic()?;
    }
    Ok(Loudness {
        report: meter.report(),
        dialogue_gated_lufs: None,
    })
}

/// The loudness of `mix`, and its loudness over the blocks where `speech`
/// (a mono sum of the dialogue, on the same timeline at the same rate) is
/// active. Speech shorter than the mix is silence past its end.
pub(crate) fn gated(
    mix: &mut dyn Source,
    speech: &mut dyn Source,
    labels: &[String],
    rate: u32,
) -> miette::Result<Loudness> {
    let channels = mix.channels();
    let mut meter = LoudnessMeter::for_labels(labels, rate).into_diagnostic()?;
    let mut gated = DialogueGatedMeter::new(
        &ChannelRole::for_layout(labels),
        &[ChannelRole::Center],
        rate,
    )
    .into_diagnostic()?;
    let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
    let mut dialogue = vec![0.0f32; BLOCK_FRAMES];
    loop {
        let frames = mix.read(&mut block).into_diagnostic()?;
        if frames == 0 {
            break;
        }
        let mut got = 0;
        while got < frames {
            let read = speech.read(&mut dialogue[got..frames]).into_diagnostic()?;
            if read == 0 {
                break;
            }
            got += read;
        }
        dialogue[got..frames].fill(0.0);
        gated
            .push(&block[..frames * channels], &dialogue[..frames])
            .into_diagnostic()?;
        meter.push(&block[..frames * channels]).into_diagnostic()?;
    }
    let gated = gated.report();
    let enough = gated.dialogue_fraction() >= MIN_DIALOGUE_FRACTION;
    Ok(Loudness {
        report: meter.report(),
        dialogue_gated_lufs: (enough && gated.dialogue_gated_lufs.is_finite())
            .then_some(gated.dialogue_gated_lufs),
    })
}
