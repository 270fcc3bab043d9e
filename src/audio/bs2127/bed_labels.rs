//! The bed channels of the Dolby Atmos Master ADM Profile: each sndtrk bed
//! label with the profile's `RC_` speaker label and the fixed room-centric
//! cartesian position its audioBlockFormat carries.
//!
//! The profile's beds are 2.0, 3.0, 5.0, 5.1, 7.0, 7.1, 7.0.2 and 7.1.2
//! (REFERENCE.md, "Dolby Atmos master (ADM BWF)"); their channels are
//! drawn from this table. The 5.1 surrounds (`RC_Ls`, `RC_Rs`) sit on the
//! side walls 20 degrees behind the listener (Y = -0.36397, -tan 20°),
//! the 7.1 side and rear surrounds on the side midpoints and rear corners,
//! the 7.1.2 top surrounds overhead at the side midpoints, the LFE below
//! the front left corner.

use super::target::Position;

/// sndtrk bed label, the profile's speaker label, its position.
const BED_CHANNELS: &[(&str, &str, Position)] = &[
    ("L", "RC_L", Position::new(-1.0, 1.0, 0.0)),
    ("R", "RC_R", Position::new(1.0, 1.0, 0.0)),
    ("C", "RC_C", Position::new(0.0, 1.0, 0.0)),
    ("LFE", "RC_LFE", Position::new(-1.0, 1.0, -1.0)),
    ("Ls", "RC_Ls", Position::new(-1.0, -0.36397, 0.0)),
    ("Rs", "RC_Rs", Position::new(1.0, -0.36397, 0.0)),
    ("Lss", "RC_Lss", Position::new(-1.0, 0.0, 0.0)),
    ("Rss", "RC_Rss", Position::new(1.0, 0.0, 0.0)),
    ("Lrs", "RC_Lrs", Position::new(-1.0, -1.0, 0.0)),
    ("Rrs", "RC_Rrs", Position::new(1.0, -1.0, 0.0)),
    ("Lts", "RC_Lts", Position::new(-1.0, 0.0, 1.0)),
    ("Rts", "RC_Rts", Position::new(1.0, 0.0, 1.0)),
];

/// The profile's bed layouts, by sndtrk name, in the profile's channel
/// order (7.1 is L R C LFE Lss Rss Lrs Rrs there, unlike the WAV order).
pub const PROFILE_BEDS: &[(&str, &[&str])] = &[
    ("2.0", &["L", "R"]),
    ("3.0", &["L", "R", "C"]),
    ("5.0", &["L", "R", "C", "Ls", "Rs"]),
    ("5.1", &["L", "R", "C", "LFE", "Ls", "Rs"]),
    ("7.0", &["L", "R", "C", "Lss", "Rss", "Lrs", "Rrs"]),
    ("7.1", &["L", "R", "C", "LFE", "Lss", "Rss", "Lrs", "Rrs"]),
    (
        "7.0.2",
        &["L", "R", "C", "Lss", "Rss", "Lrs", "Rrs", "Lts", "Rts"],
    ),
    (
        "7.1.2",
        &[
            "L", "R", "C", "LFE", "Lss", "Rss", "Lrs", "Rrs", "Lts", "Rts",
        ],
    ),
];

/// The profile's speaker label (`RC_L`) of a sndtrk bed label (`L`).
pub fn speaker_label(label: &str) -> Option<&'static str> {
    BED_CHANNELS
        .iter()
        .find(|(l, _, _)| *l == label)
        .map(|(_, rc, _)| *rc)
}

/// The profile's position of a bed channel, by sndtrk label (`L`) or
/// speaker label (`RC_L`).
pub fn position(label: &str) -> Option<Position> {
    BED_CHANNELS
        .iter()
        .find(|(l, rc, _)| *l == label || *rc == label)
        .map(|(_, _, p)| *p)
}
