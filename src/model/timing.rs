//! Timecode arithmetic and where a clip sits in the picture: its in and out
//! timecodes and duration from its placement (`at … [to …]`), its trims and
//! the length of its audio (a generator's length, or a file's from its WAV
//! header), never from what the recipe claims elsewhere.

use crate::{
    diagnostic::Diagnostic,
    model::wav_header,
    model::Timecode,
    model::{AudioSource, Clip, FrameRate, Model},
};

/// The frame count of `timecode` from 00:00:00:00 (see [`Timecode::frame_count`]).
pub fn timecode_frames(timecode: Timecode, rate: FrameRate) -> i64 {
    timecode.frame_count(rate) as i64
}

/// The timecode of frame count `frames` (the inverse of [`timecode_frames`]).
pub fn frames_timecode(frames: i64, rate: FrameRate, drop_frame: bool) -> Timecode {
    Timecode::from_frames(frames.max(0) as u64, rate, drop_frame)
}

/// Where a clip is heard in the picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub start: Timecode,
    pub end: Timecode,
    /// The duration in video frames.
    pub frames: i64,
    /// The duration in seconds of audio heard.
    pub seconds: f64,
}

/// The placement of `clip`: from its `at` for the length of its audio less
/// its trims, cut short by `to` when the placement ends first. `Ok(None)`
/// when the clip has no `at` or no audio; an error when its file's header
/// cannot be read.
pub fn placement(model: &Model, clip: &Clip) -> Result<Option<Placement>, Box<Diagnostic>> {
    let Some(project) = &model.project else {
        return Ok(None);
    };
    let rate = project.frame_rate;
    let (Some(at), Some(audio)) = (clip.at, &clip.audio) else {
        return Ok(None);
    };
    let length = match &audio.value {
        AudioSource::File { path, .. } => {
            wav_header::read(&wav_header::resolve(model, audio.span, path), audio.span)?.seconds()
        }
        AudioSource::Tone { duration, .. }
        | AudioSource::Noise { duration, .. }
        | AudioSource::Silence { duration } => duration.seconds(rate),
    };
    let trims = clip.trim_head.map_or(0.0, |trim| trim.seconds(rate))
        + clip.trim_tail.map_or(0.0, |trim| trim.seconds(rate));
    let mut seconds = (length - trims).max(0.0);
    let start = timecode_frames(at.value, rate);
    let mut frames = rate.seconds_to_frames(seconds);
    if let Some(until) = clip.until {
        let placed = timecode_frames(until.value, rate) - start;
        if placed < frames {
            frames = placed.max(0);
            seconds = rate.frames_to_seconds(frames as f64);
        }
    }
    Ok(Some(Placement {
        start: at.value,
        end: frames_timecode(start + frames, rate, at.value.drop_frame),
        frames,
        seconds,
    }))
}

/// A duration of `frames` as `HH:MM:SS:FF` (non-drop).
pub fn duration_timecode(frames: i64, rate: FrameRate) -> Timecode {
    frames_timecode(frames, rate, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tc(text: &str) -> Timecode {
        let parts: Vec<u32> = text
            .split([':', ';'])
            .map(|part| part.parse().unwrap())
            .collect();
        Timecode {
            hours: parts[0],
            minutes: parts[1],
            seconds: parts[2],
            frames: parts[3],
            drop_frame: text.contains(';'),
        }
    }

    #[test]
    fn non_drop_round_trip() {
        let rate = FrameRate::F24;
        assert_eq!(timecode_frames(tc("01:00:00:00"), rate), 86_400);
        assert_eq!(
            frames_timecode(86_400 + 288, rate, false),
            tc("01:00:12:00")
        );
        for frames in [0, 1, 23, 24, 1_439, 86_399, 2_073_599] {
            assert_eq!(
                timecode_frames(frames_timecode(frames, rate, false), rate),
                frames
            );
        }
    }

    #[test]
    fn drop_frame_skips_two_numbers_a_minute() {
        let rate = FrameRate::F29_97;
        // 00:00:59;29 is frame 1799; the next frame is 00:01:00;02.
        assert_eq!(timecode_frames(tc("00:00:59;29"), rate), 1_799);
        assert_eq!(frames_timecode(1_800, rate, true), tc("00:01:00;02"));
        // Every tenth minute keeps its frames 00 and 01.
        assert_eq!(timecode_frames(tc("00:10:00;00"), rate), 17_982);
        assert_eq!(frames_timecode(17_982, rate, true), tc("00:10:00;00"));
        // One hour of drop-frame timecode is 107 892 frames (29.97 × 3600, rounded).
        assert_eq!(timecode_frames(tc("01:00:00;00"), rate), 107_892);
        for frames in (0..200_000).step_by(997) {
            assert_eq!(
                timecode_frames(frames_timecode(frames, rate, true), rate),
                frames
            );
        }
    }
}
