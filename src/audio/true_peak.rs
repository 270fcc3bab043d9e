//! A streaming 4x-oversampling peak detector, the detector of the limiter.
//!
//! BS.1770-4 Annex 2 estimates the true (inter-sample) peak by upsampling 4x
//! and taking the largest absolute value. The loudness meter uses
//! libebur128's implementation; the limiter needs the peak frame by frame,
//! so this is a small polyphase interpolator of its own: for each frame it
//! reports the largest of the sample itself and the three interpolated
//! points between it and the next sample, from a Hann-windowed sinc of
//! 2·[`HALF_TAPS`] taps per phase, normalised to unity gain at DC.

/// Input samples each side of an interpolated point.
pub const HALF_TAPS: usize = 8;
const TAPS: usize = 2 * HALF_TAPS;

/// A per-frame 4x true-peak detector over interleaved frames.
#[derive(Debug, Clone)]
pub struct TruePeakDetector {
    channels: usize,
    /// Three phases (¼, ½, ¾ of a sample) of `TAPS` coefficients each.
    phases: [[f64; TAPS]; 3],
    /// The last `TAPS` frames, oldest first, channel-major.
    history: Vec<f64>,
    frames: u64,
}

impl TruePeakDetector {
    /// A detector for frames of `channels` samples.
    pub fn new(channels: usize) -> Self {
        let mut phases = [[0.0; TAPS]; 3];
        for (p, phase) in phases.iter_mut().enumerate() {
            let frac = (p + 1) as f64 / 4.0;
            for (j, c) in phase.iter_mut().enumerate() {
                let d = (HALF_TAPS - 1) as f64 + frac - j as f64;
                let sinc = (std::f64::consts::PI * d).sin() / (std::f64::consts::PI * d);
                let window = 0.5 * (1.0 + (std::f64::consts::PI * d / HALF_TAPS as f64).cos());
                *c = sinc * window;
            }
            let sum: f64 = phase.iter().sum();
            phase.iter_mut().for_each(|c| *c /= sum);
        }
        Self {
            channels,
            phases,
            history: vec![0.0; channels * TAPS],
            frames: 0,
        }
    }

    /// Frames of delay between a frame going in and its peak coming out.
    pub fn latency(&self) -> usize {
        HALF_TAPS
    }

    /// Takes one frame (`channels` samples). Once [`Self::latency`] frames
    /// have passed, returns the peak over all channels of frame
    /// `n - latency` and the interpolated points that follow it.
    pub fn push(&mut self, frame: &[f32]) -> Option<f64> {
        for (c, &s) in frame.iter().enumerate().take(self.channels) {
            let h = &mut self.history[c * TAPS..(c + 1) * TAPS];
            h.copy_within(1.., 0);
            h[TAPS - 1] = f64::from(s);
        }
        self.frames += 1;
        if self.frames <= HALF_TAPS as u64 {
            return None;
        }
        let mut peak = 0.0f64;
        for c in 0..self.channels {
            let h = &self.history[c * TAPS..(c + 1) * TAPS];
            peak = peak.max(h[HALF_TAPS - 1].abs());
            for phase in &self.phases {
                let v: f64 = phase.iter().zip(h).map(|(a, b)| a * b).sum();
                peak = peak.max(v.abs());
            }
        }
        Some(peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    fn peak_of(signal: &[f32]) -> f64 {
        let mut d = TruePeakDetector::new(1);
        let mut peak = 0.0f64;
        for &s in signal.iter().chain(&[0.0; HALF_TAPS]) {
            if let Some(p) = d.push(&[s]) {
                peak = peak.max(p);
            }
        }
        peak
    }

    #[test]
    fn finds_the_peak_between_samples() {
        // fs/4 at 45°: every sample is ±0.7071·A, the waveform reaches A.
        let s: Vec<f32> = (0..4800)
            .map(|n| (0.5 * (TAU * n as f64 / 4.0 + TAU / 8.0).sin()) as f32)
            .collect();
        let sample_peak = s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((f64::from(sample_peak) - 0.5 * 0.5f64.sqrt()).abs() < 1e-6);
        let peak = peak_of(&s);
        assert!((peak - 0.5).abs() < 0.01, "{peak}");
    }

    #[test]
    fn low_frequencies_read_their_amplitude() {
        let s: Vec<f32> = (0..48_000)
            .map(|n| (0.8 * (TAU * 997.0 * n as f64 / 48_000.0).sin()) as f32)
            .collect();
        assert!((peak_of(&s) - 0.8).abs() < 1e-3);
    }

    #[test]
    fn reports_each_frame_after_its_latency() {
        let mut d = TruePeakDetector::new(2);
        let got: Vec<Option<f64>> = (0..HALF_TAPS + 2)
            .map(|n| d.push(if n == 0 { &[0.25, -0.5] } else { &[0.0, 0.0] }))
            .collect();
        assert!(got[..HALF_TAPS].iter().all(Option::is_none));
        // Frame 0's own sample is the largest value around it.
        assert_eq!(got[HALF_TAPS], Some(0.5));
    }
}
