//! Placing a mono source at an azimuth on a layout's horizontal ring of
//! loudspeakers.
//!
//! Azimuths follow ITU-R BS.2051 (REFERENCE.md, "Pan law"): 0° is front
//! centre and positive angles are to the LEFT; L/R at ±30°, C at 0°, the
//! 5.1 surrounds Ls/Rs at ±110°, the 7.1 side surrounds Lss/Rss at ±90° and
//! rear surrounds Lrs/Rrs at ±135°. The heights (7.1.4's Ltf Rtf Ltr Rtr,
//! 7.1.2's Lts Rts) and the LFE are not on the ring. A source between two
//! neighbouring loudspeakers of the ring is panned between those two alone
//! (pairwise amplitude panning, as in the two-dimensional case of V. Pulkki,
//! "Virtual Sound Source Positioning Using Vector Base Amplitude Panning",
//! JAES 45(6), 1997), at a position proportional to its angle between them
//! and with the project's [`PanLaw`].

use super::pan_law::PanLaw;

/// The BS.2051 azimuth, in degrees, of a loudspeaker on the horizontal ring.
pub fn azimuth(channel: &str) -> Option<f64> {
    Some(match channel {
        "C" => 0.0,
        "L" => 30.0,
        "R" => -30.0,
        "Lss" => 90.0,
        "Rss" => -90.0,
        "Ls" => 110.0,
        "Rs" => -110.0,
        "Lrs" => 135.0,
        "Rrs" => -135.0,
        _ => return None,
    })
}

/// An angle in degrees brought into (-180, 180].
fn normalise(degrees: f64) -> f64 {
    let turned = degrees.rem_euclid(360.0);
    if turned > 180.0 {
        turned - 360.0
    } else {
        turned
    }
}

/// The gains, by channel index of `channels`, that place a mono source at
/// `degrees` on the ring of those channels: one loudspeaker at 1.0 when the
/// source is at it, else the two neighbours it lies between, at `law`.
/// `None` when the layout has fewer than two loudspeakers on the ring (a
/// mono layout) or the angle is not finite.
pub fn ring_gains<S: AsRef<str>>(
    channels: &[S],
    degrees: f64,
    law: PanLaw,
) -> Option<Vec<(usize, f64)>> {
    if !degrees.is_finite() {
        return None;
    }
    let mut ring: Vec<(f64, usize)> = channels
        .iter()
        .enumerate()
        .filter_map(|(index, channel)| azimuth(channel.as_ref()).map(|angle| (angle, index)))
        .collect();
    if ring.len() < 2 {
        return None;
    }
    ring.sort_by(|a, b| a.0.total_cmp(&b.0));
    let target = normalise(degrees);
    if let Some(&(_, index)) = ring.iter().find(|(angle, _)| *angle == target) {
        return Some(vec![(index, 1.0)]);
    }
    for (position, &(low, first)) in ring.iter().enumerate() {
        let (mut high, second) = ring[(position + 1) % ring.len()];
        if high <= low {
            high += 360.0;
        }
        let mut angle = target;
        if angle < low {
            angle += 360.0;
        }
        if low < angle && angle < high {
            let (a, b) = law.gains((angle - low) / (high - low));
            return Some(vec![(first, a), (second, b)]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_ONE: [&str; 6] = ["L", "R", "C", "LFE", "Ls", "Rs"];

    #[test]
    fn a_source_at_a_loudspeaker_is_in_it_alone() {
        let law = PanLaw::Minus3;
        assert_eq!(ring_gains(&FIVE_ONE, 30.0, law), Some(vec![(0, 1.0)]));
        assert_eq!(ring_gains(&FIVE_ONE, 110.0, law), Some(vec![(4, 1.0)]));
        assert_eq!(ring_gains(&FIVE_ONE, -110.0, law), Some(vec![(5, 1.0)]));
        assert_eq!(ring_gains(&FIVE_ONE, 390.0, law), Some(vec![(0, 1.0)]));
    }

    #[test]
    fn between_two_loudspeakers_the_law_divides_the_source() {
        for law in PanLaw::ALL {
            let centre = law.centre_gain();
            // 70° is midway between L (30°) and Ls (110°).
            assert_eq!(
                ring_gains(&FIVE_ONE, 70.0, law),
                Some(vec![(0, centre), (4, centre)])
            );
            // 180° is midway between Rs (-110°) and Ls (110°), behind.
            assert_eq!(
                ring_gains(&FIVE_ONE, 180.0, law),
                Some(vec![(4, centre), (5, centre)])
            );
            // Stereo: 0° is a phantom centre; 15° three quarters to L.
            assert_eq!(
                ring_gains(&["L", "R"], 0.0, law),
                Some(vec![(1, centre), (0, centre)])
            );
            let (r, l) = law.gains(0.75);
            assert_eq!(
                ring_gains(&["L", "R"], 15.0, law),
                Some(vec![(1, r), (0, l)])
            );
        }
    }

    #[test]
    fn a_mono_layout_has_no_ring() {
        assert_eq!(ring_gains(&["C"], 30.0, PanLaw::Minus3), None);
        assert_eq!(ring_gains(&["L", "R"], f64::NAN, PanLaw::Minus3), None);
        assert_eq!(normalise(-180.0), 180.0);
        assert_eq!(normalise(-190.0), 170.0);
    }
}
