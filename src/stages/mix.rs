//! Turning lowered clips and buses into streaming audio sources.
//!
//! A clip becomes a chain of operations from the audio core: its source (a
//! WAV file or a generator), trims, its `to` bound, fades, gain, then its
//! route into the bus layout (a pan to one channel, or a matrix). A bus is
//! the sum of its clips, each placed at its offset on the timeline, and of
//! its sub-buses' rendered files.

use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::{
    audio::read_tap::ReadTap,
    audio::{
        AudioError, ChannelLayout, Convert, Fade, FadeShape, Gain, Interleave, Matrix, Noise,
        NoiseKind, Pan, Resampled, Silence, Source, Tone, Trim, WavReader,
    },
    lower::{ClipSpec, Route},
    model::{
        time_reference_at, AudioSource, FadeCurve, FrameRate, NoiseColor, Placement, Timecode,
    },
};

/// A clip or bus that could not be rendered.
#[derive(Debug, Error, Diagnostic)]
pub enum MixError {
    /// An audio operation on a clip failed (a missing or malformed file, a
    /// wrong rate or channel count, an absurd value). Rendered as one
    /// message, the clip's name then the audio error (which names the
    /// file), with the audio error's own code and help: wrapping it as a
    /// cause would print the same text twice.
    #[error("{}: {error}", clip.replacen(':', " ", 1))]
    #[diagnostic(forward(error))]
    Clip {
        /// `stem:dx` or `cue:1M1`.
        clip: String,
        error: AudioError,
    },
}

impl MixError {
    fn clip(clip: &ClipSpec) -> impl Fn(AudioError) -> MixError + '_ {
        move |error| MixError::Clip {
            clip: clip.name.clone(),
            error,
        }
    }
}

/// The project's rates, for turning durations and timecodes into samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub sample_rate: u32,
    pub frame_rate: FrameRate,
}

impl Clock {
    /// Samples since midnight at which the frame labelled `timecode` starts.
    pub fn samples(self, timecode: Timecode) -> Result<u64, AudioError> {
        Ok(timecode.to_samples(self.frame_rate, self.sample_rate)?)
    }

    fn duration(self, duration: crate::model::Duration) -> u64 {
        duration.samples(self.sample_rate, self.frame_rate)
    }
}

/// Where a clip sits: its first sample (since midnight) and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub start: u64,
    pub frames: u64,
}

/// A clip's file source as its files hold it: the one file, or a
/// multi-mono set interleaved in the layout's order, with its rate and its
/// `bext` time reference (at that rate). Each file is opened with the tap
/// `tap` gives for its declared path, if any.
pub struct FileSource {
    pub source: Box<dyn Source>,
    pub sample_rate: u32,
    pub time_reference: Option<u64>,
}

/// Opens the files of `clip` (a file or multi-mono source) as they are,
/// checking the channel count against the clip's layout, and that a
/// multi-mono set's files are mono, at one rate and of one length.
pub fn open_files(
    clip: &ClipSpec,
    tap: &dyn Fn(&Path) -> Option<Box<dyn ReadTap>>,
) -> Result<FileSource, MixError> {
    let error = MixError::clip(clip);
    let channels = clip.channels.len().max(1);
    let declared = clip.declared_files();
    let mut readers = Vec::new();
    for (index, path) in clip.files.iter().enumerate() {
        let shown = declared.get(index).copied().unwrap_or(path);
        let reader = match tap(shown) {
            Some(tap) => WavReader::open_tapped(path, tap),
            None => WavReader::open(path),
        }
        .map_err(&error)?;
        readers.push(reader);
    }
    let Some(first) = readers.first() else {
        return Err(error(AudioError::InvalidValue {
            what: "file source",
            detail: "a file source without files".into(),
            help: "name the WAV file with `file \"…\"`".into(),
        }));
    };
    let sample_rate = first.format().sample_rate;
    let time_reference = first.format().time_reference;
    let source: Box<dyn Source> = if let AudioSource::MultiMono { .. } = &clip.source {
        let mut names = Vec::new();
        for reader in &readers {
            if reader.format().sample_rate != sample_rate {
                return Err(error(AudioError::RateMismatch {
                    path: reader.path().to_path_buf(),
                    expected: sample_rate,
                    found: reader.format().sample_rate,
                }));
            }
            names.push(reader.path().display().to_string());
        }
        if readers.len() != channels {
            return Err(error(AudioError::InvalidValue {
                what: "multi-mono set",
                detail: format!("{} files for {channels} channels", readers.len()),
                help: "give one mono file per channel of the layout".into(),
            }));
        }
        let sources = readers
            .into_iter()
            .map(|reader| Box::new(reader) as Box<dyn Source>)
            .collect();
        Box::new(Interleave::new(sources, &names).map_err(&error)?)
    } else {
        let reader = readers.remove(0);
        if reader.format().channels != channels {
            return Err(error(AudioError::ChannelMismatch {
                path: reader.path().to_path_buf(),
                expected: channels,
                found: reader.format().channels,
            }));
        }
        Box::new(reader)
    };
    Ok(FileSource {
        source,
        sample_rate,
        time_reference,
    })
}

/// Opens a clip's source with its trims, bound, fades and gain applied, in
/// the clip's own layout (not yet routed), at the project's rate (a file at
/// another rate is resampled as it is read). A file is opened with the tap
/// `tap` gives for its declared path, if any (see [`crate::audio::read_tap`]).
pub fn clip_source(
    clip: &ClipSpec,
    clock: Clock,
    default_start: u64,
    tap: &dyn Fn(&Path) -> Option<Box<dyn ReadTap>>,
) -> Result<(Box<dyn Source>, Extent), MixError> {
    let error = MixError::clip(clip);
    let channels = clip.channels.len().max(1);
    let rate = clock.sample_rate;
    let mut time_reference = None;
    let source: Box<dyn Source> = match &clip.source {
        AudioSource::File { .. } | AudioSource::MultiMono { .. } => {
            let opened = open_files(clip, tap)?;
            time_reference = opened
                .time_reference
                .map(|reference| time_reference_at(reference, opened.sample_rate, rate));
            if opened.sample_rate == rate {
                opened.source
            } else {
                Box::new(Resampled::new(opened.source, opened.sample_rate, rate).map_err(&error)?)
            }
        }
        AudioSource::Tone {
            frequency_hz,
            level_dbfs,
            duration,
        } => Box::new(
            Tone::new(
                rate,
                channels,
                *frequency_hz,
                *level_dbfs,
                clock.duration(*duration),
            )
            .map_err(&error)?,
        ),
        AudioSource::Noise {
            color,
            level_dbfs,
            duration,
        } => {
            let kind = match color {
                NoiseColor::White => NoiseKind::White,
                NoiseColor::Pink => NoiseKind::Pink,
                NoiseColor::Brown => NoiseKind::Brown,
            };
            Box::new(
                Noise::new(
                    kind,
                    rate,
                    channels,
                    *level_dbfs,
                    clock.duration(*duration),
                    clip.seed,
                )
                .map_err(&error)?,
            )
        }
        AudioSource::Silence { duration } => {
            Box::new(Silence::new(channels, clock.duration(*duration)).map_err(&error)?)
        }
    };
    let settings = &clip.clip;
    let start = match settings.at().map(|at| at.value) {
        Some(Placement::Timecode(at)) => clock.samples(at).map_err(&error)?,
        Some(Placement::Bext) => time_reference.ok_or_else(|| {
            error(AudioError::InvalidValue {
                what: "at bext",
                detail: format!(
                    "`{}` has no `bext` time stamp",
                    clip.files
                        .first()
                        .map(|path| path.display().to_string())
                        .unwrap_or_default()
                ),
                help: "place the clip with `at TIMECODE`, or export the file as a Broadcast WAV"
                    .into(),
            })
        })?,
        None => default_start,
    };
    let head = settings.trim_head.map_or(0, |trim| clock.duration(trim));
    let mut tail = settings.trim_tail.map_or(0, |trim| clock.duration(trim));
    if let Some(until) = settings.until() {
        let end = clock.samples(until.value).map_err(&error)?;
        let wanted = end.saturating_sub(start);
        let available = source.frames().saturating_sub(head + tail);
        tail += available.saturating_sub(wanted);
    }
    let mut source: Box<dyn Source> = if head > 0 || tail > 0 {
        Box::new(Trim::new(source, head, tail).map_err(&error)?)
    } else {
        source
    };
    let fade_in = settings.fade_in.map_or(0, |fade| clock.duration(fade));
    let fade_out = settings.fade_out.map_or(0, |fade| clock.duration(fade));
    if fade_in > 0 || fade_out > 0 {
        let shape = match settings.fade_curve {
            FadeCurve::Linear => FadeShape::Linear,
            FadeCurve::EqualPower => FadeShape::EqualPower,
        };
        source = Box::new(Fade::new(source, fade_in, fade_out, shape).map_err(&error)?);
    }
    if settings.gain_db != 0.0 {
        source = Box::new(Gain::new(source, settings.gain_db).map_err(&error)?);
    }
    let frames = source.frames();
    Ok((source, Extent { start, frames }))
}

/// `clip` as a stage with the inputs `inputs` plays it: when the clip has a
/// `resample:CLIP` stage among them, its files are that stage's output (at
/// the project's rate, its time reference moved to it).
pub fn played<'c>(
    clip: &'c ClipSpec,
    inputs: &[crate::engine::stage::InputObject],
) -> std::borrow::Cow<'c, ClipSpec> {
    let resampled = clip
        .resample
        .as_ref()
        .and_then(|id| inputs.iter().find(|input| input.id == id.as_str()));
    match resampled {
        Some(input) => {
            let mut played = clip.clone();
            played.source = AudioSource::File {
                path: input.path.clone(),
                written: input.path.display().to_string(),
            };
            played.files = vec![input.path.clone()];
            played.resample = None;
            std::borrow::Cow::Owned(played)
        }
        None => std::borrow::Cow::Borrowed(clip),
    }
}

/// The `resample:CLIP` stages `clips` read, each once, as stage inputs.
pub fn resample_inputs<'a>(clips: impl Iterator<Item = &'a ClipSpec>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for clip in clips {
        if let Some(id) = &clip.resample {
            if !ids.iter().any(|known| known == id.as_str()) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// Routes a source into a destination layout.
pub fn route(
    source: Box<dyn Source>,
    route: &Route,
    destination: &[String],
    clip: &str,
) -> Result<Box<dyn Source>, MixError> {
    let error = |error| MixError::Clip {
        clip: clip.to_owned(),
        error,
    };
    Ok(match route {
        Route::Direct => source,
        Route::Pan(index) => {
            let layout = ChannelLayout::new("bus", destination).map_err(error)?;
            let label = destination
                .get(*index)
                .map(String::as_str)
                .unwrap_or_default();
            Box::new(Pan::new(source, &layout, label).map_err(error)?)
        }
        Route::Matrix { name, rows } => {
            let matrix = Matrix::new(name, source.channels(), rows.clone()).map_err(error)?;
            Box::new(Convert::new(source, matrix).map_err(error)?)
        }
        // Placed on the programme's clock by the target that re-renders
        // its scene (`stages::scene`), never routed on its own.
        Route::Object(object) => {
            return Err(error(AudioError::InvalidValue {
                what: "route",
                detail: format!(
                    "object `{}` is rendered only in its scene's re-render",
                    object.name
                ),
                help: "render an object with `target NAME { from SCENE layout 5.1 … }`".to_owned(),
            }))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{
        audio::source::read_to_end,
        lower::{lower, StageSpec},
        resolve::resolve_text,
    };

    const CLOCK: Clock = Clock {
        sample_rate: 48_000,
        frame_rate: FrameRate::F24,
    };

    fn bus_clips(recipe: &str) -> Vec<(ClipSpec, f64)> {
        let resolved = resolve_text("soundtrack.sndtrk", None, recipe);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        plan.stages
            .into_iter()
            .find_map(|stage| match stage {
                StageSpec::Bus(bus) => Some(bus.clips),
                _ => None,
            })
            .unwrap()
    }

    /// A tone with trims, a bound, linear fades and gain, against the same
    /// signal computed here from its definition.
    #[test]
    fn a_clip_is_trimmed_faded_and_gained_sample_by_sample() {
        let clips = bus_clips(
            r#"import "std/layouts"
            project "T" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
            cue 1M1 "T" {
                type score usage BI layout 1.0
                tone 1kHz -6dBFS for 2s
                at 01:00:01:00 to 01:00:02:12
                trim head 100ms
                fade in 250ms out 10f linear
                gain -3dB
            }
            bus MX 1.0 { 1M1 }"#,
        );
        let (clip, member_gain) = &clips[0];
        assert_eq!(*member_gain, 0.0);
        let (mut source, extent) = clip_source(clip, CLOCK, 0, &|_| None).unwrap();
        // 01:00:01:00 at 24 fps and 48 kHz: 3601 s since midnight.
        assert_eq!(extent.start, 3601 * 48_000);
        // Bounded by `to`: 1.5 s (36 frames at 24 fps).
        assert_eq!(extent.frames, 72_000);
        let samples = read_to_end(&mut source).unwrap();
        assert_eq!(samples.len(), 72_000);
        let amplitude = 10f64.powf(-6.0 / 20.0);
        let gain = 10f64.powf(-3.0 / 20.0);
        let (fade_in, fade_out, total) = (12_000.0, 20_000.0, 72_000.0);
        for (n, &actual) in samples.iter().enumerate() {
            let n = n as f64;
            let t = (n + 4_800.0) / 48_000.0;
            let mut expected = amplitude * (std::f64::consts::TAU * 1000.0 * t).sin();
            if n < fade_in {
                expected *= n / fade_in;
            }
            if n + fade_out >= total {
                expected *= (total - n - 1.0) / fade_out;
            }
            expected *= gain;
            assert!(
                (f64::from(actual) - expected).abs() < 2e-6,
                "sample {n}: {actual} vs {expected}"
            );
        }
    }

    #[test]
    fn a_stereo_clip_reaches_a_surround_bus_through_its_matrix() {
        let clips = bus_clips(
            r#"import "std/layouts"
            project "T" { frame_rate 24 sample_rate 48kHz }
            stem foley { role foley layout 2.0 tone 100Hz -20dBFS for 10ms }
            bus FX 5.1 { foley }"#,
        );
        let (clip, _) = &clips[0];
        let (source, _) = clip_source(clip, CLOCK, 0, &|_| None).unwrap();
        let channels: Vec<String> = ["L", "R", "C", "LFE", "Ls", "Rs"]
            .map(String::from)
            .to_vec();
        let mut routed = route(source, &clip.route, &channels, &clip.name).unwrap();
        assert_eq!(routed.channels(), 6);
        let samples = read_to_end(&mut routed).unwrap();
        for frame in samples.chunks_exact(6) {
            assert_eq!(frame[0], frame[1]);
            assert_eq!(&frame[2..], &[0.0; 4]);
        }
        assert!(samples.iter().any(|sample| *sample != 0.0));
    }

    #[test]
    fn a_missing_file_names_the_clip_and_the_file() {
        let clips = bus_clips(
            r#"import "std/layouts"
            project "T" { frame_rate 24 sample_rate 48kHz }
            stem dx { role dialogue layout 1.0 pan C file "stems/nothing.wav" }
            bus DX 5.1 { dx }"#,
        );
        let Err(error) = clip_source(&clips[0].0, CLOCK, 0, &|_| None) else {
            panic!("a missing file opened")
        };
        let text = error.to_string();
        assert!(
            text.starts_with("stem dx: cannot open `./stems/nothing.wav`"),
            "{text}"
        );
    }
}
