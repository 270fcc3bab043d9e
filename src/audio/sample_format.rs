//! Sample encodings of WAV data and their whole-block conversion to and from
//! interleaved `f32`.
//!
//! Integer samples map to `f32` by dividing by 2^(bits-1), so full scale is
//! [-1, 1). The reverse multiplies by 2^(bits-1), rounds to nearest (half
//! away from zero) and clips to the integer range, counting clipped samples.
//! The loops work on whole blocks of bytes so the compiler can vectorise them.

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
            Self::Int24 => {
                const SCALE: f32 = 1.0 / 8_388_608.0;
                for (o, b) in out.iter_mut().zip(bytes.chunks_exact(3)) {
                    let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                    *o = v as f32 * SCALE;
                }
            }
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
            Self::Int24 => {
                let mut clipped = 0u64;
                for (s, b) in samples.iter().zip(out.chunks_exact_mut(3)) {
                    let (v, c) = quantize(*s, 8_388_608.0, -8_388_608.0, 8_388_607.0);
                    clipped += u64::from(c);
                    let bytes = v.to_le_bytes();
                    b.copy_from_slice(&bytes[..3]);
                }
                clipped
            }
            Self::Float32 => {
                for (s, b) in samples.iter().zip(out.chunks_exact_mut(4)) {
                    b.copy_from_slice(&s.to_le_bytes());
                }
                0
            }
        }
    }
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
