//! A clip's length as the build renders it, for D009 and D010, and the
//! places in the recipe text that set it.
//!
//! The arithmetic is the renderer's (`stages::mix::clip_source`), in
//! samples at the project's sample rate: the source holds a generator's
//! `for` duration, or a file's sample frames as its WAV header counts them;
//! `trim head` and `trim tail` remove theirs (an error when together they
//! remove more than the source holds); `to` then cuts what is left to the
//! samples from `at` (or `picture_start`) up to `to`, and never pads it;
//! the fades ramp what remains (an error when a fade in or a fade out alone
//! is longer). A timecode is the first sample of its frame; a duration in
//! `s`, `ms`, `min` or `f` is rounded to the nearest sample. A file at
//! another rate than the project's counts its length at the project's rate
//! as its `resample:` stage gives it (`round(frames · rate / file_rate)`).

use std::collections::HashMap;

use crate::{
    lint::Checker,
    model::{time_reference_at, AudioSource, Clip, FrameRate, Model, Named, Placement, Timecode},
    syntax::{
        ast::{Argument, Declaration, Value},
        parse::parse,
        span::{SourceId, Span},
    },
};

/// One use of a stem or a cue, as the rules of clip lengths see it.
pub struct Subject<'m> {
    /// `stem` or `cue`.
    pub kind: &'static str,
    pub name: &'m Named,
    /// The clip with this one use ([`Clip::each_use`]).
    pub clip: Clip,
    /// The use's number, from 1 (1 too for a clip without `at`).
    pub number: usize,
    /// The whole declaration.
    pub declaration: Span,
}

impl Subject<'_> {
    /// "stem `dx`", "cue 1M1", as the other rules name them.
    pub fn describe(&self) -> String {
        match self.kind {
            "stem" => format!("stem `{}`", self.name.name),
            kind => format!("{kind} {}", self.name.name),
        }
    }
}

/// Every use of every stem and every cue, in declaration order.
pub fn subjects(model: &Model) -> Vec<Subject<'_>> {
    let stems = model
        .stems
        .iter()
        .map(|stem| ("stem", &stem.name, &stem.clip, stem.span));
    let cues = model
        .cues
        .iter()
        .map(|cue| ("cue", &cue.id, &cue.clip, cue.span));
    stems
        .chain(cues)
        .flat_map(|(kind, name, clip, declaration)| {
            clip.each_use()
                .into_iter()
                .map(move |(number, clip)| Subject {
                    kind,
                    name,
                    clip,
                    number,
                    declaration,
                })
        })
        .collect()
}

/// A clip's lengths in samples at the project's sample rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lengths {
    pub sample_rate: u32,
    pub frame_rate: FrameRate,
    /// What the source holds.
    pub source: u64,
    /// `trim head`.
    pub head: u64,
    /// `trim tail`.
    pub tail: u64,
    /// The clip's first sample on the picture's clock: `at`, or `picture_start`.
    pub start: u64,
    /// `to`, on the same clock.
    pub end: Option<u64>,
    /// `fade in`.
    pub fade_in: u64,
    /// `fade out`.
    pub fade_out: u64,
    /// Whether `at` is drop-frame timecode (timecodes in messages follow it).
    pub drop_frame: bool,
}

impl Lengths {
    /// The lengths of `clip` at its first use, or `None` when it has no audio, its file's
    /// header could not be read (D003 reports that, with the audio core's
    /// code), or the recipe has no `project` to give the rates.
    pub fn of(checker: &Checker<'_>, clip: &Clip) -> Option<Lengths> {
        let project = checker.model.project.as_ref()?;
        let (rate, frame_rate) = (project.sample_rate, project.frame_rate);
        let source = match &clip.audio.as_ref()?.value {
            AudioSource::File { .. } | AudioSource::MultiMono { .. } => {
                let header = checker.header(clip)?.as_ref().ok()?;
                if header.sample_rate == rate || header.sample_rate == 0 {
                    header.frames
                } else {
                    let scaled = u128::from(header.frames) * u128::from(rate);
                    let file_rate = u128::from(header.sample_rate);
                    u64::try_from((2 * scaled + file_rate) / (2 * file_rate)).ok()?
                }
            }
            AudioSource::Tone { duration, .. }
            | AudioSource::Noise { duration, .. }
            | AudioSource::Silence { duration } => duration.samples(rate, frame_rate),
        };
        let samples = |duration: Option<crate::model::Duration>| {
            duration.map_or(0, |d| d.samples(rate, frame_rate))
        };
        let start = match clip.at().map(|at| at.value) {
            Some(Placement::Timecode(at)) => at.to_samples(frame_rate, rate).ok()?,
            Some(Placement::Bext) => {
                let header = checker.header(clip)?.as_ref().ok()?;
                time_reference_at(header.time_reference?, header.sample_rate, rate)
            }
            None => project.picture_start.to_samples(frame_rate, rate).ok()?,
        };
        let end = match clip.until() {
            Some(until) => Some(until.value.to_samples(frame_rate, rate).ok()?),
            None => None,
        };
        Some(Lengths {
            sample_rate: rate,
            frame_rate,
            source,
            head: samples(clip.trim_head),
            tail: samples(clip.trim_tail),
            start,
            end,
            fade_in: samples(clip.fade_in),
            fade_out: samples(clip.fade_out),
            drop_frame: clip
                .at()
                .and_then(|at| at.value.timecode())
                .map_or(project.picture_start.drop_frame, |at| at.drop_frame),
        })
    }

    /// What both trims remove.
    pub fn trims(&self) -> u64 {
        self.head.saturating_add(self.tail)
    }

    /// What the trims leave of the source; `None` when they remove more
    /// than it holds (the build stops there).
    pub fn trimmed(&self) -> Option<u64> {
        self.source.checked_sub(self.trims())
    }

    /// The samples from the clip's start to its `to`.
    pub fn wanted(&self) -> Option<u64> {
        self.end.map(|end| end.saturating_sub(self.start))
    }

    /// The clip as placed: what the trims leave, cut short by `to`.
    pub fn placed(&self) -> Option<u64> {
        let trimmed = self.trimmed()?;
        Some(self.wanted().map_or(trimmed, |wanted| trimmed.min(wanted)))
    }

    /// The timecode of the frame that `sample` falls in, at the project's
    /// frame rate (the frame after a clip's last sample is its out point).
    pub fn timecode(&self, sample: u64) -> Timecode {
        Timecode::from_samples(sample, self.frame_rate, self.drop_frame, self.sample_rate)
    }

    /// The first frame boundary at or after `sample`: where the first
    /// frame without audio starts when the audio ends at `sample`.
    pub fn next_frame_start(&self, sample: u64) -> u64 {
        let frame = self.frame_rate.samples_to_frame(sample, self.sample_rate);
        let start = self.frame_rate.frame_to_samples(frame, self.sample_rate);
        if start >= sample {
            start
        } else {
            self.frame_rate
                .frame_to_samples(frame.saturating_add(1), self.sample_rate)
        }
    }

    /// A length of `samples` in seconds: `40s`, `1.5s`, `0.021s`, `7 samples`.
    pub fn seconds(&self, samples: u64) -> String {
        let rate = u64::from(self.sample_rate.max(1));
        if samples.is_multiple_of(rate) {
            format!("{}s", samples / rate)
        } else if samples.saturating_mul(1000) >= rate {
            format!("{}s", trimmed_decimals(samples as f64 / rate as f64, 3))
        } else if samples == 1 {
            "1 sample".to_owned()
        } else {
            format!("{samples} samples")
        }
    }

    /// A length of `samples` in seconds and, from one frame up, in frames
    /// at the project's frame rate: `2s (48 frames)`, `1s (23.98 frames)`,
    /// `0.021s`.
    pub fn duration(&self, samples: u64) -> String {
        let seconds = self.seconds(samples);
        let rate = u64::from(self.sample_rate.max(1));
        let (numerator, denominator) = self.frame_rate.ratio();
        let per_frame = rate as f64 * denominator as f64 / numerator as f64;
        let frames = samples as f64 / per_frame;
        if frames < 1.0 - 0.5 / per_frame {
            return seconds;
        }
        let whole = frames.round();
        let frames = if ((frames - whole) * per_frame).abs() < 0.5 {
            format!("{whole}")
        } else {
            trimmed_decimals(frames, 2)
        };
        let frames = match frames.as_str() {
            "1" => "1 frame".to_owned(),
            _ => format!("{frames} frames"),
        };
        format!("{seconds} ({frames})")
    }
}

/// `value` with at most `places` decimals and no trailing zeros: `2.5`, `0.042`.
fn trimmed_decimals(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// "the 40s of `stems/R1_DX.wav`", "the 40s of its `noise`".
pub fn of_the_source(clip: &Clip, lengths: &Lengths) -> String {
    let length = lengths.seconds(lengths.source);
    match clip.audio.as_ref().map(|audio| &audio.value) {
        Some(AudioSource::File { written, .. }) => format!("the {length} of `{written}`"),
        Some(AudioSource::MultiMono { files }) => format!(
            "the {length} of `{}`",
            files.first().map_or("", |file| file.written.as_str())
        ),
        Some(AudioSource::Tone { .. }) => format!("the {length} of its `tone`"),
        Some(AudioSource::Noise { .. }) => format!("the {length} of its `noise`"),
        Some(AudioSource::Silence { .. }) | None => format!("the {length} of its `silence`"),
    }
}

/// Why a clip plays for as long as it does, as a place in the recipe with
/// a label: its `to` when that cuts it short, else its trims when it has
/// some, else its audio.
pub fn why_this_long(clip: &Clip, lengths: &Lengths, written: &Written) -> Option<(Span, String)> {
    let trimmed = lengths.trimmed()?;
    let placed = lengths.placed()?;
    if placed < trimmed {
        let until = clip.until()?;
        return Some((
            until.span,
            format!(
                "the placement ends here, {} after `at`",
                lengths.seconds(placed)
            ),
        ));
    }
    if let (true, Some(trim)) = (lengths.trims() > 0, written.trim) {
        return Some((
            trim,
            format!(
                "leaves {} of {}",
                lengths.seconds(trimmed),
                lengths.seconds(lengths.source)
            ),
        ));
    }
    let audio = clip.audio.as_ref()?;
    Some((
        audio.span,
        format!("{} of audio", lengths.seconds(lengths.source)),
    ))
}

/// Where a clip's `trim` and `fade` are written. The model keeps the value
/// of a trim or a fade but not its place, so these come from the syntax
/// tree of the declaration's file, parsed again (once per file, and only
/// for a file with a finding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// The trim's arguments: `head 2s tail 12f`.
    pub trim: Option<Span>,
    /// The fade's arguments: `in 2s out 4s linear`.
    pub fade: Option<Span>,
    /// `in 2s` of the fade.
    pub fade_in: Option<Span>,
    /// `out 4s` of the fade.
    pub fade_out: Option<Span>,
}

/// The parsed files, for [`Written`].
#[derive(Default)]
pub struct Places {
    files: HashMap<SourceId, Vec<Declaration>>,
}

impl Places {
    /// Where the `trim` and `fade` of the declaration at `declaration` are
    /// written (nothing when they are not found).
    pub fn of(&mut self, model: &Model, declaration: Span) -> Written {
        let declarations = self.files.entry(declaration.source).or_insert_with(|| {
            let text = &model.sources.get(declaration.source).text;
            parse(declaration.source, text).0.declarations
        });
        let Some(found) = declarations
            .iter()
            .find(|candidate| candidate.span == declaration)
        else {
            return Written::default();
        };
        let mut written = Written::default();
        for property in found.body.properties() {
            let arguments = &property.arguments;
            let (Some(first), Some(last)) = (arguments.first(), arguments.last()) else {
                continue;
            };
            let whole = Some(first.span.to(last.span));
            match property.keyword.text.as_str() {
                "trim" => written.trim = whole,
                "fade" => {
                    written.fade = whole;
                    written.fade_in = after(arguments, "in");
                    written.fade_out = after(arguments, "out");
                }
                _ => {}
            }
        }
        written
    }
}

/// The span of the word `word` and the argument after it: `out 4s`.
fn after(arguments: &[Argument], word: &str) -> Option<Span> {
    arguments.windows(2).find_map(|pair| match &pair[0].value {
        Value::Word(found) if found == word => Some(pair[0].span.to(pair[1].span)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(sample_rate: u32, frame_rate: FrameRate) -> Lengths {
        Lengths {
            sample_rate,
            frame_rate,
            source: 0,
            head: 0,
            tail: 0,
            start: 0,
            end: None,
            fade_in: 0,
            fade_out: 0,
            drop_frame: false,
        }
    }

    #[test]
    fn durations_read_in_seconds_and_frames() {
        let at24 = lengths(48_000, FrameRate::F24);
        assert_eq!(at24.duration(96_000), "2s (48 frames)");
        assert_eq!(at24.duration(72_000), "1.5s (36 frames)");
        assert_eq!(at24.duration(2_000), "0.042s (1 frame)");
        assert_eq!(at24.duration(1_000), "0.021s");
        assert_eq!(at24.duration(7), "7 samples");
        assert_eq!(at24.duration(1), "1 sample");
        assert_eq!(at24.duration(0), "0s");
        // 23.976: a frame is 2002 samples at 48 kHz, a second 23.98 frames.
        let at23 = lengths(48_000, FrameRate::F23_976);
        assert_eq!(at23.duration(2_002 * 12), "0.5s (12 frames)");
        assert_eq!(at23.duration(48_000), "1s (23.98 frames)");
        // 29.97: a frame is 1601.6 samples; `1f` rounds to 1602.
        let at29 = lengths(48_000, FrameRate::F29_97);
        assert_eq!(at29.duration(1_602), "0.033s (1 frame)");
        let at25 = lengths(48_000, FrameRate::F25);
        assert_eq!(at25.duration(12 * 1_920), "0.48s (12 frames)");
        // A frame and a sample: not a whole frame, but 1 to two places.
        assert_eq!(at23.duration(2_003), "0.042s (1 frame)");
    }

    #[test]
    fn the_placed_length_is_the_renderers() {
        let mut clip = lengths(48_000, FrameRate::F24);
        clip.source = 480_000;
        clip.head = 96_000;
        clip.tail = 48_000;
        assert_eq!(clip.trimmed(), Some(336_000));
        assert_eq!(clip.placed(), Some(336_000));
        clip.start = 1_000_000;
        clip.end = Some(1_100_000);
        assert_eq!(clip.placed(), Some(100_000));
        clip.end = Some(2_000_000);
        assert_eq!(clip.placed(), Some(336_000));
        clip.tail = 400_000;
        assert_eq!(clip.trimmed(), None);
        assert_eq!(clip.placed(), None);
    }
}
