//! Channel layouts as data: a name, the channel labels in file order and the
//! WAVE_FORMAT_EXTENSIBLE speaker mask.
//!
//! The standard layouts (1.0, 2.0, 5.1, 7.1, 7.1.4) are built in; the recipe
//! front end can build any other from a list of labels, so the stdlib can
//! define layouts in the language itself. Mask bits and orders follow the
//! Microsoft WAVEFORMATEXTENSIBLE speaker positions (see REFERENCE.md,
//! "Channel layouts in WAV").

use super::error::AudioError;

/// Speaker label and its WAVE_FORMAT_EXTENSIBLE mask bit. Several labels may
/// share a bit: `Ls` (5.1 surround) and `Lss` (7.1 side surround) are both
/// SPEAKER_SIDE_LEFT.
const LABEL_BITS: &[(&str, u32)] = &[
    ("L", 0x1),
    ("R", 0x2),
    ("C", 0x4),
    ("LFE", 0x8),
    ("Lrs", 0x10),
    ("Rrs", 0x20),
    ("Lc", 0x40),
    ("Rc", 0x80),
    ("Cs", 0x100),
    ("Ls", 0x200),
    ("Rs", 0x400),
    ("Lss", 0x200),
    ("Rss", 0x400),
    ("Tc", 0x800),
    ("Ltf", 0x1000),
    ("Ctf", 0x2000),
    ("Rtf", 0x4000),
    ("Ltr", 0x8000),
    ("Ctr", 0x10000),
    ("Rtr", 0x20000),
];

/// The WAVE_FORMAT_EXTENSIBLE mask bit of a speaker label, if it has one.
pub fn label_mask_bit(label: &str) -> Option<u32> {
    LABEL_BITS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, bit)| *bit)
}

/// An ordered set of named channels, as found in a WAV file or a recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelLayout {
    name: String,
    labels: Vec<String>,
    mask: u32,
}

impl ChannelLayout {
    /// Builds a layout from its channel labels in file order. The WAV mask is
    /// the union of the labels' speaker bits when every label has a distinct
    /// bit and the bits ascend (the only order a mask can express); otherwise
    /// it is 0, "no speaker assignment".
    pub fn new<S: AsRef<str>>(name: &str, labels: &[S]) -> Result<Self, AudioError> {
        let invalid = |detail: String| AudioError::InvalidLayout {
            name: name.to_string(),
            detail,
        };
        if labels.is_empty() {
            return Err(invalid("a layout needs at least one channel".into()));
        }
        let labels: Vec<String> = labels.iter().map(|l| l.as_ref().to_string()).collect();
        for (i, label) in labels.iter().enumerate() {
            if label.is_empty() || label.chars().any(char::is_whitespace) {
                return Err(invalid(format!(
                    "channel {} has an empty or spaced label",
                    i + 1
                )));
            }
            if labels[..i].contains(label) {
                return Err(invalid(format!("channel `{label}` appears twice")));
            }
        }
        let mut mask = 0u32;
        let mut last = 0u32;
        for label in &labels {
            match label_mask_bit(label) {
                Some(bit) if bit > last => {
                    mask |= bit;
                    last = bit;
                }
                _ => {
                    mask = 0;
                    break;
                }
            }
        }
        Ok(Self {
            name: name.to_string(),
            labels,
            mask,
        })
    }

    /// Mono: C (mask 0x4).
    pub fn mono() -> Self {
        Self::standard("1.0", &["C"])
    }

    /// Stereo: L R (mask 0x3).
    pub fn stereo() -> Self {
        Self::standard("2.0", &["L", "R"])
    }

    /// 5.1: L R C LFE Ls Rs with the side mask 0x60F (ffmpeg's and sox's default).
    pub fn surround_5_1() -> Self {
        Self::standard("5.1", &["L", "R", "C", "LFE", "Ls", "Rs"])
    }

    /// 7.1: L R C LFE Lrs Rrs Lss Rss (FL FR FC LFE BL BR SL SR, mask 0x63F).
    pub fn surround_7_1() -> Self {
        Self::standard("7.1", &["L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss"])
    }

    /// 7.1.4: 7.1 then Ltf Rtf Ltr Rtr (TFL TFR TBL TBR, mask 0x2D63F).
    pub fn surround_7_1_4() -> Self {
        Self::standard(
            "7.1.4",
            &[
                "L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss", "Ltf", "Rtf", "Ltr", "Rtr",
            ],
        )
    }

    /// The generic fallback for `channels` channels without speaker
    /// positions: labels `Ch1`, `Ch2`, ... and mask 0.
    pub fn generic(channels: usize) -> Self {
        Self {
            name: format!("{channels}ch"),
            labels: (1..=channels).map(|i| format!("Ch{i}")).collect(),
            mask: 0,
        }
    }

    /// The built-in layout with this name (`1.0`, `2.0`, `5.1`, `7.1`, `7.1.4`).
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "1.0" => Some(Self::mono()),
            "2.0" => Some(Self::stereo()),
            "5.1" => Some(Self::surround_5_1()),
            "7.1" => Some(Self::surround_7_1()),
            "7.1.4" => Some(Self::surround_7_1_4()),
            _ => None,
        }
    }

    /// The layout a WAV file declares with `mask` over `channels` channels.
    /// 5.1 is recognised with both the side (0x60F) and the back (0x3F) mask;
    /// the mask read is kept. A mask whose bit count differs from the channel
    /// count, or 0, gives the standard layout for 1, 2, 6, 8 or 12 channels
    /// when `mask` is 0 and otherwise the generic layout.
    pub fn from_wav_mask(mask: u32, channels: usize) -> Self {
        let standards = [
            Self::mono(),
            Self::stereo(),
            Self::surround_5_1(),
            Self::surround_7_1(),
            Self::surround_7_1_4(),
        ];
        if let Some(layout) = standards
            .iter()
            .find(|l| l.mask == mask && l.channels() == channels)
        {
            return layout.clone();
        }
        if mask == 0x3F && channels == 6 {
            let mut layout = Self::surround_5_1();
            layout.mask = 0x3F;
            return layout;
        }
        if mask == 0 {
            return match channels {
                1 => Self::mono(),
                2 => Self::stereo(),
                _ => Self::generic(channels),
            };
        }
        if mask.count_ones() as usize == channels {
            let has_back = mask & 0x30 != 0;
            let labels: Vec<&str> = (0..32)
                .map(|b| 1u32 << b)
                .filter(|bit| mask & bit != 0)
                .filter_map(|bit| {
                    LABEL_BITS
                        .iter()
                        .filter(|(_, b)| *b == bit)
                        .map(|(name, _)| *name)
                        // Side surrounds are Ls/Rs alone, Lss/Rss beside backs.
                        .find(|name| !(has_back && (*name == "Ls" || *name == "Rs")))
                })
                .collect();
            if labels.len() == channels {
                return Self {
                    name: format!("{channels}ch"),
                    labels: labels.into_iter().map(String::from).collect(),
                    mask,
                };
            }
        }
        Self::generic(channels)
    }

    fn standard(name: &str, labels: &[&str]) -> Self {
        let mask = labels
            .iter()
            .filter_map(|label| label_mask_bit(label))
            .fold(0, |mask, bit| mask | bit);
        Self {
            name: name.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            mask,
        }
    }

    /// The layout's name, e.g. `5.1`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The channel labels in file order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The number of channels.
    pub fn channels(&self) -> usize {
        self.labels.len()
    }

    /// The WAVE_FORMAT_EXTENSIBLE channel mask (0 when unassigned).
    pub fn mask(&self) -> u32 {
        self.mask
    }

    /// The index of the channel with this label.
    pub fn index_of(&self, label: &str) -> Result<usize, AudioError> {
        self.labels
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| AudioError::NoSuchChannel {
                layout: self.name.clone(),
                channel: label.to_string(),
                available: self.labels.join(" "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_masks_match_reference() {
        assert_eq!(ChannelLayout::mono().mask(), 0x4);
        assert_eq!(ChannelLayout::stereo().mask(), 0x3);
        assert_eq!(ChannelLayout::surround_5_1().mask(), 0x60F);
        assert_eq!(ChannelLayout::surround_7_1().mask(), 0x63F);
        assert_eq!(ChannelLayout::surround_7_1_4().mask(), 0x2D63F);
    }

    #[test]
    fn labels_build_the_same_layout() {
        let labels = ["L", "R", "C", "LFE", "Ls", "Rs"];
        let layout = ChannelLayout::new("5.1", &labels).unwrap();
        assert_eq!(layout, ChannelLayout::surround_5_1());
        // An order the mask cannot express gets no mask.
        let odd = ChannelLayout::new("odd", &["R", "L"]).unwrap();
        assert_eq!(odd.mask(), 0);
        let custom = ChannelLayout::new("3.0", &["L", "R", "C"]).unwrap();
        assert_eq!(custom.mask(), 0x7);
    }

    #[test]
    fn both_5_1_masks_read_as_5_1() {
        let side = ChannelLayout::from_wav_mask(0x60F, 6);
        let back = ChannelLayout::from_wav_mask(0x3F, 6);
        assert_eq!(side.name(), "5.1");
        assert_eq!(back.name(), "5.1");
        assert_eq!(back.labels(), side.labels());
        assert_eq!(back.mask(), 0x3F);
    }

    #[test]
    fn unknown_masks_fall_back() {
        let layout = ChannelLayout::from_wav_mask(0, 4);
        assert_eq!(layout.labels(), ["Ch1", "Ch2", "Ch3", "Ch4"]);
        let quad = ChannelLayout::from_wav_mask(0x33, 4);
        assert_eq!(quad.labels(), ["L", "R", "Lrs", "Rrs"]);
        assert_eq!(ChannelLayout::from_wav_mask(0x7, 2).name(), "2ch");
    }

    #[test]
    fn bad_layouts_are_rejected() {
        let err = ChannelLayout::new("x", &["L", "L"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid channel layout `x`: channel `L` appears twice"
        );
        let empty: [&str; 0] = [];
        let err = ChannelLayout::new("none", &empty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid channel layout `none`: a layout needs at least one channel"
        );
        let err = ChannelLayout::stereo().index_of("C").unwrap_err();
        assert_eq!(err.to_string(), "layout `2.0` has no channel `C`");
    }
}
