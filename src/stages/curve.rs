//! The loudness curve a measurement stage stores after its JSON: the
//! momentary (400 ms) and short-term (3 s) loudness and the true peak of
//! each 100 ms of the deliverable (10 points a second, the step EBU Tech
//! 3341 gives the short-term loudness), for the QC report's plots.
//!
//! Compact, since a two-hour film has 72 000 points per curve: each value
//! is an `i16` of hundredths of a LU or dB (±327.67), little-endian, after
//! a four-byte tag and the point count; 6 bytes a point, 432 kB for two
//! hours. [`NONE`] marks a point whose window is not full yet (the first
//! 300 ms of the momentary loudness, 2.9 s of the short-term); silence is
//! the lowest value, [`SILENCE`].

/// A point without a value: its window is not full yet.
pub const NONE: i16 = i16::MIN;
/// Silence (`-inf`), and anything below -327.66.
pub const SILENCE: i16 = i16::MIN + 1;

/// Points per second.
pub const POINTS_PER_SECOND: u32 = 10;

const TAG: &[u8; 4] = b"LC10";

/// The three curves of one deliverable, one point per 100 ms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Curve {
    /// Momentary loudness, hundredths of a LUFS.
    pub momentary: Vec<i16>,
    /// Short-term loudness, hundredths of a LUFS.
    pub short_term: Vec<i16>,
    /// True peak over the 100 ms, hundredths of a dBTP.
    pub true_peak: Vec<i16>,
}

/// A level in hundredths, clamped to what an `i16` holds.
fn hundredths(level: Option<f64>) -> i16 {
    match level {
        None => NONE,
        Some(level) if level.is_nan() => NONE,
        Some(level) => {
            let scaled = (level * 100.0).round();
            if scaled <= f64::from(SILENCE) {
                SILENCE
            } else if scaled >= f64::from(i16::MAX) {
                i16::MAX
            } else {
                scaled as i16
            }
        }
    }
}

/// A stored value as a level: `None` without one, `-inf` for silence.
pub fn level(value: i16) -> Option<f64> {
    match value {
        NONE => None,
        SILENCE => Some(f64::NEG_INFINITY),
        value => Some(f64::from(value) / 100.0),
    }
}

impl Curve {
    /// Adds the point of the 100 ms just measured: momentary and
    /// short-term loudness in LUFS (`None` before their window is full),
    /// and the true peak (linear).
    pub fn push(&mut self, momentary: Option<f64>, short_term: Option<f64>, peak: f64) {
        self.momentary.push(hundredths(momentary));
        self.short_term.push(hundredths(short_term));
        let peak_db = crate::audio::loudness::amplitude_to_db(peak);
        self.true_peak.push(hundredths(Some(peak_db)));
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.momentary.len()
    }

    /// Whether it has no point.
    pub fn is_empty(&self) -> bool {
        self.momentary.is_empty()
    }

    /// The bytes stored after the measurement's JSON line.
    pub fn encode(&self) -> Vec<u8> {
        let points = self.len();
        let mut bytes = Vec::with_capacity(8 + points * 6);
        bytes.extend_from_slice(TAG);
        bytes.extend_from_slice(&u32::try_from(points).unwrap_or(u32::MAX).to_le_bytes());
        for series in [&self.momentary, &self.short_term, &self.true_peak] {
            for value in series.iter().take(points) {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        bytes
    }

    /// The curve of a measurement stage's whole output object (after its
    /// first line), if it has one.
    pub fn from_object(object: &[u8]) -> Option<Curve> {
        let start = object.iter().position(|byte| *byte == b'\n')? + 1;
        Curve::decode(&object[start..])
    }

    /// Reads what [`Curve::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Option<Curve> {
        let rest = bytes.strip_prefix(TAG.as_slice())?;
        let (count, rest) = rest.split_first_chunk::<4>()?;
        let points = usize::try_from(u32::from_le_bytes(*count)).ok()?;
        if rest.len() != points.checked_mul(6)? {
            return None;
        }
        let values: Vec<i16> = rest
            .chunks_exact(2)
            .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        Some(Curve {
            momentary: values[..points].to_vec(),
            short_term: values[points..2 * points].to_vec(),
            true_peak: values[2 * points..].to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curve_round_trips_in_six_bytes_a_point() {
        let mut curve = Curve::default();
        curve.push(None, None, 0.0);
        curve.push(Some(-23.456), None, 0.5);
        curve.push(Some(-1000.0), Some(-20.0), 1.0);
        let bytes = curve.encode();
        assert_eq!(bytes.len(), 8 + 3 * 6);
        let back = Curve::decode(&bytes).unwrap();
        assert_eq!(back, curve);
        assert_eq!(level(back.momentary[0]), None);
        assert_eq!(level(back.momentary[1]), Some(-23.46));
        assert_eq!(level(back.momentary[2]), Some(f64::NEG_INFINITY));
        assert_eq!(level(back.true_peak[0]), Some(f64::NEG_INFINITY));
        assert_eq!(level(back.true_peak[2]), Some(0.0));
        let mut object = b"{\"a\":1}\n".to_vec();
        object.extend(&bytes);
        assert_eq!(Curve::from_object(&object), Some(curve));
        assert_eq!(Curve::decode(&bytes[..bytes.len() - 1]), None);
    }
}
