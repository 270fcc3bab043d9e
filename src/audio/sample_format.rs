//! Sample encodings of WAV data and their whole-block conversion to and from
//! interleaved `f32`.
//!
//! Integer samples map to `f32` by dividing by 2^(bits-1), so full scale is
//! [-1, 1). The reverse multiplies by 2^(bits-1), rounds to nearest (half
//! away from zero) and clips to the integer range, counting clipped samples.
//! The loops work on whole blocks of bytes so the compiler can vectorise them.

/// 2^-23: one 24-bit step as a fraction of full scale.
const SCALE_24: f32 = 1.0 / 8_388_608.0;

/// The encoding of one sample in a WAV data chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// 16-bit signed little-endian integer.
    Int16,
    /// 24-bit signed little-endian integer, packed in 3 bytes.
    Int24,
    /// 32-bit IEEE float.
    Float32,
}

impl SampleFormat {
    /// Bits per sample.
    pub fn bits(self) -> u16 {
        match self {
            Self::Int16 => 16,
            Self::Int24 => 24,
            Self::Float32 => 32,
        }
    }

    /// Bytes per sample.
    pub fn bytes(self) -> usize {
        usize::from(self.bits() / 8)
    }

    /// Whether the samples are floating point.
    pub fn is_float(self) -> bool {
        self == Self::Float32
    }

    /// Decodes `bytes` (a whole number of samples) into `out`, one `f32` per
    /// sample. `out` must hold `bytes.len() / self.bytes()` samples.
    pub fn decode(self, bytes: &[u8], out: &mut [f32]) {
        debug_assert_eq!(bytes.len(), out.len() * self.bytes());
        match self {
            Self::Int16 => {
                const SCALE: f32 = 1.0 / 32768.0;
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                    *o = f32::from(i16::from_le_bytes([b[0], b[1]])) * SCALE;
                }
            }
            Self::Int24 => decode_int24(bytes, out),
            Self::Float32 => {
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                    *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
            }
        }
    }

    /// Encodes `samples` into `out` (resized to fit) and returns how many
    /// samples were clipped to the integer range (always 0 for float).
    pub fn encode(self, samples: &[f32], out: &mut Vec<u8>) -> u64 {
        out.resize(samples.len() * self.bytes(), 0);
        match self {
            Self::Int16 => {
                let mut clipped = 0u64;
                for (s, b) in samples.iter().zip(out.chunks_exact_mut(2)) {
                    let (v, c) = quantize(*s, 32768.0, -32768.0, 32767.0);
                    clipped += u64::from(c);
                    b.copy_from_slice(&(v as i16).to_le_bytes());
                }
                clipped
            }
            Self::Int24 => encode_int24(samples, out),
            Self::Float32 => {
                for (s, b) in samples.iter().zip(out.chunks_exact_mut(4)) {
                    b.copy_from_slice(&s.to_le_bytes());
                }
                0
            }
        }
    }
}

/// Decodes packed 24-bit samples, with AVX2 where the CPU has it. Every
/// operation is exact (integer to float, times a power of two), so the result
/// is bit-identical on any CPU.
fn decode_int24(bytes: &[u8], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { decode_int24_avx2(bytes, out) };
        return;
    }
    decode_int24_portable(bytes, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn decode_int24_avx2(bytes: &[u8], out: &mut [f32]) {
    decode_int24_portable(bytes, out);
}

#[inline(always)]
fn decode_int24_portable(bytes: &[u8], out: &mut [f32]) {
    // Four samples (12 bytes, three little-endian words) at a
    // time, which the compiler turns into straight-line code.
    let quads = out.len() / 4;
    let (head_out, tail_out) = out.split_at_mut(quads * 4);
    let (head_in, tail_in) = bytes.split_at(quads * 12);
    for (o, b) in head_out.chunks_exact_mut(4).zip(head_in.chunks_exact(12)) {
        let a = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let c = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        let d = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        o[0] = ((a << 8) as i32 >> 8) as f32 * SCALE_24;
        o[1] = ((((a >> 24) | (c << 8)) << 8) as i32 >> 8) as f32 * SCALE_24;
        o[2] = ((((c >> 16) | (d << 16)) << 8) as i32 >> 8) as f32 * SCALE_24;
        o[3] = (d as i32 >> 8) as f32 * SCALE_24;
    }
    for (o, b) in tail_out.iter_mut().zip(tail_in.chunks_exact(3)) {
        let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
        *o = v as f32 * SCALE_24;
    }
}

/// Encodes to packed 24-bit samples, with AVX2 where the CPU has it; the
/// arithmetic is exact IEEE `f64`, so the bytes are identical on any CPU.
/// Returns the number of clipped samples.
fn encode_int24(samples: &[f32], out: &mut [u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { encode_int24_avx2(samples, out) };
    }
    encode_int24_portable(samples, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn encode_int24_avx2(samples: &[f32], out: &mut [u8]) -> u64 {
    encode_int24_portable(samples, out)
}

#[inline(always)]
fn encode_int24_portable(samples: &[f32], out: &mut [u8]) -> u64 {
    let q = |s: f32| quantize(s, 8_388_608.0, -8_388_608.0, 8_388_607.0);
    let mut clipped = 0u64;
    let quads = samples.len() / 4;
    let (head_in, tail_in) = samples.split_at(quads * 4);
    let (head_out, tail_out) = out.split_at_mut(quads * 12);
    for (s, b) in head_in.chunks_exact(4).zip(head_out.chunks_exact_mut(12)) {
        let (v0, c0) = q(s[0]);
        let (v1, c1) = q(s[1]);
        let (v2, c2) = q(s[2]);
        let (v3, c3) = q(s[3]);
        clipped += u64::from(u8::from(c0) + u8::from(c1) + u8::from(c2) + u8::from(c3));
        let (v0, v1, v2, v3) = (v0 as u32, v1 as u32, v2 as u32, v3 as u32);
        let a = (v0 & 0xFF_FFFF) | (v1 << 24);
        let c = ((v1 >> 8) & 0xFFFF) | (v2 << 16);
        let d = ((v2 >> 16) & 0xFF) | (v3 << 8);
        b[0..4].copy_from_slice(&a.to_le_bytes());
        b[4..8].copy_from_slice(&c.to_le_bytes());
        b[8..12].copy_from_slice(&d.to_le_bytes());
    }
    for (s, b) in tail_in.iter().zip(tail_out.chunks_exact_mut(3)) {
        let (v, c) = q(*s);
        clipped += u64::from(c);
        b.copy_from_slice(&v.to_le_bytes()[..3]);
    }
    clipped
}

/// Scales, rounds half away from zero and clips one sample. Done in `f64`,
/// where `sample * scale ± 0.5` is exact, so rounding is exact too. NaN
/// becomes 0 and counts as clipped.
#[inline(always)]
fn quantize(sample: f32, scale: f64, min: f64, max: f64) -> (i32, bool) {
    let v = f64::from(sample) * scale;
    let rounded = v + 0.5f64.copysign(v);
    let clipped = !(rounded > min - 1.0 && rounded < max + 1.0);
    let clamped = rounded.clamp(min, max);
    // `as` truncates toward zero, completing round-half-away; NaN gives 0.
    (clamped as i32, clipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int24_round_trips_every_edge() {
        let values: Vec<i32> = vec![-8_388_608, -8_388_607, -1, 0, 1, 4_660_803, 8_388_607];
        let mut bytes = Vec::new();
        for v in &values {
            bytes.extend_from_slice(&v.to_le_bytes()[..3]);
        }
        let mut decoded = vec![0.0; values.len()];
        SampleFormat::Int24.decode(&bytes, &mut decoded);
        for (d, v) in decoded.iter().zip(&values) {
            assert_eq!(*d, *v as f32 / 8_388_608.0);
        }
        let mut encoded = Vec::new();
        assert_eq!(SampleFormat::Int24.encode(&decoded, &mut encoded), 0);
        assert_eq!(encoded, bytes);
    }

    #[test]
    fn int24_blocks_of_every_length_match_sample_by_sample() {
        for len in 0..11 {
            let samples: Vec<f32> = (0..len)
                .map(|i| {
                    if i == 3 {
                        1.5
                    } else {
                        (i as f32 * 0.37 - 1.1).sin() * 0.99
                    }
                })
                .collect();
            let mut bytes = Vec::new();
            let clipped = SampleFormat::Int24.encode(&samples, &mut bytes);
            assert_eq!(clipped, u64::from(len > 3));
            let mut expected = Vec::new();
            for s in &samples {
                let v = (f64::from(*s) * 8_388_608.0)
                    .round()
                    .clamp(-8_388_608.0, 8_388_607.0) as i32;
                expected.extend_from_slice(&v.to_le_bytes()[..3]);
            }
            assert_eq!(bytes, expected, "length {len}");
            let mut decoded = vec![0.0; len];
            SampleFormat::Int24.decode(&bytes, &mut decoded);
            for (d, b) in decoded.iter().zip(expected.chunks_exact(3)) {
                assert_eq!(
                    *d,
                    (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0
                );
            }
        }
    }

    #[test]
    fn the_portable_and_dispatched_paths_agree_bit_for_bit() {
        let mut state = 7u64;
        let samples: Vec<f32> = (0..10_007)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                f32::from_bits((state >> 33) as u32 & 0x3FFF_FFFF)
                    * if state & 1 == 0 { 1.0 } else { -1.0 }
            })
            .collect();
        let mut fast = vec![0u8; samples.len() * 3];
        let mut portable = vec![0u8; samples.len() * 3];
        assert_eq!(
            encode_int24(&samples, &mut fast),
            encode_int24_portable(&samples, &mut portable)
        );
        assert_eq!(fast, portable);
        let mut fast_f = vec![0.0f32; samples.len()];
        let mut portable_f = vec![0.0f32; samples.len()];
        decode_int24(&fast, &mut fast_f);
        decode_int24_portable(&fast, &mut portable_f);
        assert!(fast_f
            .iter()
            .zip(&portable_f)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn rounding_and_clipping_are_counted() {
        let lsb = 1.0 / 32768.0;
        let samples = [
            0.49 * lsb,
            0.51 * lsb,
            -0.51 * lsb,
            1.0,
            -1.0,
            1.5,
            -2.0,
            f32::NAN,
        ];
        let mut out = Vec::new();
        let clipped = SampleFormat::Int16.encode(&samples, &mut out);
        let ints: Vec<i16> = out
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(ints, [0, 1, -1, 32767, -32768, 32767, -32768, 0]);
        // 1.0 rounds to 32768 which does not fit; 1.5, -2.0 and NaN clip too.
        assert_eq!(clipped, 4);
    }

    #[test]
    fn float_is_bit_exact() {
        let samples = [0.25f32, -1.75, 1e-9];
        let mut out = Vec::new();
        assert_eq!(SampleFormat::Float32.encode(&samples, &mut out), 0);
        let mut back = [0.0; 3];
        SampleFormat::Float32.decode(&out, &mut back);
        assert_eq!(back, samples);
    }
}
