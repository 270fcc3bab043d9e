//! The units that literals carry (`-3dB`, `48kHz`, `2s`, `1f`, `50%`).

use std::fmt;

/// A unit written after a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// `dB`: a gain or a tolerance.
    Db,
    /// `dBFS`: a level relative to digital full scale.
    Dbfs,
    /// `dBTP`: a true-peak level.
    Dbtp,
    /// `LUFS`: loudness, EBU naming.
    Lufs,
    /// `LKFS`: loudness, ITU/ATSC naming (the same scale as LUFS).
    Lkfs,
    /// `LU`: a loudness difference or range.
    Lu,
    /// `Hz`
    Hz,
    /// `kHz`
    KHz,
    /// `bit`: a bit depth.
    Bit,
    /// `ms`
    Ms,
    /// `s`
    S,
    /// `min`
    Min,
    /// `f`: video frames at the project frame rate.
    Frames,
    /// `%`
    Percent,
    /// `deg`: an angle in degrees, such as a pan azimuth (`pan 30deg`).
    Deg,
}

impl Unit {
    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text {
            "dB" => Unit::Db,
            "dBFS" => Unit::Dbfs,
            "dBTP" => Unit::Dbtp,
            "LUFS" => Unit::Lufs,
            "LKFS" => Unit::Lkfs,
            "LU" => Unit::Lu,
            "Hz" => Unit::Hz,
            "kHz" => Unit::KHz,
            "bit" => Unit::Bit,
            "ms" => Unit::Ms,
            "s" => Unit::S,
            "min" => Unit::Min,
            "f" => Unit::Frames,
            "%" => Unit::Percent,
            "deg" => Unit::Deg,
            _ => return None,
        })
    }

    /// The unit meant by a misspelling such as `db`, `KHZ`, `sec` or `bits`
    /// (any case; the grammar's `misspelt_unit` lists what is read).
    pub fn guess(text: &str) -> Option<Unit> {
        let lower = text.to_ascii_lowercase();
        Some(match lower.as_str() {
            "db" => Unit::Db,
            "dbfs" => Unit::Dbfs,
            "dbtp" => Unit::Dbtp,
            "lufs" => Unit::Lufs,
            "lkfs" => Unit::Lkfs,
            "lu" => Unit::Lu,
            "hz" => Unit::Hz,
            "khz" => Unit::KHz,
            "bit" | "bits" => Unit::Bit,
            "ms" | "msec" => Unit::Ms,
            "s" | "sec" | "secs" | "seconds" => Unit::S,
            "min" | "mins" => Unit::Min,
            "f" | "frame" | "frames" => Unit::Frames,
            "%" => Unit::Percent,
            "deg" | "degs" | "degree" | "degrees" => Unit::Deg,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Db => "dB",
            Unit::Dbfs => "dBFS",
            Unit::Dbtp => "dBTP",
            Unit::Lufs => "LUFS",
            Unit::Lkfs => "LKFS",
            Unit::Lu => "LU",
            Unit::Hz => "Hz",
            Unit::KHz => "kHz",
            Unit::Bit => "bit",
            Unit::Ms => "ms",
            Unit::S => "s",
            Unit::Min => "min",
            Unit::Frames => "f",
            Unit::Percent => "%",
            Unit::Deg => "deg",
        }
    }

    /// What kind of quantity the unit measures, in words for diagnostics.
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Db => Dimension::Gain,
            Unit::Dbfs => Dimension::Level,
            Unit::Dbtp => Dimension::TruePeak,
            Unit::Lufs | Unit::Lkfs => Dimension::Loudness,
            Unit::Lu => Dimension::LoudnessDifference,
            Unit::Hz | Unit::KHz => Dimension::Frequency,
            Unit::Bit => Dimension::BitDepth,
            Unit::Ms | Unit::S | Unit::Min | Unit::Frames => Dimension::Duration,
            Unit::Percent => Dimension::Share,
            Unit::Deg => Dimension::Angle,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of quantity, each with the units that express it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Gain,
    Level,
    TruePeak,
    Loudness,
    LoudnessDifference,
    Frequency,
    BitDepth,
    Duration,
    Share,
    /// An angle, such as an azimuth.
    Angle,
}

impl Dimension {
    /// A description with an example, for "expected …" messages.
    pub fn describe(self) -> &'static str {
        match self {
            Dimension::Gain => "a gain in dB such as `-3dB`",
            Dimension::Level => "a level in dBFS such as `-20dBFS`",
            Dimension::TruePeak => "a true peak in dBTP such as `-2dBTP`",
            Dimension::Loudness => "a loudness in LUFS or LKFS such as `-23LUFS`",
            Dimension::LoudnessDifference => "a loudness difference in LU such as `2LU`",
            Dimension::Frequency => "a frequency such as `1kHz` or `440Hz`",
            Dimension::BitDepth => "a bit depth such as `24bit`",
            Dimension::Duration => "a duration such as `2s`, `500ms` or `1f`",
            Dimension::Share => "a share such as `50%`",
            Dimension::Angle => "an azimuth in degrees such as `30deg`",
        }
    }
}
