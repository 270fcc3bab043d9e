//! The one time module: picture frame rates, SMPTE timecode, and their
//! exact conversion to frame counts and sample offsets. The recipe's
//! syntax, the model, the cue sheet and the audio core all use these two
//! types.
//!
//! A timecode labels a picture frame; the frame's start in seconds is its
//! frame count divided by the true frame rate (24000/1001 for 23.976,
//! 30000/1001 for 29.97, 60000/1001 for 59.94). Drop-frame timecode (`;`
//! before the frames, at 29.97 and 59.94 only) skips the labels 00 and 01
//! (00 to 03 at 59.94) at the start of every minute except minutes
//! divisible by ten (SMPTE ST 12-1), so 00:01:00;02 follows 00:00:59;29.
//! Sample offsets are computed in integers, rounded to the nearest sample
//! (exact at 48 kHz and 96 kHz for every rate).

use std::fmt;

/// A picture frame rate. Whether timecode drops frame labels is said by
/// each [`Timecode`] (`;` before the frames), not by the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameRate {
    /// 24000/1001 frames per second (written `23.976`, or `23.98`).
    F23_976,
    F24,
    F25,
    /// 30000/1001 frames per second, drop-frame or non-drop timecode.
    F29_97,
    F30,
    F48,
    F50,
    /// 60000/1001 frames per second, drop-frame or non-drop timecode.
    F59_94,
    F60,
}

impl FrameRate {
    /// Every rate, in increasing order.
    pub const ALL: [FrameRate; 9] = [
        FrameRate::F23_976,
        FrameRate::F24,
        FrameRate::F25,
        FrameRate::F29_97,
        FrameRate::F30,
        FrameRate::F48,
        FrameRate::F50,
        FrameRate::F59_94,
        FrameRate::F60,
    ];

    /// The rate a recipe writes as `value` frames per second: the exact
    /// figure, or the rounded one writers use (`23.98`, `59.94`).
    pub fn from_fps(value: f64) -> Option<FrameRate> {
        let millis = value * 1000.0;
        if (millis - millis.round()).abs() > 1e-6 {
            return None;
        }
        Some(match millis.round() as i64 {
            23_976 | 23_980 => FrameRate::F23_976,
            24_000 => FrameRate::F24,
            25_000 => FrameRate::F25,
            29_970 => FrameRate::F29_97,
            30_000 => FrameRate::F30,
            48_000 => FrameRate::F48,
            50_000 => FrameRate::F50,
            59_940 => FrameRate::F59_94,
            60_000 => FrameRate::F60,
            _ => return None,
        })
    }

    /// Frames per second as a fraction (numerator, denominator).
    pub fn ratio(self) -> (u64, u64) {
        match self {
            FrameRate::F23_976 => (24_000, 1_001),
            FrameRate::F29_97 => (30_000, 1_001),
            FrameRate::F59_94 => (60_000, 1_001),
            rate => (u64::from(rate.nominal()), 1),
        }
    }

    /// Frame labels per timecode second (the nominal rate).
    pub fn nominal(self) -> u32 {
        match self {
            FrameRate::F23_976 | FrameRate::F24 => 24,
            FrameRate::F25 => 25,
            FrameRate::F29_97 | FrameRate::F30 => 30,
            FrameRate::F48 => 48,
            FrameRate::F50 => 50,
            FrameRate::F59_94 | FrameRate::F60 => 60,
        }
    }

    /// The rate as a recipe writes it: `23.976`.
    pub fn as_written(self) -> &'static str {
        match self {
            FrameRate::F23_976 => "23.976",
            FrameRate::F24 => "24",
            FrameRate::F25 => "25",
            FrameRate::F29_97 => "29.97",
            FrameRate::F30 => "30",
            FrameRate::F48 => "48",
            FrameRate::F50 => "50",
            FrameRate::F59_94 => "59.94",
            FrameRate::F60 => "60",
        }
    }

    /// The rate for messages: `23.976 fps`.
    pub fn describe(self) -> &'static str {
        match self {
            FrameRate::F23_976 => "23.976 fps",
            FrameRate::F24 => "24 fps",
            FrameRate::F25 => "25 fps",
            FrameRate::F29_97 => "29.97 fps",
            FrameRate::F30 => "30 fps",
            FrameRate::F48 => "48 fps",
            FrameRate::F50 => "50 fps",
            FrameRate::F59_94 => "59.94 fps",
            FrameRate::F60 => "60 fps",
        }
    }

    /// Whether drop-frame timecode exists at this rate.
    pub fn allows_drop_frame(self) -> bool {
        matches!(self, FrameRate::F29_97 | FrameRate::F59_94)
    }

    /// Frame labels dropped at the start of a minute in drop-frame timecode.
    fn dropped_per_minute(self) -> u64 {
        if self.nominal() == 60 {
            4
        } else {
            2
        }
    }

    /// The sample index at which frame `frame` starts, rounded to nearest.
    pub fn frame_to_samples(self, frame: u64, sample_rate: u32) -> u64 {
        let (num, den) = self.ratio();
        let scaled = u128::from(frame) * u128::from(sample_rate) * u128::from(den);
        ((2 * scaled + u128::from(num)) / (2 * u128::from(num))) as u64
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

    /// Seconds of real time in `frames` video frames.
    pub fn frames_to_seconds(self, frames: f64) -> f64 {
        let (num, den) = self.ratio();
        frames * den as f64 / num as f64
    }

    /// Whole video frames in `seconds`, rounded to the nearest frame.
    pub fn seconds_to_frames(self, seconds: f64) -> i64 {
        let (num, den) = self.ratio();
        (seconds * num as f64 / den as f64).round() as i64
    }
}

impl fmt::Display for FrameRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A SMPTE timecode HH:MM:SS:FF (HH:MM:SS;FF for drop-frame), as written;
/// [`Timecode::check`] says whether it exists at a frame rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Timecode {
    pub hours: u32,
    pub minutes: u32,
    pub seconds: u32,
    pub frames: u32,
    /// Written with `;` before the frames.
    pub drop_frame: bool,
}

/// A timecode that does not exist, or text that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimecodeError {
    /// The timecode as written.
    pub text: String,
    /// What is wrong with it, naming the rate as written.
    pub detail: String,
}

impl fmt::Display for TimecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid timecode `{}`: {}", self.text, self.detail)
    }
}

impl std::error::Error for TimecodeError {}

impl Timecode {
    /// Midnight, 00:00:00:00.
    pub const ZERO: Timecode = Timecode {
        hours: 0,
        minutes: 0,
        seconds: 0,
        frames: 0,
        drop_frame: false,
    };

    /// Parses `HH:MM:SS:FF`, or `HH:MM:SS;FF` (also `.` or `,`) for
    /// drop-frame. The fields' ranges are checked by [`Timecode::check`].
    pub fn parse(text: &str) -> Result<Self, TimecodeError> {
        let invalid = || TimecodeError {
            text: text.to_owned(),
            detail: "expected HH:MM:SS:FF".to_owned(),
        };
        let bytes = text.as_bytes();
        if bytes.len() != 11 || bytes[2] != b':' || bytes[5] != b':' {
            return Err(invalid());
        }
        let drop_frame = match bytes[8] {
            b':' => false,
            b';' | b'.' | b',' => true,
            _ => return Err(invalid()),
        };
        let field = |range: std::ops::Range<usize>| -> Result<u32, TimecodeError> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().map_err(|_| invalid())
            } else {
                Err(invalid())
            }
        };
        Ok(Self {
            hours: field(0..2)?,
            minutes: field(3..5)?,
            seconds: field(6..8)?,
            frames: field(9..11)?,
            drop_frame,
        })
    }

    /// Why this timecode does not exist at `rate`, if it does not: an hour,
    /// minute or second out of range, a frame the rate does not count, a
    /// drop-frame timecode at a rate without one, or a dropped label.
    pub fn check(&self, rate: FrameRate) -> Result<(), String> {
        let written = if self.drop_frame && rate.allows_drop_frame() {
            format!("{} drop-frame", rate.describe())
        } else {
            rate.describe().to_owned()
        };
        let nominal = rate.nominal();
        let dropped = rate.dropped_per_minute() as u32;
        if self.hours > 23 {
            Err(format!("hour {} does not exist (00 to 23)", self.hours))
        } else if self.minutes > 59 {
            Err(format!("minute {} does not exist (00 to 59)", self.minutes))
        } else if self.seconds > 59 {
            Err(format!("second {} does not exist (00 to 59)", self.seconds))
        } else if self.frames >= nominal {
            Err(format!(
                "frame {} does not exist at {written} (frames 00 to {:02})",
                self.frames,
                nominal - 1
            ))
        } else if self.drop_frame && !rate.allows_drop_frame() {
            Err(format!(
                "drop-frame timecode (`;`) exists only at 29.97 and 59.94 fps, not at {written}"
            ))
        } else if self.drop_frame
            && self.seconds == 0
            && !self.minutes.is_multiple_of(10)
            && self.frames < dropped
        {
            Err(format!(
                "frame {:02} is dropped at the start of minute {:02} at {written}",
                self.frames, self.minutes
            ))
        } else {
            Ok(())
        }
    }

    /// The frame count from 00:00:00:00 at `rate`, counting the labels a
    /// drop-frame timecode skips as absent. Unchecked: for a timecode that
    /// [`Timecode::check`] accepts it is the frame the timecode labels.
    pub fn frame_count(&self, rate: FrameRate) -> u64 {
        let nominal = u64::from(rate.nominal());
        let minutes = u64::from(self.hours) * 60 + u64::from(self.minutes);
        let labels = (minutes * 60 + u64::from(self.seconds)) * nominal + u64::from(self.frames);
        if self.drop_frame {
            labels.saturating_sub(rate.dropped_per_minute() * (minutes - minutes / 10))
        } else {
            labels
        }
    }

    /// The frame count from 00:00:00:00 at `rate` of a timecode that exists
    /// there.
    pub fn to_frames(&self, rate: FrameRate) -> Result<u64, TimecodeError> {
        self.check(rate).map_err(|detail| TimecodeError {
            text: self.to_string(),
            detail,
        })?;
        Ok(self.frame_count(rate))
    }

    /// The timecode labelling frame `frame` at `rate`, drop-frame when
    /// `drop_frame` and the rate has it (the inverse of
    /// [`Timecode::frame_count`]; hours wrap at 24).
    pub fn from_frames(frame: u64, rate: FrameRate, drop_frame: bool) -> Self {
        let drop_frame = drop_frame && rate.allows_drop_frame();
        let nominal = u64::from(rate.nominal());
        let mut labels = frame;
        if drop_frame {
            let dropped = rate.dropped_per_minute();
            let per_minute = nominal * 60 - dropped;
            let per_ten_minutes = nominal * 600 - dropped * 9;
            let tens = frame / per_ten_minutes;
            let rest = frame % per_ten_minutes;
            labels += dropped * 9 * tens;
            if rest >= dropped {
                labels += dropped * ((rest - dropped) / per_minute);
            }
        }
        let total_seconds = labels / nominal;
        Self {
            hours: ((total_seconds / 3600) % 24) as u32,
            minutes: ((total_seconds / 60) % 60) as u32,
            seconds: (total_seconds % 60) as u32,
            frames: (labels % nominal) as u32,
            drop_frame,
        }
    }

    /// The timecode of the frame that sample `sample` falls in.
    pub fn from_samples(sample: u64, rate: FrameRate, drop_frame: bool, sample_rate: u32) -> Self {
        Self::from_frames(rate.samples_to_frame(sample, sample_rate), rate, drop_frame)
    }

    /// The sample offset at which this timecode's frame starts.
    pub fn to_samples(&self, rate: FrameRate, sample_rate: u32) -> Result<u64, TimecodeError> {
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

    fn tc(text: &str) -> Timecode {
        Timecode::parse(text).unwrap()
    }

    fn frames(text: &str, rate: FrameRate) -> u64 {
        tc(text).to_frames(rate).unwrap()
    }

    #[test]
    fn known_drop_frame_values_at_29_97() {
        let rate = FrameRate::F29_97;
        assert_eq!(frames("00:00:59;29", rate), 1799);
        assert_eq!(frames("00:01:00;02", rate), 1800);
        assert_eq!(frames("00:09:59;29", rate), 17_981);
        assert_eq!(frames("00:10:00;00", rate), 17_982);
        assert_eq!(frames("00:10:00;01", rate), 17_983);
        assert_eq!(frames("00:11:00;02", rate), 17_982 + 1800);
        assert_eq!(frames("01:00:00;00", rate), 107_892);
        assert_eq!(frames("23:59:59;29", rate), 24 * 107_892 - 1);
        // One hour of drop-frame timecode is 3600 s of real time to within
        // 3.6 ms: 107892 frames * 1001/30000 s = 3599.9964 s.
        assert_eq!(
            tc("01:00:00;00").to_samples(rate, 48_000).unwrap(),
            107_892 * 1601 + 107_892 * 3 / 5
        );
        // Non-drop timecode at the same rate counts every label.
        assert_eq!(frames("01:00:00:00", rate), 108_000);
    }

    #[test]
    fn non_drop_frames_round_trip_at_24() {
        let rate = FrameRate::F24;
        assert_eq!(frames("01:00:00:00", rate), 86_400);
        assert_eq!(
            Timecode::from_frames(86_400 + 288, rate, false),
            tc("01:00:12:00")
        );
        for frame in [0, 1, 23, 24, 1_439, 86_399, 2_073_599] {
            let timecode = Timecode::from_frames(frame, rate, false);
            assert_eq!(timecode.frame_count(rate), frame, "{timecode}");
        }
    }

    #[test]
    fn known_drop_frame_values_at_59_94() {
        let rate = FrameRate::F59_94;
        assert_eq!(frames("00:00:59;59", rate), 3599);
        assert_eq!(frames("00:01:00;04", rate), 3600);
        assert_eq!(frames("00:10:00;00", rate), 35_964);
        assert_eq!(frames("01:00:00;00", rate), 215_784);
        assert!(tc("00:01:00;03").to_frames(rate).is_err());
    }

    #[test]
    fn drop_frame_inverse_is_exact_over_a_day() {
        for (rate, day) in [
            (FrameRate::F29_97, 24 * 107_892),
            (FrameRate::F59_94, 24 * 215_784),
        ] {
            for frame in (0..day).step_by(7) {
                let timecode = Timecode::from_frames(frame, rate, true);
                assert_eq!(timecode.to_frames(rate).unwrap(), frame, "{timecode}");
            }
        }
    }

    #[test]
    fn samples_map_back_to_their_timecode() {
        for rate in FrameRate::ALL {
            for drop_frame in [false, true] {
                for sample_rate in [44_100, 48_000, 96_000] {
                    for frame in [0u64, 1, 1799, 1800, 17_982, 107_892, 2_000_000] {
                        let start = rate.frame_to_samples(frame, sample_rate);
                        let next = rate.frame_to_samples(frame + 1, sample_rate);
                        assert_eq!(rate.samples_to_frame(start, sample_rate), frame);
                        assert_eq!(rate.samples_to_frame(next - 1, sample_rate), frame);
                        let timecode = Timecode::from_samples(start, rate, drop_frame, sample_rate);
                        assert_eq!(
                            timecode.to_frames(rate).unwrap(),
                            frame,
                            "{rate} {timecode}"
                        );
                    }
                }
            }
        }
        // A bext time reference of 10:00:00:00 at 25 fps and 48 kHz.
        let timecode = Timecode::from_samples(36_000 * 48_000, FrameRate::F25, false, 48_000);
        assert_eq!(timecode.to_string(), "10:00:00:00");
    }

    #[test]
    fn samples_are_exact_at_48k() {
        // 23.976: 2002 samples per frame at 48 kHz; 29.97: 1601.6.
        let hour = tc("01:00:00:00");
        assert_eq!(
            hour.to_samples(FrameRate::F23_976, 48_000).unwrap(),
            86_400 * 2002
        );
        for rate in [
            FrameRate::F24,
            FrameRate::F25,
            FrameRate::F30,
            FrameRate::F48,
            FrameRate::F50,
            FrameRate::F60,
        ] {
            assert_eq!(hour.to_samples(rate, 48_000).unwrap(), 3600 * 48_000);
        }
        // 108000 frames * 1001/30000 s * 48000 = 172972800 samples.
        assert_eq!(
            hour.to_samples(FrameRate::F29_97, 48_000).unwrap(),
            172_972_800
        );
        assert_eq!(
            hour.to_samples(FrameRate::F59_94, 48_000).unwrap(),
            172_972_800
        );
        // 00:00:00:01 at 29.97 non-drop, 44.1 kHz: 1471.47 rounds to 1471.
        assert_eq!(
            tc("00:00:00:01")
                .to_samples(FrameRate::F29_97, 44_100)
                .unwrap(),
            1471
        );
    }

    #[test]
    fn rates_are_read_as_written() {
        assert_eq!(FrameRate::from_fps(23.976), Some(FrameRate::F23_976));
        assert_eq!(FrameRate::from_fps(23.98), Some(FrameRate::F23_976));
        assert_eq!(FrameRate::from_fps(59.94), Some(FrameRate::F59_94));
        assert_eq!(FrameRate::from_fps(24.0), Some(FrameRate::F24));
        assert_eq!(FrameRate::from_fps(24.5), None);
        assert_eq!(FrameRate::from_fps(23.9761), None);
        for rate in FrameRate::ALL {
            let value: f64 = rate.as_written().parse().unwrap();
            assert_eq!(FrameRate::from_fps(value), Some(rate));
            assert_eq!(rate.describe(), format!("{} fps", rate.as_written()));
        }
    }

    #[test]
    fn invalid_timecodes_name_the_rate_as_written() {
        let cases = [
            ("00:01:00;00", FrameRate::F29_97, "invalid timecode `00:01:00;00`: frame 00 is dropped at the start of minute 01 at 29.97 fps drop-frame"),
            ("00:00:00:24", FrameRate::F23_976, "invalid timecode `00:00:00:24`: frame 24 does not exist at 23.976 fps (frames 00 to 23)"),
            ("00:00:10;00", FrameRate::F25, "invalid timecode `00:00:10;00`: drop-frame timecode (`;`) exists only at 29.97 and 59.94 fps, not at 25 fps"),
            ("00:60:00:00", FrameRate::F24, "invalid timecode `00:60:00:00`: minute 60 does not exist (00 to 59)"),
        ];
        for (text, rate, message) in cases {
            let error = tc(text).to_frames(rate).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        for text in ["1:00:00:00", "ab:00:00:00", "00:00:00-00"] {
            assert!(Timecode::parse(text).is_err(), "{text}");
        }
    }
}
