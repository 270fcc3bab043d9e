//! Deterministic white, pink and brown noise.
//!
//! Algorithms, so a render can be reproduced anywhere:
//! - Random numbers: SplitMix64 (Steele, Lea, Flood 2014) seeded with
//!   `seed + channel`, each channel an independent stream; the top 53 bits
//!   give a uniform value in [-1, 1).
//! - White: that uniform value, flat spectrum.
//! - Pink (−3 dB/octave): Paul Kellet's "refined" filter, a sum of six
//!   one-pole low-passes and a direct term, accurate to ±0.05 dB above
//!   9.2 Hz at 44.1 kHz.
//! - Brown (−6 dB/octave): a leaky integrator y = a·y + x with
//!   a = exp(−2π·10 Hz / rate), so it stays bounded below 10 Hz.
//!
//! Level is the long-term RMS in dBFS of each channel: each kind is scaled
//! by the exact RMS gain of its filter (the square root of the energy of its
//! impulse response, times 1/√3, the RMS of uniform noise). Peaks exceed the
//! RMS (by 4.8 dB for white, more for pink and brown), so a level near
//! 0 dBFS clips when written to integer files; the writer counts that.

use super::{error::AudioError, generator, source::Source};

/// The colour of a noise generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseKind {
    /// Flat spectrum.
    White,
    /// −3 dB per octave.
    Pink,
    /// −6 dB per octave.
    Brown,
}

/// SplitMix64.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0
    }
}

/// Filter state of one channel.
#[derive(Debug, Clone, Default)]
struct Filter {
    b: [f64; 7],
}

impl Filter {
    fn pink(&mut self, white: f64) -> f64 {
        let b = &mut self.b;
        b[0] = 0.99886 * b[0] + white * 0.055_517_9;
        b[1] = 0.99332 * b[1] + white * 0.075_075_9;
        b[2] = 0.96900 * b[2] + white * 0.153_852_0;
        b[3] = 0.86650 * b[3] + white * 0.310_485_6;
        b[4] = 0.55000 * b[4] + white * 0.532_952_2;
        b[5] = -0.7616 * b[5] - white * 0.016_898_0;
        let pink = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + white * 0.5362;
        b[6] = white * 0.115_926;
        pink
    }

    fn brown(&mut self, white: f64, leak: f64) -> f64 {
        self.b[0] = leak * self.b[0] + white;
        self.b[0]
    }
}

/// A noise generator; see the module documentation for the algorithms.
pub struct Noise {
    kind: NoiseKind,
    channels: usize,
    frames: u64,
    position: u64,
    scale: f64,
    leak: f64,
    rngs: Vec<SplitMix64>,
    filters: Vec<Filter>,
}

impl Noise {
    /// Noise of `kind` at `level_dbfs` RMS per channel, lasting `frames`
    /// frames, from `seed`.
    pub fn new(
        kind: NoiseKind,
        sample_rate: u32,
        channels: usize,
        level_dbfs: f64,
        frames: u64,
        seed: u64,
    ) -> Result<Self, AudioError> {
        generator::check_shape("noise", sample_rate, channels)?;
        generator::check_level("noise level", level_dbfs, "RMS")?;
        let leak = (-std::f64::consts::TAU * 10.0 / f64::from(sample_rate)).exp();
        let energy = match kind {
            NoiseKind::White => 1.0,
            NoiseKind::Pink => {
                let mut filter = Filter::default();
                let mut energy = 0.0;
                for n in 0..60_000 {
                    let h = filter.pink(if n == 0 { 1.0 } else { 0.0 });
                    energy += h * h;
                }
                energy
            }
            NoiseKind::Brown => 1.0 / (1.0 - leak * leak),
        };
        let rms_of_filter = energy.sqrt() / 3f64.sqrt();
        Ok(Self {
            kind,
            channels,
            frames,
            position: 0,
            scale: 10f64.powf(level_dbfs / 20.0) / rms_of_filter,
            leak,
            rngs: (0..channels as u64)
                .map(|c| SplitMix64(seed.wrapping_add(c)))
                .collect(),
            filters: vec![Filter::default(); channels],
        })
    }
}

impl Source for Noise {
    fn channels(&self) -> usize {
        self.channels
    }
    fn frames(&self) -> u64 {
        self.frames
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let frames = ((out.len() / self.channels) as u64).min(self.frames - self.position) as usize;
        for frame in out[..frames * self.channels].chunks_exact_mut(self.channels) {
            for ((sample, rng), filter) in
                frame.iter_mut().zip(&mut self.rngs).zip(&mut self.filters)
            {
                let white = rng.uniform();
                let value = match self.kind {
                    NoiseKind::White => white,
                    NoiseKind::Pink => filter.pink(white),
                    NoiseKind::Brown => filter.brown(white, self.leak),
                };
                *sample = (value * self.scale) as f32;
            }
        }
        self.position += frames as u64;
        Ok(frames)
    }
}
