//! A deterministic look-ahead true-peak limiter.
//!
//! Only used when a target explicitly allows it (see
//! [`crate::audio::normalize`]); by default sndtrk refuses to normalise into
//! the ceiling rather than limit silently.
//!
//! The design is the classic min-hold plus box-filter limiter:
//!
//! 1. a [`TruePeakDetector`] gives each frame's 4x-oversampled peak `p(t)`
//!    and the gain it needs, `g(t) = min(1, threshold / p(t))`;
//! 2. `h(t)` is the minimum of `g` over the next `N` frames (the look-ahead),
//!    recovering towards 1 no faster than the release time allows;
//! 3. the applied gain is the mean of `h` over the last `N` frames.
//!
//! Every one of those `N` values of `h` already includes the peak at `t`, so
//! the applied gain at a peak never exceeds what the peak needs, while the
//! gain moves in straight ramps over the look-ahead instead of stepping.
//! The output is delayed internally by `N - 1` frames plus the detector's
//! latency and that delay is compensated: the output has exactly as many
//! frames as the input and is time-aligned with it. Everything is
//! arithmetic on the input in order, so a render is the same bit for bit
//! whatever the block sizes.

use std::collections::VecDeque;

use crate::audio::true_peak::TruePeakDetector;

/// Look-ahead (and attack) time in seconds.
pub const LOOKAHEAD_S: f64 = 0.005;
/// Release time constant in seconds.
pub const RELEASE_S: f64 = 0.1;
/// How far below the ceiling the limiter aims, in dB, to cover the
/// difference between its detector and a BS.1770 true-peak meter.
pub const MARGIN_DB: f64 = 0.1;

/// A streaming look-ahead true-peak limiter over interleaved `f32` frames.
#[derive(Debug, Clone)]
pub struct PeakLimiter {
    channels: usize,
    threshold: f64,
    lookahead: usize,
    release: f64,
    detector: TruePeakDetector,
    /// Input samples not yet written out.
    pending: VecDeque<f32>,
    /// Monotone deque of (frame, needed gain) for the sliding minimum.
    minima: VecDeque<(u64, f64)>,
    next_needed: u64,
    held: f64,
    /// The last `lookahead` held gains, for the box filter.
    recent: VecDeque<f64>,
    frames_in: u64,
    frames_out: u64,
    zero_frame: Vec<f32>,
    /// The smallest gain applied to a frame of the programme so far.
    least_gain: f64,
}

impl PeakLimiter {
    /// A limiter keeping the true peak of `channels`-channel audio at
    /// `sample_rate` under `ceiling_dbtp` (less [`MARGIN_DB`]).
    pub fn new(channels: usize, sample_rate: u32, ceiling_dbtp: f64) -> Self {
        let rate = f64::from(sample_rate);
        Self {
            channels,
            threshold: 10f64.powf((ceiling_dbtp - MARGIN_DB) / 20.0),
            lookahead: ((LOOKAHEAD_S * rate).round() as usize).max(1),
            release: (-1.0 / (RELEASE_S * rate)).exp(),
            detector: TruePeakDetector::new(channels),
            pending: VecDeque::new(),
            minima: VecDeque::new(),
            next_needed: 0,
            held: 1.0,
            recent: VecDeque::new(),
            frames_in: 0,
            frames_out: 0,
            zero_frame: vec![0.0; channels],
            least_gain: 1.0,
        }
    }

    /// The most gain reduction applied to a frame of the programme so far,
    /// in dB (0 when the limiter has not acted).
    pub fn max_reduction_db(&self) -> f64 {
        // `+ 0.0` makes a reduction of nothing 0, not -0.
        -20.0 * self.least_gain.log10() + 0.0
    }

    /// Limits a block of whole interleaved frames, appending to `output`
    /// every frame that is ready (the output runs behind the input by the
    /// internal delay until [`Self::finish`]).
    pub fn process(&mut self, block: &[f32], output: &mut Vec<f32>) {
        for frame in block.chunks_exact(self.channels) {
            self.frames_in += 1;
            self.feed(frame, output);
        }
    }

    /// Flushes the internal delay: afterwards `output` has received exactly
    /// as many frames as were processed.
    pub fn finish(&mut self, output: &mut Vec<f32>) {
        let zero = std::mem::take(&mut self.zero_frame);
        while self.frames_out < self.frames_in {
            self.feed(&zero, output);
        }
        self.zero_frame = zero;
    }

    fn feed(&mut self, frame: &[f32], output: &mut Vec<f32>) {
        self.pending.extend(frame);
        let Some(peak) = self.detector.push(frame) else {
            return;
        };
        let needed = if peak > self.threshold {
            self.threshold / peak
        } else {
            1.0
        };
        let index = self.next_needed;
        self.next_needed += 1;
        while self.minima.back().is_some_and(|&(_, g)| g >= needed) {
            self.minima.pop_back();
        }
        self.minima.push_back((index, needed));
        // h(t) for t = index + 1 - N, the minimum over frames t ..= index.
        // t starts N - 1 frames before the programme: those windows reach
        // into it, and the box filter below needs them to see early peaks.
        let t = index as i64 + 1 - self.lookahead as i64;
        while self.minima.front().is_some_and(|&(i, _)| (i as i64) < t) {
            self.minima.pop_front();
        }
        let h = self.minima.front().map_or(1.0, |&(_, g)| g);
        self.held = h.min(1.0 - (1.0 - self.held) * self.release);
        self.recent.push_back(self.held);
        if self.recent.len() > self.lookahead {
            self.recent.pop_front();
        }
        if t < 0 {
            return;
        }
        // `recent` is full from here on (N values for t ≥ 0).
        let gain = self.recent.iter().sum::<f64>() / self.lookahead as f64;
        // Frame t is at the front of `pending`.
        let keep = self.frames_out < self.frames_in;
        for _ in 0..self.channels {
            let s = self.pending.pop_front().unwrap_or(0.0);
            if keep {
                output.push((f64::from(s) * gain) as f32);
            }
        }
        if keep {
            self.frames_out += 1;
            self.least_gain = self.least_gain.min(gain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(input: &[f32], channels: usize, ceiling_dbtp: f64) -> Vec<f32> {
        let mut l = PeakLimiter::new(channels, 48_000, ceiling_dbtp);
        let mut out = Vec::new();
        l.process(input, &mut out);
        l.finish(&mut out);
        out
    }

    #[test]
    fn a_peak_in_the_first_frames_is_caught() {
        // Full scale from the very first frame: the look-ahead has nothing
        // before it, yet the gain must already be down.
        let mut input = vec![0.0f32; 2 * 4800];
        for k in 0..40 {
            let v = if k % 2 == 0 { 1.0 } else { -1.0 };
            input[2 * k] = v;
            input[2 * k + 1] = v;
        }
        let out = limit(&input, 2, -6.0);
        assert_eq!(out.len(), input.len());
        let ceiling = 10f64.powf(-6.0 / 20.0);
        let peak = out.iter().fold(0.0f64, |m, s| m.max(f64::from(s.abs())));
        assert!(peak <= ceiling, "{peak} > {ceiling}");
        // Quiet material stays untouched, sample for sample.
        assert!(out[2 * 2400..].iter().all(|&s| s == 0.0));
    }

    #[test]
    fn it_says_how_much_it_took_off() {
        let mut quiet = PeakLimiter::new(1, 48_000, -1.0);
        let mut out = Vec::new();
        quiet.process(&[0.1; 4800], &mut out);
        quiet.finish(&mut out);
        assert_eq!(quiet.max_reduction_db().to_bits(), 0.0f64.to_bits());
        // A full-scale square wave held under -6 dBTP (less the margin)
        // loses at least 6 dB.
        let mut loud = PeakLimiter::new(1, 48_000, -6.0);
        let square: Vec<f32> = (0..4800)
            .map(|n| if n % 20 < 10 { 1.0 } else { -1.0 })
            .collect();
        loud.process(&square, &mut out);
        loud.finish(&mut out);
        let taken = loud.max_reduction_db();
        assert!((6.0..9.0).contains(&taken), "{taken}");
    }

    #[test]
    fn quiet_material_passes_unchanged_and_aligned() {
        let input: Vec<f32> = (0..3000)
            .map(|n| ((n % 50) as f32 - 25.0) / 100.0)
            .collect();
        assert_eq!(limit(&input, 1, -1.0), input);
    }
}
