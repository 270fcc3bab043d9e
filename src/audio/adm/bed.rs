//! The beds of the Dolby Atmos Master ADM Profile: for each layout it
//! allows (2.0, 3.0, 5.0, 5.1, 7.0, 7.1, 7.0.2, 7.1.2), its channels in the
//! profile's track order, each with its room-centric speaker label (`RC_L`
//! …) and its fixed cartesian position (X left -1 to right 1, Y back -1 to
//! front 1, Z floor 0 to ceiling 1; the LFE below the floor, Z -1).
//!
//! sndtrk's own layouts name the channels `L R C LFE Ls Rs Lss Rss Lrs Rrs
//! Lts Rts`; the WAV order of a 7.1 bus (rear pair before side pair, as
//! the channel mask orders them) is not the profile's (side pair first),
//! so the master finds each bed channel by its label.

/// One bed channel of the profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BedChannel {
    /// The channel's label in sndtrk's layouts (`Lss`).
    pub label: &'static str,
    /// The ADM speaker label (`RC_Lss`).
    pub speaker: &'static str,
    /// The audioChannelFormatName (`RoomCentricLeftSideSurround`).
    pub name: &'static str,
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

impl BedChannel {
    /// Whether this is the low-frequency effects channel.
    pub fn is_lfe(&self) -> bool {
        self.label == "LFE"
    }
}

const fn channel(
    label: &'static str,
    speaker: &'static str,
    name: &'static str,
    x: f64,
    y: f64,
    z: f64,
) -> BedChannel {
    BedChannel {
        label,
        speaker,
        name,
        x,
        y,
        z,
    }
}

const L: BedChannel = channel("L", "RC_L", "RoomCentricLeft", -1.0, 1.0, 0.0);
const R: BedChannel = channel("R", "RC_R", "RoomCentricRight", 1.0, 1.0, 0.0);
const C: BedChannel = channel("C", "RC_C", "RoomCentricCenter", 0.0, 1.0, 0.0);
const LFE: BedChannel = channel("LFE", "RC_LFE", "RoomCentricLFE", -1.0, 1.0, -1.0);
const LS: BedChannel = channel("Ls", "RC_Ls", "RoomCentricLeftSurround", -1.0, -1.0, 0.0);
const RS: BedChannel = channel("Rs", "RC_Rs", "RoomCentricRightSurround", 1.0, -1.0, 0.0);
const LSS: BedChannel = channel(
    "Lss",
    "RC_Lss",
    "RoomCentricLeftSideSurround",
    -1.0,
    0.0,
    0.0,
);
const RSS: BedChannel = channel(
    "Rss",
    "RC_Rss",
    "RoomCentricRightSideSurround",
    1.0,
    0.0,
    0.0,
);
const LRS: BedChannel = channel(
    "Lrs",
    "RC_Lrs",
    "RoomCentricLeftRearSurround",
    -1.0,
    -1.0,
    0.0,
);
const RRS: BedChannel = channel(
    "Rrs",
    "RC_Rrs",
    "RoomCentricRightRearSurround",
    1.0,
    -1.0,
    0.0,
);
const LTS: BedChannel = channel(
    "Lts",
    "RC_Lts",
    "RoomCentricLeftTopSurround",
    -1.0,
    0.0,
    1.0,
);
const RTS: BedChannel = channel(
    "Rts",
    "RC_Rts",
    "RoomCentricRightTopSurround",
    1.0,
    0.0,
    1.0,
);

/// The bed of layout `layout` (a sndtrk layout name) in the profile's
/// track order, if the profile allows it.
pub fn bed(layout: &str) -> Option<&'static [BedChannel]> {
    Some(match layout {
        "2.0" => &[L, R],
        "3.0" => &[L, R, C],
        "5.0" => &[L, R, C, LS, RS],
        "5.1" => &[L, R, C, LFE, LS, RS],
        "7.0" => &[L, R, C, LSS, RSS, LRS, RRS],
        "7.1" => &[L, R, C, LFE, LSS, RSS, LRS, RRS],
        "7.0.2" => &[L, R, C, LSS, RSS, LRS, RRS, LTS, RTS],
        "7.1.2" => &[L, R, C, LFE, LSS, RSS, LRS, RRS, LTS, RTS],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_bed_is_known_and_7_1_2_is_in_the_profile_order() {
        for layout in crate::model::scene::BED_LAYOUTS {
            assert!(bed(layout).is_some(), "{layout}");
        }
        let labels: Vec<&str> = bed("7.1.2").unwrap().iter().map(|c| c.speaker).collect();
        assert_eq!(
            labels,
            [
                "RC_L", "RC_R", "RC_C", "RC_LFE", "RC_Lss", "RC_Rss", "RC_Lrs", "RC_Rrs", "RC_Lts",
                "RC_Rts"
            ]
        );
        assert!(bed("7.1.4").is_none());
    }
}
