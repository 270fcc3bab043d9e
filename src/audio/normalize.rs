//! Normalisation of a programme to a target integrated loudness under a
//! true-peak ceiling.
//!
//! Normalisation is one gain for the whole programme (album-relative levels
//! and mix dynamics stay as mixed). When that gain would lift the measured
//! true peak over the ceiling, sndtrk refuses with [`DspError::TruePeakCeiling`]
//! unless the deliverable's spec explicitly allows a limiter
//! ([`PeakPolicy::Limit`]); then the deterministic [`PeakLimiter`] holds the
//! peaks under the ceiling. A limiter lowers the loudness, so a limited
//! render is measured again and its gain corrected
//! ([`NormalizationPlan::limit`]) until it lands within
//! [`LIMITED_TOLERANCE_LU`] of the target, in at most [`LIMITED_PASSES`]
//! renders.

use std::collections::VecDeque;

use crate::audio::{
    dsp_error::DspError, loudness::LoudnessReport, peak_limiter::PeakLimiter, AudioError, Source,
    BLOCK_FRAMES,
};

/// How close to its target loudness a limited render must measure, in LU.
pub const LIMITED_TOLERANCE_LU: f64 = 0.1;

/// How many limited renders a normalisation may make to land on its target.
pub const LIMITED_PASSES: usize = 3;

/// Below this much loudness per dB of gain (measured between two passes),
/// raising the gain cannot make up the shortfall: the limiter takes almost
/// all of it back.
const LEAST_SLOPE: f64 = 0.1;

/// What to do when the normalising gain would break the true-peak ceiling.
/// The step a normalisation's gain is rounded to, in dB: the programme
/// lands within 0.025 LU of its spec's loudness, and a small edit (one cue
/// of a reel moved by a decibel or two) usually leaves the gain, and so
/// every unchanged stretch of the deliverable, as it was (a region rebuild
/// then re-renders the edit alone, see `crate::stages::region`).
pub const GAIN_STEP_DB: f64 = 0.05;

/// `gain_db` rounded to [`GAIN_STEP_DB`]; rounded down instead when
/// rounding up would lift a true peak of `true_peak_dbtp` over
/// `ceiling_dbtp` that the exact gain keeps under it.
pub fn quantized_gain(gain_db: f64, true_peak_dbtp: f64, ceiling_dbtp: f64) -> f64 {
    let steps = gain_db / GAIN_STEP_DB;
    let rounded = steps.round() * GAIN_STEP_DB;
    if true_peak_dbtp + rounded > ceiling_dbtp && true_peak_dbtp + gain_db <= ceiling_dbtp {
        steps.floor() * GAIN_STEP_DB
    } else {
        rounded
    }
}

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
        let gain_db = quantized_gain(
            target_lufs - measured.integrated_lufs,
            measured.true_peak_dbtp,
            ceiling_dbtp,
        );
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

    /// Lands a limited normalisation on `target_lufs`: `render` renders
    /// the programme with a plan (its gain, then the limiter) and measures
    /// the result as the spec measures it; pass `n` (from 1) is asked for
    /// after pass `n - 1` missed. The first pass has this plan's gain; when
    /// the result measures more than [`LIMITED_TOLERANCE_LU`] off the
    /// target, the gain is corrected by the shortfall (divided by how much
    /// loudness a dB of gain bought between the last two passes, which the
    /// limiter makes less than one) and the programme rendered again, at
    /// most [`LIMITED_PASSES`] times. A result must also have its true peak
    /// at or under the ceiling. [`DspError::LimiterMissed`] when no pass
    /// lands, or when more gain can no longer buy loudness.
    ///
    /// A plan without a limiter is rendered once, as it is.
    pub fn limit<E: From<DspError>>(
        &self,
        target_lufs: f64,
        mut render: impl FnMut(&NormalizationPlan, usize) -> Result<LimitedRender, E>,
    ) -> Result<Limited, E> {
        let Some(ceiling) = self.limit_dbtp else {
            let measured = render(self, 1)?;
            return Ok(Limited {
                plan: *self,
                measured,
                passes: 1,
            });
        };
        let mut plan = *self;
        let mut previous: Option<(f64, f64)> = None;
        let mut passes = 0;
        loop {
            passes += 1;
            let measured = render(&plan, passes)?;
            if !measured.integrated_lufs.is_finite() {
                return Err(DspError::SilentProgramme.into());
            }
            let shortfall = target_lufs - measured.integrated_lufs;
            let under = measured.true_peak_dbtp <= ceiling;
            if under && shortfall.abs() <= LIMITED_TOLERANCE_LU {
                return Ok(Limited {
                    plan,
                    measured,
                    passes,
                });
            }
            // Loudness per dB of gain: 1 without limiting, less with it.
            let slope = match previous {
                Some((gain, lufs)) if plan.gain_db != gain => {
                    (measured.integrated_lufs - lufs) / (plan.gain_db - gain)
                }
                _ => 1.0,
            };
            // A slope that is not a number (a measurement that is not) is
            // no reason to go on either.
            let buys = slope >= LEAST_SLOPE;
            if !under || passes >= LIMITED_PASSES || !buys {
                return Err(DspError::LimiterMissed {
                    target_lufs,
                    measured_lufs: measured.integrated_lufs,
                    true_peak_dbtp: measured.true_peak_dbtp,
                    ceiling_dbtp: ceiling,
                    gain_db: plan.gain_db,
                    passes,
                    max_reduction_db: measured.max_reduction_db,
                }
                .into());
            }
            previous = Some((plan.gain_db, measured.integrated_lufs));
            let step = shortfall / slope.min(1.0);
            plan.gain_db += step;
            plan.predicted_true_peak_dbtp += step;
        }
    }
}

/// What one limited render measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitedRender {
    /// Its integrated loudness, as the spec measures it (over the
    /// dialogue where the spec gates on dialogue).
    pub integrated_lufs: f64,
    /// Its true peak, in dBTP.
    pub true_peak_dbtp: f64,
    /// The most gain the limiter took off, in dB.
    pub max_reduction_db: f64,
}

/// A limited normalisation that landed ([`NormalizationPlan::limit`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limited {
    /// The plan of the render that landed (its gain corrected).
    pub plan: NormalizationPlan,
    /// What that render measured.
    pub measured: LimitedRender,
    /// How many limited renders it took, that one included.
    pub passes: usize,
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

    /// The most gain reduction the limiter applied so far, in dB; `None`
    /// without a limiter.
    pub fn max_reduction_db(&self) -> Option<f64> {
        self.limiter.as_ref().map(PeakLimiter::max_reduction_db)
    }
}

/// A source normalised as it is read: the gain, then the limiter, of a
/// [`Normalizer`]. It has as many frames as the source, time-aligned.
pub struct Normalized<S: Source> {
    source: S,
    normalizer: Normalizer,
    input: Vec<f32>,
    processed: Vec<f32>,
    ready: VecDeque<f32>,
    ended: bool,
}

impl<S: Source> Normalized<S> {
    /// `source`, through `normalizer`.
    pub fn new(source: S, normalizer: Normalizer) -> Self {
        let channels = source.channels();
        Self {
            source,
            normalizer,
            input: vec![0.0; BLOCK_FRAMES * channels],
            processed: Vec::new(),
            ready: VecDeque::new(),
            ended: false,
        }
    }

    /// The normaliser (to ask its limiter what it did).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }
}

impl<S: Source> Source for Normalized<S> {
    fn channels(&self) -> usize {
        self.source.channels()
    }

    fn frames(&self) -> u64 {
        self.source.frames()
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.channels().max(1);
        let want = out.len() / channels * channels;
        while self.ready.len() < want && !self.ended {
            self.processed.clear();
            let frames = self.source.read(&mut self.input)?;
            if frames == 0 {
                self.normalizer.finish(&mut self.processed);
                self.ended = true;
            } else {
                self.normalizer
                    .process(&self.input[..frames * channels], &mut self.processed);
            }
            self.ready.extend(&self.processed);
        }
        let take = want.min(self.ready.len()) / channels * channels;
        for (slot, sample) in out.iter_mut().zip(self.ready.drain(..take)) {
            *slot = sample;
        }
        Ok(take / channels)
    }
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
