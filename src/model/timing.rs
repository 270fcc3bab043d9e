//! Where a clip sits in the picture: its in and out timecodes and duration
//! at each of its uses (`at … [to …]`), its trims and the length of its
//! audio (a generator's length, or a file's from its WAV header), never from
//! what the recipe claims elsewhere. The frame arithmetic is
//! [`crate::model::time`]'s.

use crate::{
    diagnostic::Diagnostic,
    model::wav_header,
    model::Timecode,
    model::{time_reference_at, AudioSource, Clip, FrameRate, Model, Placement as At, Use},
};

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

/// The placement of each of `clip`'s uses, in the order written: from its
/// `at` for the length of its audio less its trims, cut short by its own
/// `to` when the use ends first. Empty when the clip has no `at` or no
/// audio; an error when its file's header cannot be read.
pub fn placements(model: &Model, clip: &Clip) -> Result<Vec<Placement>, Box<Diagnostic>> {
    let Some(project) = &model.project else {
        return Ok(Vec::new());
    };
    let rate = project.frame_rate;
    let Some(audio) = &clip.audio else {
        return Ok(Vec::new());
    };
    if clip.uses.is_empty() {
        return Ok(Vec::new());
    }
    let header = match &audio.value {
        AudioSource::File { path, .. } => Some(wav_header::read(
            &wav_header::resolve(model, audio.span, path),
            audio.span,
        )?),
        AudioSource::MultiMono { files } => match files.first() {
            Some(file) => Some(wav_header::read(
                &wav_header::resolve(model, audio.span, &file.path),
                file.span,
            )?),
            None => None,
        },
        _ => None,
    };
    let length = match &audio.value {
        AudioSource::Tone { duration, .. }
        | AudioSource::Noise { duration, .. }
        | AudioSource::Silence { duration } => duration.seconds(rate),
        _ => header.map_or(0.0, |header| header.seconds()),
    };
    let stamp = header.and_then(|header| {
        let reference = header.time_reference?;
        let samples = time_reference_at(reference, header.sample_rate, project.sample_rate);
        Some(Timecode::from_samples(
            samples,
            rate,
            false,
            project.sample_rate,
        ))
    });
    let trims = clip.trim_head.map_or(0.0, |trim| trim.seconds(rate))
        + clip.trim_tail.map_or(0.0, |trim| trim.seconds(rate));
    let trimmed = (length - trims).max(0.0);
    Ok(clip
        .uses
        .iter()
        .filter_map(|one| {
            // `at bext` without a stamp is reported by the checks (E0324).
            let at = match one.at.value {
                At::Timecode(timecode) => timecode,
                At::Bext => stamp?,
            };
            Some(placed(at, one, trimmed, rate))
        })
        .collect())
}

/// One use at `at` of `seconds` of audio, at the frame rate `rate`.
fn placed(at: Timecode, one: &Use, seconds: f64, rate: FrameRate) -> Placement {
    let mut seconds = seconds;
    let start = at.frame_count(rate) as i64;
    let mut frames = rate.seconds_to_frames(seconds);
    if let Some(until) = one.until {
        let placed = until.value.frame_count(rate) as i64 - start;
        if placed < frames {
            frames = placed.max(0);
            seconds = rate.frames_to_seconds(frames as f64);
        }
    }
    Placement {
        start: at,
        end: Timecode::from_frames((start + frames).max(0) as u64, rate, at.drop_frame),
        frames,
        seconds,
    }
}

/// A duration of `frames` as `HH:MM:SS:FF` (non-drop).
pub fn duration_timecode(frames: i64, rate: FrameRate) -> Timecode {
    Timecode::from_frames(frames.max(0) as u64, rate, false)
}
