//! Pan laws: how loud a mono source is in each of two loudspeakers as it
//! moves from one to the other.
//!
//! A law is named by the gain it gives each loudspeaker when the source is
//! midway between them: 0, -3, -4.5 or -6 dB, the depths mixing desks
//! offer (REFERENCE.md, "Pan law"). The -3 dB law is the sine/cosine
//! constant-power law, whose two gains' squares sum to one at every
//! position, so a centred source is 1/√2 (-3.01 dB) in each side (C. Roads,
//! *The Computer Music Tutorial*, MIT Press 1996, the chapter on
//! spatialisation: constant-power panning).
//!
//! The other laws generalise it so that a source exactly at a loudspeaker
//! is in that loudspeaker alone at unity and the midpoint gets the law's
//! gain `g`:
//!
//! - laws at or below -3 dB raise the sine/cosine pair to the power
//!   `p = ln g / ln(1/√2)`: `cos(θ·π/2)^p` and `sin(θ·π/2)^p` for a position
//!   `θ` from 0 (the first loudspeaker) to 1 (the second); `p = 1` is the
//!   -3 dB law, `p = 2` gives `cos²`/`sin²`, whose gains sum to one (the
//!   -6 dB, constant-amplitude law), and -4.5 dB sits between them
//!   (`p ≈ 1.495`);
//! - the 0 dB law keeps both loudspeakers at unity up to the midpoint and
//!   lets the far one fall along the same cosine: `min(1, √2·cos(θ·π/2))`
//!   and `min(1, √2·sin(θ·π/2))`.

use std::f64::consts::{FRAC_1_SQRT_2, FRAC_PI_2, SQRT_2};

/// A pan law, named by its gain at the midpoint between two loudspeakers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PanLaw {
    /// `0dB`: unity in both loudspeakers at the midpoint.
    Zero,
    /// `-3dB` (the default): constant power, 1/√2 in each at the midpoint.
    #[default]
    Minus3,
    /// `-4.5dB`: between constant power and constant amplitude.
    Minus4_5,
    /// `-6dB`: constant amplitude, 0.5 in each at the midpoint.
    Minus6,
}

impl PanLaw {
    /// Every law, in the order the language lists them.
    pub const ALL: [PanLaw; 4] = [
        PanLaw::Minus3,
        PanLaw::Zero,
        PanLaw::Minus4_5,
        PanLaw::Minus6,
    ];

    /// The law written `DB`dB (`-3`, `0`, `-4.5`, `-6`), if there is one.
    pub fn from_db(db: f64) -> Option<PanLaw> {
        PanLaw::ALL.into_iter().find(|law| law.db() == db)
    }

    /// The law's name in dB, as written (`-3` for the -3.01 dB law).
    pub fn db(self) -> f64 {
        match self {
            PanLaw::Zero => 0.0,
            PanLaw::Minus3 => -3.0,
            PanLaw::Minus4_5 => -4.5,
            PanLaw::Minus6 => -6.0,
        }
    }

    /// The gain of each loudspeaker for a source midway between two: 1,
    /// 1/√2 exactly (-3.01 dB), 10^(-4.5/20) or 0.5.
    pub fn centre_gain(self) -> f64 {
        match self {
            PanLaw::Zero => 1.0,
            PanLaw::Minus3 => FRAC_1_SQRT_2,
            PanLaw::Minus4_5 => 10f64.powf(-4.5 / 20.0),
            PanLaw::Minus6 => 0.5,
        }
    }

    /// The exponent `p` of the sine/cosine pair for laws at or below -3 dB.
    fn exponent(self) -> f64 {
        match self {
            PanLaw::Zero | PanLaw::Minus3 => 1.0,
            PanLaw::Minus6 => 2.0,
            PanLaw::Minus4_5 => self.centre_gain().ln() / FRAC_1_SQRT_2.ln(),
        }
    }

    /// The gains of the two loudspeakers for a source at `position`, from 0
    /// (at the first, which then alone sounds, at unity) to 1 (at the
    /// second); positions outside are clamped.
    pub fn gains(self, position: f64) -> (f64, f64) {
        let position = if position.is_nan() {
            0.5
        } else {
            position.clamp(0.0, 1.0)
        };
        if position == 0.0 {
            return (1.0, 0.0);
        }
        if position == 1.0 {
            return (0.0, 1.0);
        }
        if position == 0.5 {
            let gain = self.centre_gain();
            return (gain, gain);
        }
        let (sin, cos) = (position * FRAC_PI_2).sin_cos();
        match self {
            PanLaw::Zero => ((SQRT_2 * cos).min(1.0), (SQRT_2 * sin).min(1.0)),
            _ => {
                let p = self.exponent();
                (cos.powf(p), sin.powf(p))
            }
        }
    }
}

impl std::fmt::Display for PanLaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}dB", self.db())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_law_is_unity_at_a_loudspeaker_and_its_gain_at_the_midpoint() {
        for law in PanLaw::ALL {
            assert_eq!(law.gains(0.0), (1.0, 0.0), "{law}");
            assert_eq!(law.gains(1.0), (0.0, 1.0), "{law}");
            // -3 and -6 dB are the names of 1/√2 (-3.01 dB) and 0.5 (-6.02 dB).
            let gain = match law {
                PanLaw::Zero => 1.0,
                PanLaw::Minus3 => 2f64.sqrt() / 2.0,
                PanLaw::Minus4_5 => 10f64.powf(-4.5 / 20.0),
                PanLaw::Minus6 => 0.5,
            };
            let (a, b) = law.gains(0.5);
            assert_eq!((a, b), (gain, gain), "{law}");
            // The curve itself reaches the same gain at the midpoint.
            let (sin, cos) = std::f64::consts::FRAC_PI_4.sin_cos();
            let curve = match law {
                PanLaw::Zero => (2f64.sqrt() * cos).min(1.0),
                _ => cos.powf(law.exponent()),
            };
            assert!(
                (curve - gain).abs() < 1e-12 && (sin - cos).abs() < 1e-15,
                "{law}"
            );
            // Just off the midpoint, the curve agrees with the midpoint gain.
            let (near, _) = law.gains(0.5 - 1e-9);
            assert!((near - a).abs() < 1e-6, "{law}");
        }
    }

    #[test]
    fn the_minus_3db_law_keeps_the_power_and_the_minus_6db_law_the_amplitude() {
        for step in 0..=100 {
            let position = f64::from(step) / 100.0;
            let (a, b) = PanLaw::Minus3.gains(position);
            assert!((a * a + b * b - 1.0).abs() < 1e-12);
            let (a, b) = PanLaw::Minus6.gains(position);
            assert!((a + b - 1.0).abs() < 1e-12);
            let (a, b) = PanLaw::Zero.gains(position);
            assert!(a.max(b) == 1.0 && a.min(b) <= 1.0);
            let (a, b) = PanLaw::Minus4_5.gains(position);
            assert!(a <= 1.0 && b <= 1.0);
        }
    }

    #[test]
    fn laws_are_read_from_their_names_only() {
        assert_eq!(PanLaw::from_db(-4.5), Some(PanLaw::Minus4_5));
        assert_eq!(PanLaw::from_db(0.0), Some(PanLaw::Zero));
        assert_eq!(PanLaw::from_db(-3.01), None);
        assert_eq!(PanLaw::default(), PanLaw::Minus3);
        assert_eq!(PanLaw::Minus4_5.to_string(), "-4.5dB");
    }
}
