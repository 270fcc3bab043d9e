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

    /// Encodes integer samples (already at this format's depth, e.g. from
    /// the dither quantiser) into `out` (resized to fit). Values outside
    /// the range are clipped. `None` for float, which has no integers.
    pub fn encode_integers(self, samples: &[i32], out: &mut Vec<u8>) -> Option<()> {
        out.resize(samples.len() * self.bytes(), 0);
        match self {
            Self::Int16 => {
                for (s, b) in samples.iter().zip(out.chunks_exact_mut(2)) {
                    let v = (*s).clamp(-32_768, 32_767) as i16;
                    b.copy_from_slice(&v.to_le_bytes());
                }
            }
            Self::Int24 => encode_integers_int24(samples, out),
            Self::Float32 => return None,
        }
        Some(())
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

/// Decodes packed 24-bit samples, with SSSE3 byte shuffles where the CPU has
/// them. Every operation is exact (integer to float, times a power of two),
/// so the result is bit-identical on any CPU.
fn decode_int24(bytes: &[u8], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU supports SSSE3, checked just above.
        unsafe { decode_int24_ssse3(bytes, out) };
        return;
    }
    decode_int24_portable(bytes, out);
}

/// Four samples per step: 16 bytes loaded at 12·k, shuffled so each sample's
/// three bytes fill the top of a 32-bit lane, shifted down arithmetically
/// (sign extension), converted and scaled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn decode_int24_ssse3(bytes: &[u8], out: &mut [f32]) {
    use std::arch::x86_64::{
        __m128i, _mm_cvtepi32_ps, _mm_loadu_si128, _mm_mul_ps, _mm_set1_ps, _mm_setr_epi8,
        _mm_shuffle_epi8, _mm_srai_epi32, _mm_storeu_ps,
    };
    let samples = out.len().min(bytes.len() / 3);
    let shuffle = _mm_setr_epi8(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
    let scale = _mm_set1_ps(SCALE_24);
    let mut k = 0;
    while 4 * k + 4 <= samples && 12 * k + 16 <= bytes.len() {
        // SAFETY: bytes 12k..12k+16 and floats 4k..4k+4 are in bounds (loop
        // condition); unaligned loads and stores are allowed.
        unsafe {
            let v = _mm_loadu_si128(bytes.as_ptr().add(12 * k).cast::<__m128i>());
            let ints = _mm_srai_epi32(_mm_shuffle_epi8(v, shuffle), 8);
            _mm_storeu_ps(
                out.as_mut_ptr().add(4 * k),
                _mm_mul_ps(_mm_cvtepi32_ps(ints), scale),
            );
        }
        k += 1;
    }
    decode_int24_portable(&bytes[12 * k..], &mut out[4 * k..]);
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

/// Packs 24-bit integers (clipped to the range) into 3 bytes each, with
/// SSE4.1 where the CPU has it; both paths give the same bytes.
fn encode_integers_int24(samples: &[i32], out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("sse4.1") {
        // SAFETY: the CPU supports SSE4.1 (and so SSSE3), checked just above.
        unsafe { encode_integers_int24_sse41(samples, out) };
        return;
    }
    encode_integers_int24_portable(samples, out);
}

/// Four samples per step: clipped with `pminsd`/`pmaxsd`, packed to 12
/// bytes with one shuffle. The 16-byte store spills 4 bytes into the next
/// samples' place, which the next step (or the scalar tail) overwrites.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3,sse4.1")]
fn encode_integers_int24_sse41(samples: &[i32], out: &mut [u8]) {
    use std::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm_max_epi32, _mm_min_epi32, _mm_set1_epi32, _mm_setr_epi8,
        _mm_shuffle_epi8, _mm_storeu_si128,
    };
    let count = samples.len().min(out.len() / 3);
    let pack = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    let low = _mm_set1_epi32(-8_388_608);
    let high = _mm_set1_epi32(8_388_607);
    let mut k = 0;
    while 4 * k + 4 <= count && 12 * k + 16 <= out.len() {
        // SAFETY: integers 4k..4k+4 and bytes 12k..12k+16 are in bounds
        // (loop condition); unaligned loads and stores are allowed.
        unsafe {
            let v = _mm_loadu_si128(samples.as_ptr().add(4 * k).cast::<__m128i>());
            let clipped = _mm_max_epi32(_mm_min_epi32(v, high), low);
            _mm_storeu_si128(
                out.as_mut_ptr().add(12 * k).cast::<__m128i>(),
                _mm_shuffle_epi8(clipped, pack),
            );
        }
        k += 1;
    }
    encode_integers_int24_portable(&samples[4 * k..], &mut out[12 * k..]);
}

#[inline(always)]
fn encode_integers_int24_portable(samples: &[i32], out: &mut [u8]) {
    for (s, b) in samples.iter().zip(out.chunks_exact_mut(3)) {
        let v = (*s).clamp(-8_388_608, 8_388_607);
        b.copy_from_slice(&v.to_le_bytes()[..3]);
    }
}

/// Encodes to packed 24-bit samples, with SSSE3 where the CPU has it; both
/// paths compute [`quantize_24`] exactly, so the bytes are identical on any
/// CPU. Returns the number of clipped samples.
fn encode_int24(samples: &[f32], out: &mut [u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU supports SSSE3, checked just above.
        return unsafe { encode_int24_ssse3(samples, out) };
    }
    encode_int24_portable(samples, out)
}

/// Four samples per step, [`quantize_24`] in SSE lanes, then packed to 12
/// bytes with one shuffle. The 16-byte store spills 4 bytes into the next
/// samples' place, which the next step (or the scalar tail) overwrites.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn encode_int24_ssse3(samples: &[f32], out: &mut [u8]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_and_ps, _mm_castps_si128, _mm_cmpge_ps, _mm_cmple_ps,
        _mm_cmplt_ps, _mm_cmpord_ps, _mm_cvtepi32_ps, _mm_cvttps_epi32, _mm_loadu_ps, _mm_max_ps,
        _mm_min_ps, _mm_movemask_ps, _mm_mul_ps, _mm_set1_ps, _mm_setr_epi8, _mm_shuffle_epi8,
        _mm_storeu_si128, _mm_sub_epi32, _mm_sub_ps,
    };
    let count = samples.len().min(out.len() / 3);
    let pack = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    let scale = _mm_set1_ps(8_388_608.0);
    let low = _mm_set1_ps(-8_388_608.0);
    let high = _mm_set1_ps(8_388_607.0);
    let limit = _mm_set1_ps(8_388_607.5);
    let half = _mm_set1_ps(0.5);
    let minus_half = _mm_set1_ps(-0.5);
    let mut clipped = 0u64;
    let mut k = 0;
    while 4 * k + 4 <= count && 12 * k + 16 <= out.len() {
        // SAFETY: floats 4k..4k+4 and bytes 12k..12k+16 are in bounds (loop
        // condition); unaligned loads and stores are allowed.
        unsafe {
            let v = _mm_mul_ps(_mm_loadu_ps(samples.as_ptr().add(4 * k)), scale);
            let ok = _mm_and_ps(_mm_cmpge_ps(v, low), _mm_cmplt_ps(v, limit));
            clipped += u64::from(4 - (_mm_movemask_ps(ok) as u32).count_ones());
            // NaN becomes 0, as `as i32` makes it.
            let v = _mm_and_ps(v, _mm_cmpord_ps(v, v));
            let c = _mm_min_ps(_mm_max_ps(v, low), high);
            let t = _mm_cvttps_epi32(c);
            let fraction = _mm_sub_ps(c, _mm_cvtepi32_ps(t));
            // Comparison masks are -1 where true: t - up + down.
            let up = _mm_castps_si128(_mm_cmpge_ps(fraction, half));
            let down = _mm_castps_si128(_mm_cmple_ps(fraction, minus_half));
            let rounded = _mm_add_epi32(_mm_sub_epi32(t, up), down);
            _mm_storeu_si128(
                out.as_mut_ptr().add(12 * k).cast::<__m128i>(),
                _mm_shuffle_epi8(rounded, pack),
            );
        }
        k += 1;
    }
    clipped + encode_int24_portable(&samples[4 * k..], &mut out[12 * k..])
}

#[inline(always)]
fn encode_int24_portable(samples: &[f32], out: &mut [u8]) -> u64 {
    let q = quantize_24;
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

/// [`quantize`] to 24 bits in `f32` and `i32` only, which vectorises: the
/// scaling by 2^23 is exact, the clamped value's fraction `c - trunc(c)` is
/// exact, so rounding half away from zero is exact and gives the same
/// integer as the `f64` route. NaN becomes 0 and counts as clipped.
#[inline(always)]
fn quantize_24(sample: f32) -> (i32, bool) {
    let v = sample * 8_388_608.0;
    // From 2^23 up every f32 is an integer, so -2^23 - 0.5 is not needed.
    let clipped = !(-8_388_608.0..8_388_607.5).contains(&v);
    let c = v.clamp(-8_388_608.0, 8_388_607.0);
    let t = c as i32;
    let fraction = c - t as f32;
    let rounded = t + i32::from(fraction >= 0.5) - i32::from(fraction <= -0.5);
    (rounded, clipped)
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
    fn integers_encode_as_their_floats_do() {
        // Every length (the 24-bit loop packs four at a time), both depths,
        // and values beyond the range clip.
        for len in 0..11 {
            let values: Vec<i32> = (0..len)
                .map(|i| {
                    [
                        -8_388_609, -8_388_608, -40_000, -1, 0, 1, 32_767, 8_388_607, 9_000_000,
                    ][i % 9]
                        + i as i32 % 3
                })
                .collect();
            for (format, full) in [
                (SampleFormat::Int16, 32_768.0),
                (SampleFormat::Int24, 8_388_608.0),
            ] {
                let floats: Vec<f32> = values
                    .iter()
                    .map(|&v| (f64::from(v) / full) as f32)
                    .collect();
                let (mut expected, mut found) = (Vec::new(), Vec::new());
                format.encode(&floats, &mut expected);
                assert_eq!(format.encode_integers(&values, &mut found), Some(()));
                assert_eq!(found, expected, "{format:?} {len}");
            }
        }
        assert_eq!(
            SampleFormat::Float32.encode_integers(&[1], &mut Vec::new()),
            None
        );
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
        let mut samples = samples;
        samples.extend([
            f32::NAN,
            1.0,
            -1.0,
            1.5,
            f32::INFINITY,
            -1e9,
            0.5 / 8_388_608.0,
        ]);
        samples.extend((0..9).map(|i| (i as f32 - 4.5) / 8_388_608.0));
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
    fn the_24_bit_quantizer_matches_f64_rounding_everywhere() {
        let mut state = 99u64;
        let mut samples: Vec<f32> = (0..200_000)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let x = (state >> 40) as f32 / (1u64 << 24) as f32 * 2.4 - 1.2;
                // Every other value sits exactly on a half step.
                if state & 2 == 0 {
                    ((x * 8_388_608.0).trunc() + 0.5) / 8_388_608.0
                } else {
                    x
                }
            })
            .collect();
        samples.extend([
            f32::NAN,
            f32::INFINITY,
            -f32::INFINITY,
            1e30,
            -1e30,
            0.0,
            -0.0,
        ]);
        samples.extend([1.0, -1.0, 0.999_999_94, -0.999_999_94]);
        for s in samples {
            assert_eq!(
                quantize_24(s),
                quantize(s, 8_388_608.0, -8_388_608.0, 8_388_607.0),
                "{s:e}"
            );
        }
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
