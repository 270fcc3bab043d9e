//! Measuring a mix, plainly or gated on its dialogue: the one measurement
//! that normalises a deliverable (its pass 1) and that its `measure:`
//! stage makes again of the file delivered.

use miette::IntoDiagnostic;

use crate::audio::{
    channel_role::ChannelRole,
    chunk_stats::{merge, ChunkStats},
    dialogue_gate::{self, DialogueGatedMeter, DialogueGatedReport},
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
    let meter = MixMeter::plain(labels, rate)?;
    measure(mix, meter)
}

/// The loudness of `parts` played one after the other as one programme
/// (an album's tracks): one meter, so gating blocks run across the joins
/// as they would over the concatenated files.
pub(crate) fn plain_sequence(
    parts: &mut [&mut dyn Source],
    labels: &[String],
    rate: u32,
) -> miette::Result<Loudness> {
    let mut meter = LoudnessMeter::for_labels(labels, rate).into_diagnostic()?;
    for part in parts.iter_mut() {
        let channels = part.channels();
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        loop {
            let frames = part.read(&mut block).into_diagnostic()?;
            if frames == 0 {
                break;
            }
            meter.push(&block[..frames * channels]).into_diagnostic()?;
        }
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
    let meter = MixMeter::gated(labels, rate, speech)?;
    measure(mix, meter)
}

/// The whole of `mix`, through `meter`.
fn measure(mix: &mut dyn Source, mut meter: MixMeter<'_>) -> miette::Result<Loudness> {
    let mut block = vec![0.0f32; BLOCK_FRAMES * mix.channels()];
    loop {
        let frames = mix.read(&mut block).into_diagnostic()?;
        if frames == 0 {
            break;
        }
        meter.push(&block[..frames * mix.channels()])?;
    }
    Ok(meter.finish())
}

/// A mix measured block by block as it goes by, as [`plain`] and [`gated`]
/// measure a whole source (they use it): for a render that measures what
/// it writes. A gated meter reads its speech alongside, frame for frame.
pub(crate) struct MixMeter<'s> {
    meter: LoudnessMeter,
    channels: usize,
    gate: Option<Gate<'s>>,
}

/// The dialogue side of a gated [`MixMeter`].
struct Gate<'s> {
    meter: DialogueGatedMeter,
    speech: &'s mut dyn Source,
    dialogue: Vec<f32>,
}

impl<'s> MixMeter<'s> {
    /// A meter of a mix of channels `labels` at `rate`.
    pub fn plain(labels: &[String], rate: u32) -> miette::Result<Self> {
        let meter = LoudnessMeter::for_labels(labels, rate).into_diagnostic()?;
        Ok(Self {
            channels: meter.channels().max(1),
            meter,
            gate: None,
        })
    }

    /// A meter of a mix of channels `labels` at `rate`, gated on `speech`
    /// (a mono sum of the dialogue from the mix's first frame).
    pub fn gated(labels: &[String], rate: u32, speech: &'s mut dyn Source) -> miette::Result<Self> {
        let meter = DialogueGatedMeter::new(
            &ChannelRole::for_layout(labels),
            &[ChannelRole::Center],
            rate,
        )
        .into_diagnostic()?;
        Ok(Self {
            gate: Some(Gate {
                meter,
                speech,
                dialogue: vec![0.0f32; BLOCK_FRAMES],
            }),
            ..Self::plain(labels, rate)?
        })
    }

    /// The mix's next frames (whole frames of its channels).
    pub fn push(&mut self, block: &[f32]) -> miette::Result<()> {
        for chunk in block.chunks(BLOCK_FRAMES * self.channels) {
            let frames = chunk.len() / self.channels;
            if let Some(gate) = &mut self.gate {
                let dialogue = &mut gate.dialogue[..frames];
                let mut got = 0;
                while got < frames {
                    let read = gate.speech.read(&mut dialogue[got..]).into_diagnostic()?;
                    if read == 0 {
                        break;
                    }
                    got += read;
                }
                dialogue[got..].fill(0.0);
                gate.meter.push(chunk, dialogue).into_diagnostic()?;
            }
            self.meter.push(chunk).into_diagnostic()?;
        }
        Ok(())
    }

    /// The loudness of what was pushed.
    pub fn finish(self) -> Loudness {
        Loudness {
            report: self.meter.report(),
            dialogue_gated_lufs: self
                .gate
                .and_then(|gate| enough_dialogue(gate.meter.report())),
        }
    }
}

/// The dialogue-gated loudness a gated measurement gives, unless there was
/// too little dialogue or none was loud enough.
fn enough_dialogue(gated: DialogueGatedReport) -> Option<f64> {
    let enough = gated.dialogue_fraction() >= MIN_DIALOGUE_FRACTION;
    (enough && gated.dialogue_gated_lufs.is_finite()).then_some(gated.dialogue_gated_lufs)
}

/// A mix's loudness merged from its chunks' stats, at `rate`, gated where
/// given on its dialogue's (the same chunks of its dialogue gate, measured
/// as one centre channel): what [`plain`] measures, and what [`gated`]
/// measures with the dialogue's filters restarted at each chunk as the
/// mix's are (`audio::chunk_stats`).
pub(crate) fn from_chunks(
    mix: &[ChunkStats],
    dialogue: Option<&[ChunkStats]>,
    rate: u32,
) -> Loudness {
    let sub_blocks = |stats: &[ChunkStats]| -> Vec<f64> {
        stats
            .iter()
            .flat_map(|chunk| chunk.energies.iter().copied())
            .collect()
    };
    Loudness {
        report: merge(mix, rate),
        dialogue_gated_lufs: dialogue.and_then(|dialogue| {
            enough_dialogue(dialogue_gate::from_sub_blocks(
                sub_blocks(mix),
                sub_blocks(dialogue),
            ))
        }),
    }
}
