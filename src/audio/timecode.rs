//! SMPTE timecode and its exact conversion to a sample offset.
//!
//! A timecode labels a picture frame; the frame's start in seconds is its
//! frame count divided by the true frame rate (24000/1001 for 23.976,
//! 30000/1001 for 29.97). Drop-frame timecode (29.97 only, `;` before the
//! frames) skips labels 00 and 01 at the start of every minute except
//! minutes divisible by ten (SMPTE ST 12-1), so 00:01:00;02 follows
//! 00:00:59;29. Sample offsets are computed in integers, rounded to the
//! nearest sample (exact at 48 kHz and 96 kHz for every rate).

use std::fmt;

use super::error::AudioError;

/// A picture frame rate that timecode counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameRate {
    /// 24000/1001 frames per second, counted as 24 (non-drop).
    Fps23_976,
    /// 24 frames per second.
    Fps24,
    /// 25 frames per second.
    Fps25,
    /// 30000/1001 frames per second, drop-frame timecode.
    Fps29_97Drop,
    /// 30000/1001 frames per second, non-drop timecode.
    Fps29_97NonDrop,
    /// 30 frames per second.
    Fps30,
}

impl FrameRate {
    /// Frame labels per timecode second (24, 25 or 30).
    pub fn nominal(self) -> u64 {
        match self {
            Self::Fps23_976 | Self::Fps24 => 24,
            Self::Fps25 => 25,
            Self::Fps29_97Drop | Self::Fps29_97NonDrop | Self::Fps30 => 30,
        }
    }

    /// Whether timecode at this rate drops frame labels.
    pub fn is_drop_frame(self) -> bool {
        self == Self::Fps29_97Drop
    }

    /// The true rate as a fraction (numerator, denominator) in frames per second.
    pub fn ratio(self) -> (u64, u64) {
        match self {
            Self::Fps23_976 => (24_000, 1001),
            Self::Fps24 => (24, 1),
            Self::Fps25 => (25, 1),
            Self::Fps29_97Drop | Self::Fps29_97NonDrop => (30_000, 1001),
            Self::Fps30 => (30, 1),
        }
    }

    /// The frame that sample `sample` falls in (the inverse of
    /// [`FrameRate::frame_to_samples`] for a frame's first sample), e.g. to
    /// show a Broadcast WAV time reference as timecode.
    pub fn samples_to_frame(self, sample: u64, sample_rate: u32) -> u64 {
        let (num, den) = self.ratio();
        // The frame whose rounded start is at or before `sample`.
        let mut frame = (u128::from(sample) * u128::from(num)
            / (u128::from(sample_rate) * u128::from(den))) as u64;
        while self.frame_to_samples(frame + 1, sample_rate) <= sample {
            frame += 1;
        }
        while frame > 0 && self.frame_to_samples(frame, sample_rate) > sample {
            frame -= 1;
        }
        frame
    }

    /// The sample index at which frame `frame` starts, rounded to nearest.
    pub fn frame_to_samples(self, frame: u64, sample_rate: u32) -> u64 {
        let (num, den) = self.ratio();
        let scaled = u128::from(frame) * u128::from(sample_rate) * u128::from(den);
        ((2 * scaled + u128::from(num)) / (2 * u128::from(num))) as u64
    }
}

/// A SMPTE timecode HH:MM:SS:FF (or HH:MM:SS;FF for drop-frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timecode {
    /// Hours, 0 to 23.
    pub hours: u64,
    /// Minutes, 0 to 59.
    pub minutes: u64,
    /// Seconds, 0 to 59.
    pub seconds: u64,
    /// Frame label within the second.
    pub frames: u64,
    /// Whether it was written drop-frame (`;` before the frames).
    pub drop_frame: bool,
}

impl Timecode {
    /// Parses `HH:MM:SS:FF`, or `HH:MM:SS;FF` (also `.` or `,`) for drop-frame.
    pub fn parse(text: &str) -> Result<Self, AudioError> {
        let invalid = |detail: &str| AudioError::InvalidTimecode {
            text: text.to_string(),
            detail: detail.to_string(),
        };
        let bytes = text.as_bytes();
        if bytes.len() != 11 || bytes[2] != b':' || bytes[5] != b':' {
            return Err(invalid("expected HH:MM:SS:FF"));
        }
        let drop_frame = match bytes[8] {
            b':' => false,
            b';' | b'.' | b',' => true,
            _ => return Err(invalid("expected HH:MM:SS:FF")),
        };
        let field = |range: std::ops::Range<usize>| -> Result<u64, AudioError> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| invalid("expected HH:MM:SS:FF"))
            } else {
                Err(invalid("expected HH:MM:SS:FF"))
            }
        };
        let timecode = Self {
            hours: field(0..2)?,
            minutes: field(3..5)?,
            seconds: field(6..8)?,
            frames: field(9..11)?,
            drop_frame,
        };
        if timecode.hours > 23 || timecode.minutes > 59 || timecode.seconds > 59 {
            return Err(invalid("hours run 0 to 23, minutes and seconds 0 to 59"));
        }
        Ok(timecode)
    }

    /// The frame count since 00:00:00:00 at `rate`, checking that the label
    /// exists at that rate.
    pub fn to_frames(&self, rate: FrameRate) -> Result<u64, AudioError> {
        let invalid = |detail: String| AudioError::InvalidTimecode {
            text: self.to_string(),
            detail,
        };
        let nominal = rate.nominal();
        if self.frames >= nominal {
            return Err(invalid(format!(
                "frame {} does not exist at {nominal} frames per second",
                self.frames
            )));
        }
        if self.drop_frame != rate.is_drop_frame() {
            return Err(invalid(if self.drop_frame {
                "drop-frame timecode (`;`) at a non-drop frame rate".into()
            } else {
                "non-drop timecode (`:`) at 29.97 drop-frame; write HH:MM:SS;FF".into()
            }));
        }
        let total_minutes = self.hours * 60 + self.minutes;
        let labels = (total_minutes * 60 + self.seconds) * nominal + self.frames;
        if !rate.is_drop_frame() {
            return Ok(labels);
        }
        if self.seconds == 0 && self.frames < 2 && !self.minutes.is_multiple_of(10) {
            return Err(invalid(format!(
                "frames 00 and 01 are dropped at minute {} in drop-frame timecode",
                self.minutes
            )));
        }
        Ok(labels - 2 * (total_minutes - total_minutes / 10))
    }

    /// The timecode labelling frame `frame` at `rate` (the inverse of
    /// [`Timecode::to_frames`]; hours wrap at 24).
    pub fn from_frames(frame: u64, rate: FrameRate) -> Self {
        let nominal = rate.nominal();
        let mut labels = frame;
        if rate.is_drop_frame() {
            // 17982 frames per ten minutes, 1798 per dropped minute.
            let tens = frame / 17_982;
            let rest = frame % 17_982;
            let dropped = if rest < 2 { 0 } else { (rest - 2) / 1798 };
            labels = frame + 18 * tens + 2 * dropped;
        }
        let frames = labels % nominal;
        let total_seconds = labels / nominal;
        Self {
            hours: (total_seconds / 3600) % 24,
            minutes: (total_seconds / 60) % 60,
            seconds: total_seconds % 60,
            frames,
            drop_frame: rate.is_drop_frame(),
        }
    }

    /// The timecode of the frame that sample `sample` falls in.
    pub fn from_samples(sample: u64, rate: FrameRate, sample_rate: u32) -> Self {
        Self::from_frames(rate.samples_to_frame(sample, sample_rate), rate)
    }

    /// The sample offset at which this timecode's frame starts.
    pub fn to_samples(&self, rate: FrameRate, sample_rate: u32) -> Result<u64, AudioError> {
        Ok(rate.frame_to_samples(self.to_frames(rate)?, sample_rate))
    }
}

impl fmt::Display for Timecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let separator = if self.drop_frame { ';' } else { ':' };
        write!(
            f,
            "{:02}:{:02}:{:02}{separator}{:02}",
            self.hours, self.minutes, self.seconds, self.frames
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(text: &str, rate: FrameRate) -> u64 {
        Timecode::parse(text).unwrap().to_frames(rate).unwrap()
    }

    #[test]
    fn known_drop_frame_values() {
        let df = FrameRate::Fps29_97Drop;
        assert_eq!(frames("00:00:59;29", df), 1799);
        assert_eq!(frames("00:01:00;02", df), 1800);
        assert_eq!(frames("00:09:59;29", df), 17_981);
        assert_eq!(frames("00:10:00;00", df), 17_982);
        assert_eq!(frames("00:10:00;01", df), 17_983);
        assert_eq!(frames("00:11:00;02", df), 17_982 + 1800);
        assert_eq!(frames("01:00:00;00", df), 107_892);
        assert_eq!(frames("23:59:59;29", df), 24 * 107_892 - 1);
        // One hour of drop-frame timecode is 3600 s of real time to within
        // 3.6 ms: 107892 frames * 1001/30000 s = 3599.9964 s.
        assert_eq!(
            Timecode::parse("01:00:00;00")
                .unwrap()
                .to_samples(df, 48_000)
                .unwrap(),
            107_892 * 1601 + 107_892 * 3 / 5
        );
    }

    #[test]
    fn drop_frame_inverse_is_exact_over_a_day() {
        let df = FrameRate::Fps29_97Drop;
        for frame in (0..24 * 107_892).step_by(7) {
            let tc = Timecode::from_frames(frame, df);
            assert_eq!(tc.to_frames(df).unwrap(), frame, "{tc}");
        }
    }

    #[test]
    fn samples_map_back_to_their_timecode() {
        let rates = [
            FrameRate::Fps23_976,
            FrameRate::Fps24,
            FrameRate::Fps25,
            FrameRate::Fps29_97Drop,
            FrameRate::Fps29_97NonDrop,
            FrameRate::Fps30,
        ];
        for rate in rates {
            for sample_rate in [44_100, 48_000, 96_000] {
                for frame in [0u64, 1, 1799, 1800, 17_982, 107_892, 2_000_000] {
                    let start = rate.frame_to_samples(frame, sample_rate);
                    let next = rate.frame_to_samples(frame + 1, sample_rate);
                    assert_eq!(rate.samples_to_frame(start, sample_rate), frame);
                    assert_eq!(rate.samples_to_frame(next - 1, sample_rate), frame);
                    let tc = Timecode::from_samples(start, rate, sample_rate);
                    assert_eq!(tc.to_frames(rate).unwrap(), frame, "{rate:?} {tc}");
                }
            }
        }
        // A bext time reference of 10:00:00:00 at 25 fps and 48 kHz.
        let tc = Timecode::from_samples(36_000 * 48_000, FrameRate::Fps25, 48_000);
        assert_eq!(tc.to_string(), "10:00:00:00");
    }

    #[test]
    fn samples_are_exact_at_48k() {
        // 23.976: 2002 samples per frame at 48 kHz; 29.97: 1601.6.
        let tc = Timecode::parse("01:00:00:00").unwrap();
        assert_eq!(
            tc.to_samples(FrameRate::Fps23_976, 48_000).unwrap(),
            86_400 * 2002
        );
        assert_eq!(
            tc.to_samples(FrameRate::Fps24, 48_000).unwrap(),
            3600 * 48_000
        );
        assert_eq!(
            tc.to_samples(FrameRate::Fps25, 48_000).unwrap(),
            3600 * 48_000
        );
        assert_eq!(
            tc.to_samples(FrameRate::Fps30, 48_000).unwrap(),
            3600 * 48_000
        );
        // 108000 frames * 1001/30000 s * 48000 = 172972800 samples.
        assert_eq!(
            tc.to_samples(FrameRate::Fps29_97NonDrop, 48_000).unwrap(),
            172_972_800
        );
        // 00:00:00:01 at 29.97 non-drop, 44.1 kHz: 1471.47 rounds to 1471.
        let one = Timecode::parse("00:00:00:01").unwrap();
        assert_eq!(
            one.to_samples(FrameRate::Fps29_97NonDrop, 44_100).unwrap(),
            1471
        );
    }

    #[test]
    fn invalid_timecodes_are_errors() {
        let cases = [
            ("00:01:00;00", FrameRate::Fps29_97Drop, "invalid timecode `00:01:00;00`: frames 00 and 01 are dropped at minute 1 in drop-frame timecode"),
            ("00:00:00:24", FrameRate::Fps24, "invalid timecode `00:00:00:24`: frame 24 does not exist at 24 frames per second"),
            ("00:00:10;00", FrameRate::Fps25, "invalid timecode `00:00:10;00`: drop-frame timecode (`;`) at a non-drop frame rate"),
            ("00:00:10:00", FrameRate::Fps29_97Drop, "invalid timecode `00:00:10:00`: non-drop timecode (`:`) at 29.97 drop-frame; write HH:MM:SS;FF"),
        ];
        for (text, rate, message) in cases {
            let err = Timecode::parse(text).unwrap().to_frames(rate).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
        for text in [
            "1:00:00:00",
            "00:60:00:00",
            "ab:00:00:00",
            "00:00:00-00",
            "24:00:00:00",
        ] {
            assert!(Timecode::parse(text).is_err(), "{text}");
        }
    }
}
