//! Bit-depth reduction with TPDF dither, reproducible from a seed.
//!
//! Reducing `f32` audio to 16- or 24-bit integers without dither leaves a
//! quantisation error that follows the signal (distortion on quiet
//! passages, fades and reverb tails). Triangular (TPDF) dither of ±1 LSB,
//! the sum of two independent uniform values of ±½ LSB, makes the error
//! independent of the signal: its mean is 0 and its variance a constant
//! ¼ LSB² (⅙ from the dither, ¹⁄₁₂ from the rounding), whatever the signal.
//!
//! The noise is counter-based: sample `n` of the stream (in interleaved
//! order) takes its two uniform values from a 32-bit integer hash of the
//! stream positions `2n` and `2n + 1` under a key derived from the seed
//! (see [`uniform_pair`]). So the same seed and the same input give the same
//! integers whatever the block sizes or the thread count, and no sample
//! waits on the one before it: the loop runs in SIMD lanes (the quantiser
//! was the build's hot spot with a sequential PRNG). Every step is exact
//! integer or IEEE arithmetic, so the integers are the same on any CPU.
//! Full-scale is ±1.0 ↔ ±2^(bits-1); values beyond it are clipped to the
//! largest integers (and counted).
//!
//! Digital silence stays digital silence: a sample that is exactly zero
//! (`0.0` or `-0.0`; a NaN counts as zero) becomes the integer 0, with no
//! dither added. The decision is made per sample, not per frame, so a
//! channel that is silent while the others play (an LFE, a leader between
//! the 2-pop and the first frame of action) is all zeros in the file. The
//! counter still advances over a silent sample, so every other sample takes
//! the noise of its own stream position, as before. There is no noise
//! shaping, so no error feedback that could carry noise into the silence.

use rayon::prelude::*;

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
    /// The seed, mixed, so nearby seeds give unrelated sequences.
    key: u32,
    /// Samples quantised so far: the next sample's counter.
    counter: u64,
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
            key: hash32(hash32(seed as u32) ^ (seed >> 32) as u32 ^ 0x6A09_E667),
            counter: 0,
            clipped: 0,
        })
    }

    /// The same quantiser, as if `counter` samples had been quantised: a
    /// stretch of a longer stream takes the noise the whole stream takes
    /// there.
    pub fn starting_at(mut self, counter: u64) -> Self {
        self.counter = counter;
        self
    }

    /// Skips the noise of the next `samples` samples, as if they had been
    /// quantised (a stretch of the stream copied from an earlier render).
    pub fn advance(&mut self, samples: u64) {
        self.counter += samples;
    }

    /// The target bit depth.
    pub fn bits(&self) -> u16 {
        self.bits
    }

    /// How many samples were clipped at full scale so far.
    pub fn clipped(&self) -> u64 {
        self.clipped
    }

    /// Quantises one sample.
    #[inline]
    pub fn quantize_sample(&mut self, sample: f32) -> i32 {
        let dither = tpdf(uniform_pair(self.key, self.counter));
        self.counter += 1;
        let (value, clipped) = quantize_one(sample, dither, self.scale, self.min, self.max);
        self.clipped += u64::from(clipped);
        value
    }

    /// Quantises a block (any layout: samples are taken in order), appending
    /// the integers to `output`.
    pub fn quantize(&mut self, block: &[f32], output: &mut Vec<i32>) {
        let start = output.len();
        output.resize(start + block.len(), 0);
        self.quantize_slice(block, &mut output[start..]);
    }

    /// Like [`TpdfQuantizer::quantize`], in chunks on rayon's pool: the
    /// noise of each sample depends only on its position in the stream, so
    /// the integers are the same.
    pub fn quantize_parallel(&mut self, block: &[f32], output: &mut Vec<i32>) {
        const CHUNK: usize = 32 * 1024;
        let start = output.len();
        output.resize(start + block.len(), 0);
        let first = self.counter;
        let this = &*self;
        let clipped: u64 = block
            .par_chunks(CHUNK)
            .zip(output[start..].par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(index, (samples, integers))| {
                let mut part = this.clone();
                part.counter = first + (index * CHUNK) as u64;
                part.clipped = 0;
                part.quantize_slice(samples, integers);
                part.clipped
            })
            .sum();
        self.counter = first + block.len() as u64;
        self.clipped += clipped;
    }

    fn quantize_slice(&mut self, block: &[f32], integers: &mut [i32]) {
        match Simd::detect() {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU supports AVX-512 F, DQ and VL (detected).
            Simd::Avx512 => unsafe { self.quantize_avx512(block, integers) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU supports AVX2 (detected).
            Simd::Avx2 => unsafe { self.quantize_avx2(block, integers) },
            Simd::Portable => self.quantize_into(block, integers),
        }
    }

    /// [`TpdfQuantizer::quantize_into`] compiled for AVX-512: the same
    /// operations, sixteen lanes wide.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl")]
    fn quantize_avx512(&mut self, block: &[f32], integers: &mut [i32]) {
        self.quantize_into(block, integers);
    }

    /// [`TpdfQuantizer::quantize_into`] compiled for AVX2: the same
    /// operations, eight lanes wide.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn quantize_avx2(&mut self, block: &[f32], integers: &mut [i32]) {
        self.quantize_into(block, integers);
    }

    #[inline(always)]
    fn quantize_into(&mut self, block: &[f32], integers: &mut [i32]) {
        const CHUNK: usize = 256;
        let (scale, min, max) = (self.scale, self.min, self.max);
        let mut clipped = 0u64;
        for (samples, integers) in block.chunks(CHUNK).zip(integers.chunks_mut(CHUNK)) {
            let first = self.counter;
            self.counter += samples.len() as u64;
            let mut lanes = [0u32; CHUNK];
            if (first >> 31) != ((self.counter - 1) >> 31) {
                // The chunk crosses a 2^31-sample boundary, where the key of
                // the high counter bits changes: once per 12 hours of 5.1.
                for ((offset, &sample), integer) in samples.iter().enumerate().zip(integers) {
                    let dither = tpdf(uniform_pair(self.key, first + offset as u64));
                    let (value, clip) = quantize_one(sample, dither, scale, min, max);
                    *integer = value;
                    clipped += u64::from(clip);
                }
                continue;
            }
            let key = high_key(self.key, first);
            let low = (first as u32).wrapping_mul(2);
            for (((offset, &sample), integer), lane) in
                samples.iter().enumerate().zip(integers).zip(&mut lanes)
            {
                let pair = pair_at(key, low.wrapping_add(2 * offset as u32));
                let (value, clip) = quantize_one(sample, tpdf(pair), scale, min, max);
                *integer = value;
                *lane = u32::from(clip);
            }
            clipped += lanes[..samples.len()]
                .iter()
                .map(|&c| u64::from(c))
                .sum::<u64>();
        }
        self.clipped += clipped;
    }
}

/// The widest build of the quantiser's loop the CPU runs. Every build
/// performs the same IEEE and integer operations, so they give the same
/// integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simd {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
}

impl Simd {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512dq")
                && std::is_x86_feature_detected!("avx512vl")
            {
                return Simd::Avx512;
            }
            if std::is_x86_feature_detected!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::Portable
    }
}

/// Quantises one sample with its dither: scale, add, round, clip. A sample
/// of exactly zero gets no dither, so it becomes 0; a NaN sample is taken as
/// zero (silence, not a clipped peak). Written with selects instead of
/// `clamp` and `as`, whose NaN rules keep the compiler from vectorising them.
#[inline(always)]
fn quantize_one(sample: f32, dither: f64, scale: f64, min: f64, max: f64) -> (i32, bool) {
    let silent = sample == 0.0 || sample.is_nan();
    let sample = if silent { 0.0 } else { sample };
    let dither = if silent { 0.0 } else { dither };
    // 0·scale + 0 rounds to +0.0, whose integer is 0.
    let value = round_ties_even(f64::from(sample) * scale + dither);
    let low = value < min;
    let high = value > max;
    let value = if low {
        min
    } else if high {
        max
    } else {
        value
    };
    (integer(value), low | high)
}

/// An integral `value` within ±2^31 as an `i32`, exactly: adding 1.5·2^52
/// puts it, in two's complement, in the low bits of the mantissa.
#[inline(always)]
fn integer(value: f64) -> i32 {
    (value + SHIFT).to_bits() as u32 as i32
}

/// Chris Wellons' `lowbias32` integer hash (hash-prospector): a bijection
/// on 32 bits with near-ideal avalanche.
#[inline(always)]
fn hash32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846C_A68B);
    x ^ (x >> 16)
}

/// The key for the stream positions of sample `counter` above their low 32
/// bits (the same for 2^31 consecutive samples; the sequence repeats after
/// 2^63 samples).
#[inline(always)]
fn high_key(key: u32, counter: u64) -> u32 {
    hash32(key ^ hash32((counter >> 31) as u32))
}

/// The two uniform 32-bit values of sample `counter`: the hashes of its
/// stream positions `2·counter` and `2·counter + 1`, low 32 bits under the
/// key of the high bits. Each position, so each value, is used once.
#[inline(always)]
fn uniform_pair(key: u32, counter: u64) -> (u32, u32) {
    pair_at(high_key(key, counter), (counter as u32).wrapping_mul(2))
}

/// The hashes of the even stream position `position` and the next, under
/// the key of their high bits: [`uniform_pair`] with the key computed once
/// for a run of samples.
#[inline(always)]
fn pair_at(key: u32, position: u32) -> (u32, u32) {
    (hash32(position ^ key), hash32((position | 1) ^ key))
}

/// The triangular dither value in LSB, in (-1, 1): the difference of two
/// uniform 32-bit values (taken as signed, which shifts both alike), far
/// finer than any LSB it is added to.
#[inline(always)]
fn tpdf((a, b): (u32, u32)) -> f64 {
    (f64::from(a as i32) - f64::from(b as i32)) * (1.0 / 4_294_967_296.0)
}

/// `value.round_ties_even()` for the quantiser's range, without the libm
/// call it compiles to on baseline x86-64, and in a form the compiler can
/// vectorise: adding and subtracting 1.5·2^52 leaves the nearest integer
/// (ties to even, the FPU's rounding mode) for any |value| < 2^51. Beyond
/// that (or ±∞) the result is still beyond ±2^50, which the quantiser
/// clips anyway. (With dither, exact halves occur with probability 2^-32.)
#[inline(always)]
fn round_ties_even(value: f64) -> f64 {
    (value + SHIFT) - SHIFT
}

/// 1.5 · 2^52: the shift of [`round_ties_even`] and [`integer`].
const SHIFT: f64 = 6_755_399_441_055_744.0;

#[cfg(test)]
#[path = "dither_tests.rs"]
mod tests;
