//! A WAV file's header: channel count, sample rate and length, read without
//! decoding the audio. The lint rules (D003) and the cue sheet (a file's
//! length) need no more than this.

use std::path::{Path, PathBuf};

use crate::{diagnostic::Diagnostic, model::Model, span::Span};

/// E0501: an audio file that cannot be opened.
pub const CANNOT_OPEN: &str = "E0501";
/// E0502: a file that is not a WAV file sndtrk can read.
pub const NOT_WAV: &str = "E0502";

/// What the header of a WAV file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavHeader {
    pub channels: u16,
    pub sample_rate: u32,
    /// Sample frames (samples per channel).
    pub frames: u64,
}

impl WavHeader {
    /// The length in seconds.
    pub fn seconds(&self) -> f64 {
        self.frames as f64 / f64::from(self.sample_rate.max(1))
    }
}

/// Where the `file` of a declaration in the source of `span` lives: relative
/// paths are relative to the directory of the recipe that names them.
pub fn resolve(model: &Model, span: Span, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let recipe = model.sources.get(span.source).path.as_deref();
    match recipe.and_then(Path::parent) {
        Some(directory) => directory.join(path),
        None => path.to_path_buf(),
    }
}

/// Reads the header of the WAV file at `path`; the error is a diagnostic at
/// `span` (the `file` property) naming the file.
pub fn read(path: &Path, span: Span) -> Result<WavHeader, Box<Diagnostic>> {
    let file =
        std::fs::File::open(path).map_err(|error| {
            Box::new(Diagnostic::error(
            CANNOT_OPEN,
            format!("cannot open `{}`: {error}", path.display()),
        )
        .at(span, "this file")
        .help("check the path (relative to the recipe) and that the file exists and is readable"))
        })?;
    match hound::WavReader::new(std::io::BufReader::new(file)) {
        Ok(reader) => {
            let spec = reader.spec();
            Ok(WavHeader {
                channels: spec.channels,
                sample_rate: spec.sample_rate,
                frames: u64::from(reader.duration()),
            })
        }
        Err(error) => Err(Box::new(Diagnostic::error(
            NOT_WAV,
            format!("`{}` is not a WAV file sndtrk can read: {error}", path.display()),
        )
        .at(span, "this file")
        .help("export it as PCM WAV (16- or 24-bit integer, or 32-bit float), e.g. `ffmpeg -i in.x -c:a pcm_s24le out.wav`"))),
    }
}
