//! The loudspeaker layouts the renderer targets, as ITU-R BS.2051 defines
//! them and ITU-R BS.2127 places them for cartesian (allocentric)
//! rendering, in sndtrk's channel labels and WAV order.
//!
//! sndtrk orders channels as WAVE_FORMAT_EXTENSIBLE does (REFERENCE.md,
//! "Channel layouts in WAV"): its 7.1 is L R C LFE Lrs Rrs Lss Rss while
//! BS.2051's 0+7+0 lists M+030 M-030 M+000 LFE1 M+090 M-090 M+135 M-135, so
//! every speaker here is matched by label, never by position in a list.
//!
//! Each loudspeaker has its BS.2051 name (`M+030`: middle layer, azimuth
//! +30 degrees, positive to the left), its nominal azimuth and elevation in
//! degrees (BS.2051 Table 1 onwards, systems A, B, C, I and J), and its
//! allocentric position in the room-centric cube: X from left -1 to right
//! 1, Y from back -1 to front 1, Z from 0 (ear height) to 1 (ceiling),
//! LFE below the floor at Z = -1. BS.2127 places the allocentric
//! loudspeakers on the cube's corners and edge midpoints: the front pair
//! and the front heights at the front corners (Y = 1), the centre at the
//! front midpoint, the side surrounds at the side midpoints (Y = 0), the
//! rear surrounds (and 5.1's surrounds at ±110 degrees) at the rear
//! corners (Y = -1).

/// A room-centric cartesian position (Dolby Atmos / ADM `cartesian=1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// Left -1 to right 1.
    pub x: f64,
    /// Back -1 to front 1.
    pub y: f64,
    /// Ear height 0 to ceiling 1 (LFE at -1).
    pub z: f64,
}

impl Position {
    /// The position (x, y, z).
    pub const fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }

    pub(crate) fn is_finite(&self) -> bool {
        self.x.is_finite() && self.y.is_finite() && self.z.is_finite()
    }
}

/// One loudspeaker of a target layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speaker {
    /// sndtrk's channel label (`stdlib/layouts.sndtrk`).
    pub label: &'static str,
    /// The ITU-R BS.2051 loudspeaker name.
    pub bs2051: &'static str,
    /// Nominal azimuth in degrees, positive to the left.
    pub azimuth: f64,
    /// Nominal elevation in degrees.
    pub elevation: f64,
    /// The allocentric position BS.2127 renders cartesian content with.
    pub position: Position,
    /// Whether this is a low-frequency effects channel.
    pub lfe: bool,
}

const fn spk(
    label: &'static str,
    bs2051: &'static str,
    azimuth: f64,
    elevation: f64,
    (x, y, z): (f64, f64, f64),
) -> Speaker {
    Speaker {
        label,
        bs2051,
        azimuth,
        elevation,
        position: Position::new(x, y, z),
        lfe: false,
    }
}

const L: Speaker = spk("L", "M+030", 30.0, 0.0, (-1.0, 1.0, 0.0));
const R: Speaker = spk("R", "M-030", -30.0, 0.0, (1.0, 1.0, 0.0));
const C: Speaker = spk("C", "M+000", 0.0, 0.0, (0.0, 1.0, 0.0));
const LFE: Speaker = Speaker {
    lfe: true,
    ..spk("LFE", "LFE1", 45.0, -30.0, (-1.0, 1.0, -1.0))
};
const LS: Speaker = spk("Ls", "M+110", 110.0, 0.0, (-1.0, -1.0, 0.0));
const RS: Speaker = spk("Rs", "M-110", -110.0, 0.0, (1.0, -1.0, 0.0));
const LSS: Speaker = spk("Lss", "M+090", 90.0, 0.0, (-1.0, 0.0, 0.0));
const RSS: Speaker = spk("Rss", "M-090", -90.0, 0.0, (1.0, 0.0, 0.0));
const LRS: Speaker = spk("Lrs", "M+135", 135.0, 0.0, (-1.0, -1.0, 0.0));
const RRS: Speaker = spk("Rrs", "M-135", -135.0, 0.0, (1.0, -1.0, 0.0));
const LTF30: Speaker = spk("Ltf", "U+030", 30.0, 30.0, (-1.0, 1.0, 1.0));
const RTF30: Speaker = spk("Rtf", "U-030", -30.0, 30.0, (1.0, 1.0, 1.0));
const LTF45: Speaker = spk("Ltf", "U+045", 45.0, 30.0, (-1.0, 1.0, 1.0));
const RTF45: Speaker = spk("Rtf", "U-045", -45.0, 30.0, (1.0, 1.0, 1.0));
const LTR: Speaker = spk("Ltr", "U+135", 135.0, 30.0, (-1.0, -1.0, 1.0));
const RTR: Speaker = spk("Rtr", "U-135", -135.0, 30.0, (1.0, -1.0, 1.0));

const STEREO: &[Speaker] = &[L, R];
const S51: &[Speaker] = &[L, R, C, LFE, LS, RS];
const S512: &[Speaker] = &[L, R, C, LFE, LS, RS, LTF30, RTF30];
const S71: &[Speaker] = &[L, R, C, LFE, LRS, RRS, LSS, RSS];
const S714: &[Speaker] = &[L, R, C, LFE, LRS, RRS, LSS, RSS, LTF45, RTF45, LTR, RTR];

/// A loudspeaker layout the renderer can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetLayout {
    /// 2.0, BS.2051 system A (0+2+0).
    Stereo,
    /// 5.1, system B (0+5+0).
    Surround51,
    /// 5.1.2, system C (2+5+0): 5.1 with Ltf Rtf at ±30 degrees, 30 up.
    Surround512,
    /// 7.1, system I (0+7+0).
    Surround71,
    /// 7.1.4, system J (4+7+0).
    Surround714,
}

impl TargetLayout {
    /// Every target layout.
    pub const ALL: [TargetLayout; 5] = [
        Self::Stereo,
        Self::Surround51,
        Self::Surround512,
        Self::Surround71,
        Self::Surround714,
    ];

    /// The target with sndtrk's layout name (`2.0`, `5.1`, `5.1.2`, `7.1`,
    /// `7.1.4`) or its BS.2051 name (`0+2+0`, `0+5+0`, `2+5+0`, `0+7+0`,
    /// `4+7+0`).
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name() == name || t.bs2051_name() == name)
    }

    /// sndtrk's layout name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stereo => "2.0",
            Self::Surround51 => "5.1",
            Self::Surround512 => "5.1.2",
            Self::Surround71 => "7.1",
            Self::Surround714 => "7.1.4",
        }
    }

    /// The ITU-R BS.2051 name (`layers` notation, upper+middle+bottom).
    pub fn bs2051_name(self) -> &'static str {
        match self {
            Self::Stereo => "0+2+0",
            Self::Surround51 => "0+5+0",
            Self::Surround512 => "2+5+0",
            Self::Surround71 => "0+7+0",
            Self::Surround714 => "4+7+0",
        }
    }

    /// The loudspeakers in sndtrk's WAV order.
    pub fn speakers(self) -> &'static [Speaker] {
        match self {
            Self::Stereo => STEREO,
            Self::Surround51 => S51,
            Self::Surround512 => S512,
            Self::Surround71 => S71,
            Self::Surround714 => S714,
        }
    }

    /// The number of channels.
    pub fn channels(self) -> usize {
        self.speakers().len()
    }

    /// The channel labels in WAV order.
    pub fn labels(self) -> Vec<&'static str> {
        self.speakers().iter().map(|s| s.label).collect()
    }

    /// The index of the channel with this sndtrk label.
    pub fn index_of(self, label: &str) -> Option<usize> {
        self.speakers().iter().position(|s| s.label == label)
    }
}
