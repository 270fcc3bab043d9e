//! Bit-depth reduction with TPDF dither, reproducible from a seed.
//!
//! Reducing `f32` audio to 16- or 24-bit integers without dither leaves a
//! quantisation error that follows the signal (distortion on quiet
//! passages, fades and reverb tails). Triangular (TPDF) dither of ±1 LSB,
//! the sum of two independent uniform values of ±½ LSB, makes the error
//! independent of the signal: its mean is 0 and its variance a constant
//! ¼ LSB² (⅙ from the dither, ¹⁄₁₂ from the rounding), whatever the signal.
//!
//! The noise comes from a small counter-free PRNG (xoshiro256**, seeded
//! through SplitMix64) advanced once per sample in interleaved order, so the
//! same seed and the same input give the same integers whatever the block
//! sizes or the thread count. Full-scale is ±1.0 ↔ ±2^(bits-1); values
//! beyond it are clipped to the largest integers (and counted).

use crate::audio::dsp_error::DspError;

/// The seed sndtrk uses when a recipe does not give one.
pub const DEFAULT_SEED: u64 = 0x5EED_50DA_7A0C_0DE5;

/// A TPDF-dithering quantiser from `f32` to 16- or 24-bit integers.
#[derive(Debug, Clone)]
pub struct TpdfQuantizer {
    bits: u16,
    scale: f64,
    min: f64,
    max: f64,
    rng: Xoshiro256,
    clipped: u64,
}

impl TpdfQuantizer {
    /// A quantiser to `bits` (16 or 24) whose dither sequence starts from `seed`.
    pub fn new(bits: u16, seed: u64) -> Result<Self, DspError> {
        if bits != 16 && bits != 24 {
            return Err(DspError::UnsupportedBitDepth { bits });
        }
        let full_scale = f64::from(1u32 << (bits - 1));
        Ok(Self {
            bits,
            scale: full_scale,
            min: -full_scale,
            max: full_scale - 1.0,
            rng: Xoshiro256::seeded(seed),
            clipped: 0,
        })
    }

    /// The target bit depth.
    pub fn bits(&self) -> u16 {
        self.bits
    }

    /// How many samples were clipped at full scale so far.
    pub fn clipped(&self) -> u64 {
        self.clipped
    }

    /// One triangular dither value in LSB, in (-1, 1).
    fn dither(&mut self) -> f64 {
        self.rng.unit() - self.rng.unit()
    }

    /// Quantises one sample.
    #[inline]
    pub fn quantize_sample(&mut self, sample: f32) -> i32 {
        let value = round_half_away(f64::from(sample) * self.scale + self.dither());
        let value = if value.is_nan() { 0.0 } else { value };
        if value < self.min || value > self.max {
            self.clipped += 1;
        }
        value.clamp(self.min, self.max) as i32
    }

    /// Quantises a block (any layout: samples are taken in order), appending
    /// the integers to `output`.
    pub fn quantize(&mut self, block: &[f32], output: &mut Vec<i32>) {
        output.reserve(block.len());
        for &s in block {
            let q = self.quantize_sample(s);
            output.push(q);
        }
    }
}

/// `value.round()` (halves away from zero), without the libm call that
/// `f64::round` compiles to on baseline x86-64: the quantiser's hot spot.
/// Exact: below 2^52 the truncation fits an `i64` and `value - trunc` is
/// computed without rounding. Only the sign of a zero result may differ,
/// which the conversion to an integer sample erases.
#[inline]
fn round_half_away(value: f64) -> f64 {
    const EXACT: f64 = 4_503_599_627_370_496.0; // 2^52
    if value.abs() < EXACT {
        let truncated = value as i64;
        let fraction = value - truncated as f64;
        // Branch-free: with dither the halves fall at random, so branches
        // would be mispredicted half the time.
        let rounded = truncated + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5);
        rounded as f64
    } else {
        value.round()
    }
}

/// xoshiro256** (Blackman & Vigna), seeded by SplitMix64.
#[derive(Debug, Clone)]
struct Xoshiro256([u64; 4]);

impl Xoshiro256 {
    fn seeded(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform value in [0, 1) with 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
#[path = "dither_tests.rs"]
mod tests;
