//! Normalisation of a programme to a target integrated loudness under a
//! true-peak ceiling.
//!
//! Normalisation is one gain for the whole programme (album-relative levels
//! and mix dynamics stay as mixed). When that gain would lift the measured
//! true peak over the ceiling, sndtrk refuses with [`DspError::TruePeakCeiling`]
//! unless the deliverable's spec explicitly allows a limiter
//! ([`PeakPolicy::Limit`]); then the deterministic [`PeakLimiter`] holds the
//! peaks under the ceiling. A limiter lowers the loudness a little, by
//! design: re-measure the output if the spec's tolerance is tight.

use crate::audio::{dsp_error::DspError, loudness::LoudnessReport, peak_limiter::PeakLimiter};

/// What to do when the normalising gain would break the true-peak ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeakPolicy {
    /// Fail with a clear error (the default: no silent limiting).
    Refuse,
    /// Apply the look-ahead true-peak limiter.
    Limit,
}

/// The gain (and, if allowed and needed, the limiter) that normalises a programme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalizationPlan {
    /// The gain to apply, in dB.
    pub gain_db: f64,
    /// The true peak after the gain, before any limiting, in dBTP.
    pub predicted_true_peak_dbtp: f64,
    /// The ceiling the limiter enforces, when limiting is needed.
    pub limit_dbtp: Option<f64>,
}

impl NormalizationPlan {
    /// Plans the normalisation of a measured programme to `target_lufs`
    /// with the true peak at most `ceiling_dbtp`.
    pub fn new(
        measured: &LoudnessReport,
        target_lufs: f64,
        ceiling_dbtp: f64,
        policy: PeakPolicy,
    ) -> Result<Self, DspError> {
        if !(-70.0..=0.0).contains(&target_lufs) {
            return Err(DspError::OutOfRange {
                what: "the target loudness",
                value: target_lufs,
                help: "give a target between -70 and 0 LUFS",
            });
        }
        if !(-60.0..=0.0).contains(&ceiling_dbtp) {
            return Err(DspError::OutOfRange {
                what: "the true-peak ceiling",
                value: ceiling_dbtp,
                help: "give a ceiling between -60 and 0 dBTP",
            });
        }
        if !measured.integrated_lufs.is_finite() {
            return Err(DspError::SilentProgramme);
        }
        let gain_db = target_lufs - measured.integrated_lufs;
        let predicted_true_peak_dbtp = measured.true_peak_dbtp + gain_db;
        let over = predicted_true_peak_dbtp > ceiling_dbtp;
        let limit_dbtp = match (over, policy) {
            (false, _) => None,
            (true, PeakPolicy::Limit) => Some(ceiling_dbtp),
            (true, PeakPolicy::Refuse) => {
                return Err(DspError::TruePeakCeiling {
                    target_lufs,
                    gain_db,
                    predicted_peak_dbtp: predicted_true_peak_dbtp,
                    ceiling_dbtp,
                })
            }
        };
        Ok(Self {
            gain_db,
            predicted_true_peak_dbtp,
            limit_dbtp,
        })
    }

    /// The gain as a linear factor.
    pub fn gain(&self) -> f64 {
        10f64.powf(self.gain_db / 20.0)
    }
}

/// Applies a [`NormalizationPlan`] to a stream of interleaved blocks.
#[derive(Debug, Clone)]
pub struct Normalizer {
    gain: f64,
    limiter: Option<PeakLimiter>,
}

impl Normalizer {
    /// A normaliser for `channels`-channel audio at `sample_rate`.
    pub fn new(plan: &NormalizationPlan, channels: usize, sample_rate: u32) -> Self {
        Self {
            gain: plan.gain(),
            limiter: plan
                .limit_dbtp
                .map(|ceiling| PeakLimiter::new(channels, sample_rate, ceiling)),
        }
    }

    /// Processes a block, appending the frames that are ready to `output`
    /// (with a limiter the output lags until [`Self::finish`]).
    pub fn process(&mut self, block: &[f32], output: &mut Vec<f32>) {
        let gain = self.gain;
        match &mut self.limiter {
            None => output.extend(block.iter().map(|&s| (f64::from(s) * gain) as f32)),
            Some(limiter) => {
                let scaled: Vec<f32> = block
                    .iter()
                    .map(|&s| (f64::from(s) * gain) as f32)
                    .collect();
                limiter.process(&scaled, output);
            }
        }
    }

    /// Flushes what the limiter holds; the total output then has as many
    /// frames as the input.
    pub fn finish(&mut self, output: &mut Vec<f32>) {
        if let Some(limiter) = &mut self.limiter {
            limiter.finish(output);
        }
    }
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
