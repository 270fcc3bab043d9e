//! True-peak estimation by oversampling (BS.1770-4 Annex 2).
//!
//! A sampled signal can peak between its samples. BS.1770-4 estimates the
//! true peak by upsampling 4x (for rates below 96 kHz; 2x below 192 kHz) and
//! taking the largest absolute value. Its annex sketches a 48-tap filter
//! (12 taps per phase), which libebur128 implements; such a short filter
//! droops near Nyquist and reads full-band material (pink noise, cymbals)
//! 0.2–0.5 dB lower than ffmpeg's `ebur128` filter, which upsamples to
//! 192 kHz with swresample's 32-tap Kaiser-windowed sinc. sndtrk uses a
//! filter like ffmpeg's: 2·[`HALF_TAPS`] = 32 taps per phase, a sinc with its
//! cutoff at 0.97 of Nyquist, a Kaiser window (β = 9), each phase normalised
//! to unity gain at DC.
//!
//! Two front ends share the filter:
//!
//! * [`TruePeakMeter`], for measurement: block-based, and it skips stretches
//!   that cannot beat the peak found so far (an interpolated value is at most
//!   the filter's L1 norm times the largest sample around it), so only the
//!   loud passages pay for the interpolation;
//! * [`TruePeakDetector`], for the limiter: one peak value per frame.

/// Input samples each side of an interpolated point.
pub const HALF_TAPS: usize = 16;
const TAPS: usize = 2 * HALF_TAPS;
/// Cutoff of the interpolation filter, relative to the input's Nyquist.
const CUTOFF: f64 = 0.97;
/// Kaiser window shape.
const KAISER_BETA: f64 = 9.0;
/// Frames per stretch the meter checks before interpolating it.
const STRETCH: usize = 64;

/// The oversampling factor BS.1770-4 asks for at a sample rate.
pub fn oversampling(sample_rate: u32) -> usize {
    if sample_rate < 96_000 {
        4
    } else if sample_rate < 192_000 {
        2
    } else {
        1
    }
}

/// The zeroth-order modified Bessel function of the first kind (power series).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > sum * 1e-17 {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        k += 1.0;
    }
    sum
}

/// The `factor - 1` interpolation phases (at k/factor of a sample after the
/// centre sample), `TAPS` coefficients each, oldest sample first.
fn design(factor: usize) -> Vec<[f64; TAPS]> {
    use std::f64::consts::PI;
    (1..factor)
        .map(|k| {
            let frac = k as f64 / factor as f64;
            let mut phase = [0.0; TAPS];
            for (j, c) in phase.iter_mut().enumerate() {
                let d = (HALF_TAPS - 1) as f64 + frac - j as f64;
                let x = PI * CUTOFF * d;
                let sinc = if x == 0.0 { 1.0 } else { x.sin() / x };
                let r = d / HALF_TAPS as f64;
                let window =
                    bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(KAISER_BETA);
                *c = sinc * window;
            }
            let sum: f64 = phase.iter().sum();
            phase.iter_mut().for_each(|c| *c /= sum);
            phase
        })
        .collect()
}

/// One interpolated point: the dot product of a phase's coefficients with
/// the window's samples, summed oldest sample first. [`interpolate`] sums
/// each of its lanes in this same order, so every build of it gives these
/// values exactly.
#[inline]
fn dot(coefficients: &[f32; TAPS], samples: &[f32]) -> f32 {
    coefficients
        .iter()
        .zip(&samples[..TAPS])
        .fold(0.0f32, |sum, (c, s)| sum + c * s)
}

/// The largest absolute value of `samples`, at least `init` (NaNs are
/// passed over), in eight lanes so that it vectorises; a maximum is exact,
/// so the lanes give what one pass would.
#[inline]
pub(crate) fn abs_max(samples: &[f32], init: f32) -> f32 {
    let larger = |m: f32, s: f32| {
        let a = s.abs();
        if a > m {
            a
        } else {
            m
        }
    };
    let mut lanes = [init; 8];
    let mut eights = samples.chunks_exact(8);
    for eight in &mut eights {
        for l in 0..8 {
            lanes[l] = larger(lanes[l], eight[l]);
        }
    }
    let most = eights.remainder().iter().fold(init, |m, &s| larger(m, s));
    lanes.iter().fold(most, |m, &l| larger(m, l))
}

/// The largest absolute interpolated point of the windows `start..end` of
/// `lane` (window `i` covers `lane[i..i + TAPS]`), at least `peak`. `W`
/// consecutive windows are interpolated at once, one lane each: every lane
/// sums its products in [`dot`]'s order (no fused multiply-add), so the
/// result does not depend on `W` or on the instructions the CPU has.
#[inline(always)]
fn interpolate<const W: usize>(
    lane: &[f32],
    phases: &[[f32; TAPS]],
    start: usize,
    end: usize,
    peak: f32,
) -> f32 {
    let mut most = [0.0f32; W];
    let mut i = start;
    while i + W <= end {
        let span = &lane[i..i + W + TAPS - 1];
        for phase in phases {
            let mut sum = [0.0f32; W];
            for (j, &c) in phase.iter().enumerate() {
                let samples = &span[j..j + W];
                for l in 0..W {
                    sum[l] += c * samples[l];
                }
            }
            for l in 0..W {
                let a = sum[l].abs();
                most[l] = if a > most[l] { a } else { most[l] };
            }
        }
        i += W;
    }
    let mut peak = most.iter().fold(peak, |m, &a| if a > m { a } else { m });
    for i in i..end {
        for phase in phases {
            peak = peak.max(dot(phase, &lane[i..i + TAPS]).abs());
        }
    }
    peak
}

/// [`interpolate`] in the widest vectors the CPU has.
fn interpolate_widest(
    lane: &[f32],
    phases: &[[f32; TAPS]],
    start: usize,
    end: usize,
    peak: f32,
) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512 F (detected).
            return unsafe { interpolate_avx512(lane, phases, start, end, peak) };
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (detected).
            return unsafe { interpolate_avx2(lane, phases, start, end, peak) };
        }
    }
    interpolate::<8>(lane, phases, start, end, peak)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn interpolate_avx512(
    lane: &[f32],
    phases: &[[f32; TAPS]],
    start: usize,
    end: usize,
    peak: f32,
) -> f32 {
    interpolate::<16>(lane, phases, start, end, peak)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn interpolate_avx2(
    lane: &[f32],
    phases: &[[f32; TAPS]],
    start: usize,
    end: usize,
    peak: f32,
) -> f32 {
    interpolate::<8>(lane, phases, start, end, peak)
}

/// A streaming true-peak meter over interleaved `f32` frames.
#[derive(Debug, Clone)]
pub struct TruePeakMeter {
    channels: usize,
    phases: Vec<[f32; TAPS]>,
    /// The largest L1 norm of a phase: no interpolated value exceeds it
    /// times the largest absolute sample in its window.
    bound: f32,
    /// Per channel, the last `TAPS - 1` samples, then the current block.
    lanes: Vec<Vec<f32>>,
    peak: f32,
    /// The peak since the last [`TruePeakMeter::take_interval`].
    interval: f32,
}

impl TruePeakMeter {
    /// A meter for `channels`-channel audio at `sample_rate`.
    pub fn new(channels: usize, sample_rate: u32) -> Self {
        let phases: Vec<[f32; TAPS]> = design(oversampling(sample_rate))
            .iter()
            .map(|p| p.map(|c| c as f32))
            .collect();
        let bound = phases
            .iter()
            .map(|p| p.iter().map(|c| c.abs()).sum::<f32>())
            .fold(1.0f32, f32::max)
            * 1.001;
        Self {
            channels,
            phases,
            bound,
            lanes: vec![vec![0.0; TAPS - 1]; channels],
            peak: 0.0,
            interval: 0.0,
        }
    }

    /// Feeds a block of whole interleaved frames.
    pub fn push(&mut self, block: &[f32]) {
        let channels = self.channels;
        for (c, lane) in self.lanes.iter_mut().enumerate() {
            lane.extend(block.iter().skip(c).step_by(channels));
            self.interval = scan(lane, &self.phases, self.bound, self.interval);
            self.peak = self.peak.max(self.interval);
            let keep = lane.len() - (TAPS - 1);
            lane.drain(..keep);
        }
    }

    /// The true peak so far (linear) of the points whose interpolation
    /// window is complete: unlike [`TruePeakMeter::peak`], no point after
    /// the last samples (which would assume silence follows), so a peak
    /// found here stands whatever follows.
    pub fn peak_so_far(&self) -> f64 {
        f64::from(self.peak)
    }

    /// The true peak (linear) of the points whose window completed since
    /// the last call (as [`TruePeakMeter::peak_so_far`] counts them), and
    /// starts the next interval: a loudness curve's peak per 100 ms.
    pub fn take_interval(&mut self) -> f64 {
        f64::from(std::mem::take(&mut self.interval))
    }

    /// The true peak so far (linear), with the points after the last samples
    /// interpolated as if silence followed (what a programme's chunks
    /// measure at its end, see `audio::chunk_stats`).
    #[cfg(test)]
    pub fn peak(&self) -> f64 {
        let mut peak = self.peak;
        for lane in &self.lanes {
            let mut tail = lane.clone();
            tail.extend([0.0; HALF_TAPS]);
            peak = scan(&tail, &self.phases, self.bound, peak);
        }
        f64::from(peak)
    }
}

/// Updates `peak` with the samples of `lane` and the points interpolated
/// between them, window by window (window `i` covers `lane[i..i + TAPS]`).
fn scan(lane: &[f32], phases: &[[f32; TAPS]], bound: f32, mut peak: f32) -> f32 {
    if lane.len() < TAPS {
        return peak;
    }
    let windows = lane.len() - TAPS + 1;
    let mut start = 0;
    while start < windows {
        let end = (start + STRETCH).min(windows);
        let loudest = abs_max(&lane[start..end + TAPS - 1], 0.0);
        peak = peak.max(loudest);
        if loudest * bound > peak {
            peak = interpolate_widest(lane, phases, start, end, peak);
        }
        start = end;
    }
    peak
}

/// The interpolation filter alone, for a meter that scans stretches of a
/// channel itself (a chunk of a programme, see `audio::chunk_stats`).
#[derive(Debug, Clone)]
pub(crate) struct TruePeakFilter {
    phases: Vec<[f32; TAPS]>,
    bound: f32,
}

impl TruePeakFilter {
    /// The filter at `sample_rate`, as [`TruePeakMeter::new`] makes it.
    pub(crate) fn new(sample_rate: u32) -> Self {
        let meter = TruePeakMeter::new(1, sample_rate);
        Self {
            phases: meter.phases,
            bound: meter.bound,
        }
    }

    /// The samples of a window before the point it ends on.
    pub(crate) const HISTORY: usize = TAPS - 1;

    /// The largest sample and interpolated point of the windows of `lane`
    /// (window `i` covers `lane[i..i + 32]`), at least `peak`.
    pub(crate) fn scan(&self, lane: &[f32], peak: f32) -> f32 {
        scan(lane, &self.phases, self.bound, peak)
    }
}

/// A per-frame true-peak detector over interleaved frames (the limiter's).
#[derive(Debug, Clone)]
pub struct TruePeakDetector {
    channels: usize,
    phases: Vec<[f64; TAPS]>,
    /// The last `TAPS` frames, oldest first, channel-major.
    history: Vec<f64>,
    frames: u64,
}

impl TruePeakDetector {
    /// A detector for frames of `channels` samples, oversampling 4x.
    pub fn new(channels: usize) -> Self {
        Self {
            channels,
            phases: design(4),
            history: vec![0.0; channels * TAPS],
            frames: 0,
        }
    }

    /// Takes one frame (`channels` samples). Once [`HALF_TAPS`] frames (the
    /// filter's delay) have passed, returns the peak over all channels of
    /// frame `n - HALF_TAPS` and the interpolated points that follow it.
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

    fn detector_peak(signal: &[f32]) -> f64 {
        let mut d = TruePeakDetector::new(1);
        let mut peak = 0.0f64;
        for &s in signal.iter().chain(&[0.0; HALF_TAPS]) {
            if let Some(p) = d.push(&[s]) {
                peak = peak.max(p);
            }
        }
        peak
    }

    fn meter_peak(signal: &[f32], channels: usize, block: usize) -> f64 {
        let mut m = TruePeakMeter::new(channels, 48_000);
        for b in signal.chunks(block * channels) {
            m.push(b);
        }
        m.peak()
    }

    /// fs/4 at 45°: every sample is ±0.7071·A, the waveform reaches A.
    fn quarter_rate(amplitude: f64, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|n| (amplitude * (TAU * n as f64 / 4.0 + TAU / 8.0).sin()) as f32)
            .collect()
    }

    #[test]
    fn finds_the_peak_between_samples() {
        let s = quarter_rate(0.5, 4800);
        let sample_peak = s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((f64::from(sample_peak) - 0.5 * 0.5f64.sqrt()).abs() < 1e-6);
        // Within the filter's ripple at fs/4 (about 0.1 dB).
        assert!(
            (detector_peak(&s) - 0.5).abs() < 0.01,
            "{}",
            detector_peak(&s)
        );
        assert!((meter_peak(&s, 1, 1000) - 0.5).abs() < 0.01);
    }

    #[test]
    fn low_frequencies_read_their_amplitude() {
        let s: Vec<f32> = (0..48_000)
            .map(|n| (0.8 * (TAU * 997.0 * n as f64 / 48_000.0).sin()) as f32)
            .collect();
        assert!((detector_peak(&s) - 0.8).abs() < 1e-3);
        assert!((meter_peak(&s, 1, 4096) - 0.8).abs() < 1e-3);
    }

    #[test]
    fn the_meter_finds_a_peak_in_any_channel_and_block() {
        // A quiet bed on six channels and one inter-sample over on channel 4.
        let mut s = vec![0.01f32; 6 * 10_000];
        for (k, v) in quarter_rate(0.9, 8).iter().enumerate() {
            s[(5000 + k) * 6 + 4] = *v;
        }
        let whole = meter_peak(&s, 6, 10_000);
        assert!(whole > 0.85 && whole < 0.95, "{whole}");
        for block in [1, 17, 4096] {
            assert_eq!(meter_peak(&s, 6, block), whole, "blocks of {block}");
        }
    }

    #[test]
    fn the_meter_skips_nothing_it_should_see() {
        // Skipping must never lower the result: compare with brute force.
        let mut seed = 7u64;
        let s: Vec<f32> = (0..20_000)
            .map(|n| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let noise = (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                let envelope = if n % 5000 < 100 { 1.0 } else { 0.05 };
                envelope * noise
            })
            .collect();
        let phases: Vec<[f32; TAPS]> = design(4).iter().map(|p| p.map(|c| c as f32)).collect();
        let mut lane = vec![0.0f32; TAPS - 1];
        lane.extend(&s);
        lane.extend([0.0; HALF_TAPS]);
        let mut brute = 0.0f32;
        for i in 0..=lane.len() - TAPS {
            brute = brute.max(lane[i + HALF_TAPS - 1].abs());
            for p in &phases {
                brute = brute.max(dot(p, &lane[i..i + TAPS]).abs());
            }
        }
        assert_eq!(meter_peak(&s, 1, 999), f64::from(brute));
    }

    #[test]
    fn every_vector_width_interpolates_alike() {
        let mut seed = 11u64;
        let lane: Vec<f32> = (0..1000)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                (seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect();
        let phases: Vec<[f32; TAPS]> = design(4).iter().map(|p| p.map(|c| c as f32)).collect();
        for (start, end) in [(0, 969), (3, 40), (5, 6), (100, 117)] {
            let mut scalar = 0.0f32;
            for i in start..end {
                for p in &phases {
                    scalar = scalar.max(dot(p, &lane[i..i + TAPS]).abs());
                }
            }
            assert_eq!(interpolate::<4>(&lane, &phases, start, end, 0.0), scalar);
            assert_eq!(interpolate::<8>(&lane, &phases, start, end, 0.0), scalar);
            assert_eq!(interpolate::<16>(&lane, &phases, start, end, 0.0), scalar);
            assert_eq!(interpolate_widest(&lane, &phases, start, end, 0.0), scalar);
        }
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

    #[test]
    fn oversampling_follows_bs1770() {
        assert_eq!(oversampling(44_100), 4);
        assert_eq!(oversampling(48_000), 4);
        assert_eq!(oversampling(96_000), 2);
        assert_eq!(oversampling(192_000), 1);
    }
}
