//! The K-weighting filter of ITU-R BS.1770-4 (§2.1, Figures 1–4): a
//! high-shelf pre-filter for the head's acoustic effect, then the RLB
//! high-pass, and the energy of the filtered signal over 100 ms sub-blocks,
//! the unit every gate and window of `audio::chunk_stats` is built from.
//!
//! BS.1770 tabulates the two biquads at 48 kHz only. At any rate they are
//! designed here from the analogue prototypes that reproduce those tables
//! (the shelf at 1681.97 Hz, +4.0 dB, Q 0.7072; the high-pass at 38.135 Hz,
//! Q 0.5003, as published in B. De Man's analysis of the recommendation),
//! by the bilinear transform with the cut-off pre-warped, which is how
//! libebur128 and ffmpeg design them too, so the three agree at every rate.
//!
//! The filter runs all of a programme's channels at once, eight to a
//! vector: each lane is one channel's recursion, computed in `f64` in the
//! same order whatever the vector width, so the energies do not depend on
//! the CPU.

/// One biquad section: `y = b0·x + b1·x₁ + b2·x₂ − a1·y₁ − a2·y₂`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
}

/// The shelf's centre frequency (Hz), gain (dB) and Q.
const SHELF: (f64, f64, f64) = (1681.974450955533, 3.999843853973347, 0.7071752369554196);
/// The high-pass's cut-off (Hz) and Q.
const HIGH_PASS: (f64, f64) = (38.13547087602444, 0.5003270373238773);

impl Biquad {
    fn shelf(rate: f64) -> Self {
        let (f0, gain, q) = SHELF;
        let k = (std::f64::consts::PI * f0 / rate).tan();
        let vh = 10f64.powf(gain / 20.0);
        let vb = vh.powf(0.4996667741545416);
        let a0 = 1.0 + k / q + k * k;
        Self {
            b0: (vh + vb * k / q + k * k) / a0,
            b1: 2.0 * (k * k - vh) / a0,
            b2: (vh - vb * k / q + k * k) / a0,
            a1: 2.0 * (k * k - 1.0) / a0,
            a2: (1.0 - k / q + k * k) / a0,
        }
    }

    fn high_pass(rate: f64) -> Self {
        let (f0, q) = HIGH_PASS;
        let k = (std::f64::consts::PI * f0 / rate).tan();
        let a0 = 1.0 + k / q + k * k;
        Self {
            b0: 1.0,
            b1: -2.0,
            b2: 1.0,
            a1: 2.0 * (k * k - 1.0) / a0,
            a2: (1.0 - k / q + k * k) / a0,
        }
    }
}

/// Channels filtered together at most, one per lane.
const LANES: usize = 8;

/// Frames widened at once before they are filtered.
const RUN: usize = 240;

/// One biquad's state (transposed direct form II) in each of `W` lanes.
#[derive(Debug, Clone, Copy)]
struct State<const W: usize> {
    z1: [f64; W],
    z2: [f64; W],
}

impl<const W: usize> State<W> {
    const ZERO: Self = Self {
        z1: [0.0; W],
        z2: [0.0; W],
    };

    #[inline(always)]
    fn step(&mut self, f: &Biquad, x: &[f64; W]) -> [f64; W] {
        let mut y = [0.0; W];
        for l in 0..W {
            y[l] = f.b0 * x[l] + self.z1[l];
            self.z1[l] = f.b1 * x[l] - f.a1 * y[l] + self.z2[l];
            self.z2[l] = f.b2 * x[l] - f.a2 * y[l];
        }
        y
    }
}

/// What one group of channels is filtered with and where its sums go.
struct Group<'a> {
    stages: [&'a Biquad; 2],
    warm: &'a [f32],
    samples: &'a [f32],
    channels: usize,
    /// The group's first channel and its channels.
    first: usize,
    lanes: usize,
    hop: usize,
    /// Per sub-block, every channel's sum of squares.
    sums: &'a mut [f64],
}

impl Group<'_> {
    /// Filters the group's channels, `W` lanes wide (`lanes <= W`).
    #[inline(always)]
    fn filter<const W: usize>(&mut self) {
        let mut state = [State::<W>::ZERO; 2];
        let mut ignored = [0.0f64; W];
        for frames in self.warm.chunks(RUN * self.channels) {
            self.filter_run(&mut state, frames, &mut ignored);
        }
        for block in 0..self.sums.len() / self.channels {
            let frames =
                &self.samples[block * self.hop * self.channels..][..self.hop * self.channels];
            let mut sum = [0.0f64; W];
            for frames in frames.chunks(RUN * self.channels) {
                self.filter_run(&mut state, frames, &mut sum);
            }
            let at = block * self.channels + self.first;
            self.sums[at..at + self.lanes].copy_from_slice(&sum[..self.lanes]);
        }
    }

    /// Filters up to [`RUN`] frames, adding each lane's squares to `sum`.
    /// The group's lanes are widened first, so the recursion loads whole
    /// vectors (not a scalar store per sample that a vector load then
    /// waits for).
    #[inline(always)]
    fn filter_run<const W: usize>(
        &self,
        state: &mut [State<W>; 2],
        frames: &[f32],
        sum: &mut [f64; W],
    ) {
        let (first, lanes) = (self.first, self.lanes);
        let mut widened = [[0.0f64; W]; RUN];
        let count = frames.len() / self.channels;
        for (x, frame) in widened.iter_mut().zip(frames.chunks_exact(self.channels)) {
            for (x, &s) in x.iter_mut().zip(&frame[first..first + lanes]) {
                *x = f64::from(s);
            }
        }
        for x in &widened[..count] {
            let y = state[0].step(self.stages[0], x);
            let y = state[1].step(self.stages[1], &y);
            for l in 0..W {
                sum[l] += y[l] * y[l];
            }
        }
    }

    /// [`Group::filter`] as wide as the group needs.
    #[inline(always)]
    fn filter_any(&mut self) {
        match self.lanes {
            0..=2 => self.filter::<2>(),
            3..=4 => self.filter::<4>(),
            _ => self.filter::<LANES>(),
        }
    }

    /// [`Group::filter_any`] in the widest vectors the CPU has.
    fn run(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512 F (detected).
                return unsafe { self.run_avx512() };
            }
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (detected).
                return unsafe { self.run_avx2() };
            }
        }
        self.filter_any();
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn run_avx512(&mut self) {
        self.filter_any();
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(&mut self) {
        self.filter_any();
    }
}

/// The K-weighting filter at one rate, for channels of given weights.
#[derive(Debug, Clone)]
pub(crate) struct KWeighting {
    shelf: Biquad,
    high_pass: Biquad,
    /// The BS.1770 weight G of each channel (0 leaves it out).
    weights: Vec<f64>,
}

impl KWeighting {
    /// The filter at `rate` for channels weighted by `weights`.
    pub(crate) fn new(rate: u32, weights: &[f64]) -> Self {
        let rate = f64::from(rate);
        Self {
            shelf: Biquad::shelf(rate),
            high_pass: Biquad::high_pass(rate),
            weights: weights.to_vec(),
        }
    }

    /// Filters `warm` then `samples` (interleaved frames of the weights'
    /// channels) from a silent state, and returns the weighted mean-square
    /// energy of each whole sub-block of `hop` frames of `samples` (the
    /// channels' weighted sum of squares over the sub-block, divided by its
    /// frames); a last, partial sub-block gives none.
    pub(crate) fn sub_block_energies(&self, warm: &[f32], samples: &[f32], hop: usize) -> Vec<f64> {
        let channels = self.weights.len();
        let frames = samples.len() / channels;
        let blocks = frames / hop.max(1);
        let mut energies = vec![0.0f64; blocks];
        let mut sums = vec![0.0f64; blocks * channels];
        for first in (0..channels).step_by(LANES) {
            Group {
                stages: [&self.shelf, &self.high_pass],
                warm,
                samples,
                channels,
                first,
                lanes: (channels - first).min(LANES),
                hop,
                sums: &mut sums,
            }
            .run();
        }
        for (energy, sums) in energies.iter_mut().zip(sums.chunks_exact(channels)) {
            let total = sums
                .iter()
                .zip(&self.weights)
                .fold(0.0, |total, (sum, weight)| total + weight * sum);
            *energy = total / hop as f64;
        }
        energies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BS.1770-4 Tables 1 and 2: the two stages' coefficients at 48 kHz.
    #[test]
    fn the_design_reproduces_the_recommendations_tables() {
        let shelf = Biquad::shelf(48_000.0);
        let table = [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            -1.69065929318241,
            0.73248077421585,
        ];
        let got = [shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2];
        for (g, t) in got.iter().zip(table) {
            assert!((g - t).abs() < 1e-9, "shelf {got:?}");
        }
        let high_pass = Biquad::high_pass(48_000.0);
        let table = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
        let got = [
            high_pass.b0,
            high_pass.b1,
            high_pass.b2,
            high_pass.a1,
            high_pass.a2,
        ];
        for (g, t) in got.iter().zip(table) {
            assert!((g - t).abs() < 1e-9, "high-pass {got:?}");
        }
    }

    /// A direct-form-I reference of the same cascade, one channel at a time.
    fn reference(rate: u32, weights: &[f64], samples: &[f32], hop: usize) -> Vec<f64> {
        let channels = weights.len();
        let stages = [
            Biquad::shelf(f64::from(rate)),
            Biquad::high_pass(f64::from(rate)),
        ];
        let mut sums = vec![vec![0.0f64; samples.len() / channels / hop]; channels];
        for (c, sums) in sums.iter_mut().enumerate() {
            let mut x: Vec<f64> = samples
                .iter()
                .skip(c)
                .step_by(channels)
                .map(|&s| f64::from(s))
                .collect();
            for f in &stages {
                let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
                for v in x.iter_mut() {
                    let y = f.b0 * *v + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
                    (x2, x1, y2, y1) = (x1, *v, y1, y);
                    *v = y;
                }
            }
            for (block, sum) in sums.iter_mut().enumerate() {
                *sum = x[block * hop..(block + 1) * hop]
                    .iter()
                    .map(|y| y * y)
                    .sum();
            }
        }
        (0..sums[0].len())
            .map(|b| (0..channels).map(|c| weights[c] * sums[c][b]).sum::<f64>() / hop as f64)
            .collect()
    }

    fn noise(samples: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..samples)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.5
            })
            .collect()
    }

    #[test]
    fn energies_match_a_direct_form_reference_for_any_channel_count() {
        for (channels, rate) in [(1, 44_100), (2, 48_000), (6, 48_000), (12, 96_000)] {
            let weights: Vec<f64> = (0..channels).map(|c| [1.0, 1.41, 0.0][c % 3]).collect();
            let hop = (rate as usize + 5) / 10;
            let samples = noise(channels * hop * 5 + channels * 7, channels as u64);
            let k = KWeighting::new(rate, &weights);
            let got = k.sub_block_energies(&[], &samples, hop);
            let want = reference(rate, &weights, &samples, hop);
            assert_eq!(got.len(), 5);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= w * 1e-12, "{channels} ch: {g} vs {w}");
            }
        }
    }

    #[test]
    fn warming_continues_the_filter() {
        let (channels, hop) = (3, 4800);
        let weights = [1.0, 1.0, 1.41];
        let samples = noise(channels * hop * 4, 9);
        let k = KWeighting::new(48_000, &weights);
        let whole = k.sub_block_energies(&[], &samples, hop);
        let split = channels * hop * 2;
        let later = k.sub_block_energies(&samples[..split], &samples[split..], hop);
        assert_eq!(later, whole[2..]);
    }

    /// A 997 Hz sine at -20 dBFS on one channel measures -20 LKFS after the
    /// filter's +0.69 dB at 1 kHz and BS.1770's -0.691 offset (§2.4).
    #[test]
    fn a_1_khz_tone_reads_its_level() {
        let rate = 48_000;
        let amplitude = 0.1 * 2f64.sqrt();
        let samples: Vec<f32> = (0..rate as usize * 2)
            .map(|n| {
                (amplitude * (std::f64::consts::TAU * 997.0 * n as f64 / f64::from(rate)).sin())
                    as f32
            })
            .collect();
        let k = KWeighting::new(rate, &[1.0]);
        let energies = k.sub_block_energies(&[], &samples, 4800);
        let last = *energies.last().unwrap_or(&0.0);
        let lufs = 10.0 * last.log10() - 0.691;
        assert!((lufs + 20.0).abs() < 0.02, "{lufs}");
    }
}
