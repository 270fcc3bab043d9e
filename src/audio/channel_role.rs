//! The loudspeaker role of each channel, as far as loudness cares about it.
//!
//! BS.1770-4 weights each channel before summing: 1.0 for the front
//! channels, 1.41 (+1.5 dB) for the surrounds, and the LFE is left out.
//! We follow the convention of ffmpeg's `ebur128` filter and libebur128 for
//! which channels count as surrounds: every side, back and top-back channel
//! gets 1.41, the top-front and top-centre channels 1.0. (BS.1770-4 Table 4
//! strictly gives 1.41 only to channels at 60°–120° azimuth; using ffmpeg's
//! rule keeps `sndtrk measure` in agreement with the tool QC houses run.)

use crate::audio::dsp_error::DspError;

/// One channel's role in the loudness sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelRole {
    /// A mono programme's only channel (weight 1.0).
    Mono,
    /// Front left (L).
    Left,
    /// Front right (R).
    Right,
    /// Front centre (C).
    Center,
    /// Low-frequency effects (LFE): excluded from loudness.
    Lfe,
    /// Left surround (Ls), side or back.
    LeftSurround,
    /// Right surround (Rs), side or back.
    RightSurround,
    /// Left side surround of a 7.1 layout (Lss).
    LeftSideSurround,
    /// Right side surround of a 7.1 layout (Rss).
    RightSideSurround,
    /// Left rear surround of a 7.1 layout (Lrs).
    LeftRearSurround,
    /// Right rear surround of a 7.1 layout (Rrs).
    RightRearSurround,
    /// Back (centre) surround (Cs).
    BackCenter,
    /// Top front left (Ltf).
    TopFrontLeft,
    /// Top front right (Rtf).
    TopFrontRight,
    /// Top front centre (Ctf).
    TopFrontCenter,
    /// Top centre (Tc).
    TopCenter,
    /// Top back left (Ltr).
    TopBackLeft,
    /// Top back right (Rtr).
    TopBackRight,
    /// Top back centre (Ctr).
    TopBackCenter,
    /// Front left of centre (Lc).
    LeftCenter,
    /// Front right of centre (Rc).
    RightCenter,
    /// A channel of unknown position (weight 1.0, as ffmpeg gives it).
    Unassigned,
}

impl ChannelRole {
    /// Parses a channel label such as `L`, `LFE` or `Ls` (ASCII case-insensitive).
    ///
    /// Accepted: `M`, `L`, `R`, `C`, `LFE`, `Ls`, `Rs`, `Lss`, `Rss`, `Lrs`,
    /// `Rrs`, `Cs`, `Ltf`, `Rtf`, `Ctf`, `Tc`, `Ltr`, `Rtr`, `Ctr`, `Lc`, `Rc`,
    /// and the WAVE mask names `FL FR FC BL BR SL SR BC TFL TFR TFC TC TBL
    /// TBR TBC FLC FRC`.
    pub fn from_label(label: &str) -> Result<Self, DspError> {
        let role = match label.to_ascii_uppercase().as_str() {
            "M" | "MONO" => Self::Mono,
            "L" | "FL" => Self::Left,
            "R" | "FR" => Self::Right,
            "C" | "FC" => Self::Center,
            "LFE" => Self::Lfe,
            "LS" => Self::LeftSurround,
            "RS" => Self::RightSurround,
            "LSS" | "SL" => Self::LeftSideSurround,
            "RSS" | "SR" => Self::RightSideSurround,
            "LRS" | "BL" => Self::LeftRearSurround,
            "RRS" | "BR" => Self::RightRearSurround,
            "CS" | "BC" => Self::BackCenter,
            "LTF" | "TFL" => Self::TopFrontLeft,
            "RTF" | "TFR" => Self::TopFrontRight,
            "CTF" | "TFC" => Self::TopFrontCenter,
            "TC" => Self::TopCenter,
            "LTR" | "TBL" => Self::TopBackLeft,
            "RTR" | "TBR" => Self::TopBackRight,
            "CTR" | "TBC" => Self::TopBackCenter,
            "LC" | "FLC" => Self::LeftCenter,
            "RC" | "FRC" => Self::RightCenter,
            _ => {
                return Err(DspError::UnknownChannelLabel {
                    label: label.to_owned(),
                })
            }
        };
        Ok(role)
    }

    /// Parses one label per channel, in file order.
    pub fn from_labels<S: AsRef<str>>(labels: &[S]) -> Result<Vec<Self>, DspError> {
        labels
            .iter()
            .map(|l| Self::from_label(l.as_ref()))
            .collect()
    }

    /// The layout ffmpeg's `ebur128` filter assumes for a plain PCM WAV file
    /// of this many channels (`av_channel_layout_default`, checked channel
    /// by channel against ffmpeg): 1 mono, 2 stereo, 3 = 2.1 (L R LFE),
    /// 4 = 4.0 (L R C Cs), 5 = 5.0, 6 = 5.1, 7 = 6.1 (L R C LFE Cs Lss Rss),
    /// 8 = 7.1; and 12 = 7.1.4, which ffmpeg cannot measure without a mask.
    /// Other counts have no default and need labels.
    pub fn default_layout(channels: usize) -> Result<Vec<Self>, DspError> {
        use ChannelRole::*;
        let layout: &[ChannelRole] = match channels {
            1 => &[Mono],
            2 => &[Left, Right],
            3 => &[Left, Right, Lfe],
            4 => &[Left, Right, Center, BackCenter],
            5 => &[Left, Right, Center, LeftSurround, RightSurround],
            6 => &[Left, Right, Center, Lfe, LeftSurround, RightSurround],
            7 => &[
                Left,
                Right,
                Center,
                Lfe,
                BackCenter,
                LeftSideSurround,
                RightSideSurround,
            ],
            8 => &[
                Left,
                Right,
                Center,
                Lfe,
                LeftRearSurround,
                RightRearSurround,
                LeftSideSurround,
                RightSideSurround,
            ],
            12 => &[
                Left,
                Right,
                Center,
                Lfe,
                LeftRearSurround,
                RightRearSurround,
                LeftSideSurround,
                RightSideSurround,
                TopFrontLeft,
                TopFrontRight,
                TopBackLeft,
                TopBackRight,
            ],
            _ => return Err(DspError::NoDefaultLayout { channels }),
        };
        Ok(layout.to_vec())
    }

    /// The roles for channels named by `labels` when every label is known;
    /// otherwise ffmpeg's default layout for the count; otherwise every
    /// channel [`ChannelRole::Unassigned`] (weight 1), as ffmpeg measures a
    /// file of unknown layout.
    pub fn for_layout<S: AsRef<str>>(labels: &[S]) -> Vec<Self> {
        Self::from_labels(labels)
            .or_else(|_| Self::default_layout(labels.len()))
            .unwrap_or_else(|_| vec![Self::Unassigned; labels.len()])
    }

    /// The BS.1770 channel weight G: 0 for the LFE, 1.41 for surrounds, else 1.
    pub fn weight(self) -> f64 {
        match self.meter_channel() {
            ebur128::Channel::Unused => 0.0,
            ebur128::Channel::LeftSurround | ebur128::Channel::RightSurround => 1.41,
            _ => 1.0,
        }
    }

    /// The libebur128 channel type with the same weight.
    pub(crate) fn meter_channel(self) -> ebur128::Channel {
        use ebur128::Channel as E;
        match self {
            Self::Mono | Self::Center | Self::Unassigned => E::Center,
            Self::Left | Self::LeftCenter => E::Left,
            Self::Right | Self::RightCenter => E::Right,
            Self::Lfe => E::Unused,
            Self::LeftSurround
            | Self::LeftSideSurround
            | Self::LeftRearSurround
            | Self::BackCenter
            | Self::TopBackLeft
            | Self::TopBackCenter => E::LeftSurround,
            Self::RightSurround
            | Self::RightSideSurround
            | Self::RightRearSurround
            | Self::TopBackRight => E::RightSurround,
            Self::TopFrontLeft => E::Up030,
            Self::TopFrontRight => E::Um030,
            Self::TopFrontCenter => E::Up000,
            Self::TopCenter => E::Tp000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_case_insensitively() {
        let roles = ChannelRole::from_labels(&["L", "r", "C", "lfe", "Ls", "RS"]).unwrap();
        assert_eq!(roles, ChannelRole::default_layout(6).unwrap());
    }

    #[test]
    fn weights_follow_bs1770() {
        let weights: Vec<f64> = ChannelRole::default_layout(8)
            .unwrap()
            .into_iter()
            .map(ChannelRole::weight)
            .collect();
        assert_eq!(weights, [1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.41, 1.41]);
        let top: Vec<f64> = ChannelRole::default_layout(12).unwrap()[8..]
            .iter()
            .map(|r| r.weight())
            .collect();
        assert_eq!(top, [1.0, 1.0, 1.41, 1.41]);
    }

    #[test]
    fn layouts_fall_back_like_ffmpeg() {
        use ChannelRole::*;
        assert_eq!(ChannelRole::for_layout(&["C"]), [Center]);
        // Generic labels: the default layout for the count ...
        let six = ChannelRole::for_layout(&["Ch1", "Ch2", "Ch3", "Ch4", "Ch5", "Ch6"]);
        assert_eq!(six, ChannelRole::default_layout(6).unwrap());
        // ... or weight 1 everywhere when there is none.
        let ten: Vec<String> = (1..=10).map(|i| format!("Ch{i}")).collect();
        assert_eq!(ChannelRole::for_layout(&ten), [Unassigned; 10]);
        assert_eq!(Unassigned.weight(), 1.0);
        assert_eq!(
            ChannelRole::for_layout(&["Lc", "Rc"]),
            [LeftCenter, RightCenter]
        );
    }

    #[test]
    fn defaults_weigh_channels_as_ffmpeg_does() {
        // Per channel weights ffmpeg applies to mask-less WAV files.
        let weights = |n| -> Vec<f64> {
            ChannelRole::default_layout(n)
                .unwrap()
                .into_iter()
                .map(ChannelRole::weight)
                .collect()
        };
        assert_eq!(weights(1), [1.0]);
        assert_eq!(weights(3), [1.0, 1.0, 0.0]);
        assert_eq!(weights(4), [1.0, 1.0, 1.0, 1.41]);
        assert_eq!(weights(5), [1.0, 1.0, 1.0, 1.41, 1.41]);
        assert_eq!(weights(6), [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]);
        assert_eq!(weights(7), [1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.41]);
    }

    #[test]
    fn unknown_label_is_reported() {
        let err = ChannelRole::from_label("Lw").unwrap_err();
        assert_eq!(err.to_string(), "unknown channel label `Lw`");
        assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0601");
    }

    #[test]
    fn counts_without_default_are_refused() {
        let err = ChannelRole::default_layout(9).unwrap_err();
        assert_eq!(err.to_string(), "no default channel layout for 9 channels");
        assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0602");
        assert_eq!(
            miette::Diagnostic::help(&err).unwrap().to_string(),
            "defaults exist for 1 to 8 and 12 channels; give the channel labels explicitly"
        );
    }
}
