//! Dialogue-gated loudness: the integrated loudness of a mix measured only
//! over the stretches where dialogue is present.
//!
//! Netflix measures print masters "dialogue-gated" (Dolby Dialogue
//! Intelligence finds speech by classification). sndtrk has something
//! better than a classifier: the recipe's own dialogue stems. The mix and the
//! dialogue are fed side by side (same rate, same number of frames, any
//! channel counts), both cut into the BS.1770 gating blocks (400 ms, hop
//! 100 ms). A block counts as **dialogue-active** when the dialogue's own
//! block loudness is
//!
//! 1. above the absolute gate, [`DIALOGUE_ABSOLUTE_GATE_LUFS`] (-70 LUFS), and
//! 2. no more than [`DIALOGUE_RELATIVE_GATE_LU`] (10 LU) below the dialogue's
//!    level, the mean energy of its blocks above the absolute gate,
//!
//! which are exactly the blocks BS.1770-4 keeps when it measures the
//! dialogue stem's own integrated loudness: speech counts, room tone and
//! breaths 10 LU under the speech do not. The mix's dialogue-gated loudness
//! is then the BS.1770-4 integrated loudness (absolute and relative gates) of
//! the mix's blocks at those same positions.
//!
//! Both signals are measured chunk by chunk (`audio::chunk_stats`), as a
//! deliverable is metered when it is written; memory: each chunk's stats,
//! about 200 bytes per 1.6 s of each signal (about 1 MB each for two hours).

use crate::audio::{
    block_energy::{energy_to_loudness, loudness_to_energy, SlidingMean},
    channel_role::ChannelRole,
    chunk_stats::{ChunkSetup, ChunkedMeter},
    dsp_error::DspError,
};

/// The absolute gate on the dialogue's block loudness, LUFS.
pub const DIALOGUE_ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// How far below the dialogue's own level a block may fall and still count, LU.
pub const DIALOGUE_RELATIVE_GATE_LU: f64 = 10.0;
/// The relative gate BS.1770-4 applies to the selected mix blocks, LU.
const MIX_RELATIVE_GATE_LU: f64 = 10.0;

/// A streaming meter of a mix's loudness gated by a dialogue signal. Both
/// are measured chunk by chunk (`audio::chunk_stats`), as a deliverable's
/// encoder and a region rebuild measure them, so a gated measurement made
/// in one pass equals one merged from kept chunks ([`from_sub_blocks`]).
#[derive(Debug)]
pub struct DialogueGatedMeter {
    mix: ChunkedMeter,
    dialogue: ChunkedMeter,
}

/// The result of a [`DialogueGatedMeter`]. Loudness of silence is `-inf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DialogueGatedReport {
    /// The mix's integrated loudness over the dialogue-active blocks, LUFS.
    pub dialogue_gated_lufs: f64,
    /// The dialogue's own integrated loudness, LUFS.
    pub dialogue_lufs: f64,
    /// The mix's ordinary (ungated by dialogue) integrated loudness, LUFS.
    pub programme_lufs: f64,
    /// Dialogue-active blocks.
    pub active_blocks: usize,
    /// All 400 ms blocks measured.
    pub total_blocks: usize,
}

impl DialogueGatedReport {
    /// The share of the programme's blocks that carry dialogue (0 to 1);
    /// Netflix falls back to full-programme loudness below about 15 %.
    pub fn dialogue_fraction(&self) -> f64 {
        if self.total_blocks == 0 {
            0.0
        } else {
            self.active_blocks as f64 / self.total_blocks as f64
        }
    }
}

impl DialogueGatedMeter {
    /// A meter for a mix and a dialogue signal with the given channel roles,
    /// both at `sample_rate`.
    pub fn new(
        mix_roles: &[ChannelRole],
        dialogue_roles: &[ChannelRole],
        sample_rate: u32,
    ) -> Result<Self, DspError> {
        for roles in [mix_roles, dialogue_roles] {
            if roles.is_empty() {
                return Err(DspError::UnsupportedFormat {
                    channels: 0,
                    sample_rate,
                });
            }
        }
        Ok(Self {
            mix: ChunkedMeter::new(ChunkSetup::new(mix_roles, sample_rate, None)?),
            dialogue: ChunkedMeter::new(ChunkSetup::new(dialogue_roles, sample_rate, None)?),
        })
    }

    /// A meter for plain channel counts with ffmpeg's default layouts.
    pub fn for_channels(
        mix_channels: usize,
        dialogue_channels: usize,
        sample_rate: u32,
    ) -> Result<Self, DspError> {
        Self::new(
            &ChannelRole::default_layout(mix_channels)?,
            &ChannelRole::default_layout(dialogue_channels)?,
            sample_rate,
        )
    }

    /// Feeds the same stretch of time of both signals: interleaved blocks
    /// holding the same number of frames.
    pub fn push(&mut self, mix: &[f32], dialogue: &[f32]) -> Result<(), DspError> {
        let mix_channels = self.mix.setup().channels();
        let dialogue_channels = self.dialogue.setup().channels();
        for (block, channels) in [(mix, mix_channels), (dialogue, dialogue_channels)] {
            if !block.len().is_multiple_of(channels) {
                return Err(DspError::PartialFrame {
                    samples: block.len(),
                    channels,
                });
            }
        }
        if mix.len() / mix_channels != dialogue.len() / dialogue_channels {
            return Err(self.mismatch("length"));
        }
        self.mix.push(mix)?;
        self.dialogue.push(dialogue)
    }

    fn mismatch(&self, what: &'static str) -> DspError {
        DspError::DialogueMismatch {
            what,
            dialogue_channels: self.dialogue.setup().channels(),
            dialogue_rate: self.dialogue.setup().rate(),
            mix_channels: self.mix.setup().channels(),
            mix_rate: self.mix.setup().rate(),
        }
    }

    /// The measurement so far.
    pub fn report(&self) -> DialogueGatedReport {
        let energies = |meter: &ChunkedMeter| -> Vec<f64> {
            meter
                .stats()
                .unwrap_or_default()
                .iter()
                .flat_map(|chunk| chunk.energies.iter().copied())
                .collect()
        };
        from_sub_blocks(energies(&self.mix), energies(&self.dialogue))
    }
}

/// The measurement of a mix and its dialogue from their 100 ms sub-block
/// energies, in order, at the same positions (what a [`DialogueGatedMeter`]
/// forms its blocks from; for a programme measured chunk by chunk, see
/// `audio::chunk_stats`).
pub fn from_sub_blocks(
    mix: impl IntoIterator<Item = f64>,
    dialogue: impl IntoIterator<Item = f64>,
) -> DialogueGatedReport {
    let (mut mix_window, mut dialogue_window) = (SlidingMean::<4>::new(), SlidingMean::<4>::new());
    let mut blocks = Vec::new();
    for (m, d) in mix.into_iter().zip(dialogue) {
        if let (Some(m), Some(d)) = (mix_window.push(m), dialogue_window.push(d)) {
            blocks.push((m, d));
        }
    }
    report_of(&blocks)
}

/// The measurement from the (mix, dialogue) energy of every 400 ms block.
fn report_of(blocks: &[(f64, f64)]) -> DialogueGatedReport {
    let dialogue: Vec<f64> = blocks.iter().map(|b| b.1).collect();
    let mix: Vec<f64> = blocks.iter().map(|b| b.0).collect();
    let absolute = loudness_to_energy(DIALOGUE_ABSOLUTE_GATE_LUFS);
    let dialogue_level = mean_above(&dialogue, absolute);
    let relative = dialogue_level
        .map(|e| loudness_to_energy(energy_to_loudness(e) - DIALOGUE_RELATIVE_GATE_LU))
        .unwrap_or(f64::INFINITY);
    let active: Vec<f64> = blocks
        .iter()
        .filter(|(_, d)| *d > absolute && *d > relative)
        .map(|(m, _)| *m)
        .collect();
    DialogueGatedReport {
        dialogue_gated_lufs: integrated(&active),
        dialogue_lufs: integrated(&dialogue),
        programme_lufs: integrated(&mix),
        active_blocks: active.len(),
        total_blocks: blocks.len(),
    }
}

/// The mean of the energies above `gate`, if any.
fn mean_above(energies: &[f64], gate: f64) -> Option<f64> {
    let kept: Vec<f64> = energies.iter().copied().filter(|&e| e > gate).collect();
    (!kept.is_empty()).then(|| kept.iter().sum::<f64>() / kept.len() as f64)
}

/// BS.1770-4 gated integrated loudness of a set of block energies.
fn integrated(energies: &[f64]) -> f64 {
    let absolute = loudness_to_energy(DIALOGUE_ABSOLUTE_GATE_LUFS);
    let Some(mean) = mean_above(energies, absolute) else {
        return f64::NEG_INFINITY;
    };
    let relative = loudness_to_energy(energy_to_loudness(mean) - MIX_RELATIVE_GATE_LU);
    mean_above(energies, absolute.max(relative)).map_or(f64::NEG_INFINITY, energy_to_loudness)
}

#[cfg(test)]
#[path = "dialogue_gate_tests.rs"]
mod tests;
