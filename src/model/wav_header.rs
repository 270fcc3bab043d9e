//! A WAV file's header: channel count, sample rate and length, read without
//! decoding the audio. The lint rules (D003) and the cue sheet (a file's
//! length) need no more than this.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Mutex, OnceLock},
    time::SystemTime,
};

use crate::{
    audio::{AudioError, WavReader},
    diagnostic::Diagnostic,
    model::Model,
    syntax::span::Span,
};

/// E0502: a file that is not a WAV file (the audio core's code).
pub const NOT_WAV: &str = crate::diagnostic::codes::E0502.code;

/// What the header of a WAV file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavHeader {
    pub channels: usize,
    pub sample_rate: u32,
    /// Sample frames (samples per channel).
    pub frames: u64,
    /// The WAVE_FORMAT_EXTENSIBLE channel mask; 0 when the file has none.
    pub mask: u32,
    /// The `bext` TimeReference (samples since midnight at the file's
    /// rate), when the file has a `bext` chunk.
    pub time_reference: Option<u64>,
    /// Bits per sample.
    pub bits: u16,
    /// Whether the samples are floating point.
    pub float: bool,
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

/// Reads the header of the WAV file at `path` with the audio core's reader
/// (which checks the header and that the data chunk is all there, without
/// decoding the audio); its error becomes a diagnostic at `span` (the `file`
/// property) with the audio core's code, naming the file.
///
/// A header read well is kept for the rest of the process and given again
/// while the file's size, modification time and inode stay the same: the
/// language server checks the recipe on every keystroke, and a command's
/// front end asks for a file's header several times (the lowering, the
/// timing of each clip's uses, the lint rules; on a no-op build of 1,000
/// stems that was 7,000 opens). A stat costs far less than opening and
/// parsing the file.
pub fn read(path: &Path, span: Span) -> Result<WavHeader, Box<Diagnostic>> {
    header(path).map_err(|error| Box::new(diagnostic(&error, span)))
}

/// The sample rate of the WAV file at `path`, if its header reads.
pub fn sample_rate(path: &Path) -> Option<u32> {
    header(path).ok().map(|header| header.sample_rate)
}

/// The header of the WAV file at `path`, from the cache when its stat is
/// the one it was read at.
fn header(path: &Path) -> Result<WavHeader, AudioError> {
    let stat = stat(path);
    let key = cache_key(path);
    if let Some(stat) = stat {
        if let Some(header) = cache().lock().ok().and_then(|cache| {
            cache
                .get(&key)
                .filter(|(known, _)| *known == stat)
                .map(|(_, header)| *header)
        }) {
            return Ok(header);
        }
    }
    match WavReader::open(path) {
        Ok(reader) => {
            let format = reader.format();
            let header = WavHeader {
                channels: format.channels,
                sample_rate: format.sample_rate,
                frames: format.frames,
                mask: format.channel_mask,
                time_reference: format.time_reference,
                bits: format.bits(),
                float: format.is_float(),
            };
            if let (Some(stat), Ok(mut cache)) = (stat, cache().lock()) {
                cache.insert(key, (stat, header));
            }
            Ok(header)
        }
        Err(error) => Err(error),
    }
}

/// What a cached header was read at: size, modification time, inode.
type Stat = (u64, Option<SystemTime>, u64);

fn cache() -> &'static Mutex<HashMap<PathBuf, (Stat, WavHeader)>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, (Stat, WavHeader)>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The cache's name for `path`: without `.` components, so that
/// `./stems/a.wav` (a recipe in the current directory) and `stems/a.wav`
/// are one file.
fn cache_key(path: &Path) -> PathBuf {
    path.components()
        .filter(|component| !matches!(component, std::path::Component::CurDir))
        .collect()
}

fn stat(path: &Path) -> Option<Stat> {
    let metadata = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
    #[cfg(not(unix))]
    let inode = 0;
    Some((metadata.len(), metadata.modified().ok(), inode))
}

/// An [`AudioError`] as a diagnostic at `span`, keeping its code and help.
fn diagnostic(error: &AudioError, span: Span) -> Diagnostic {
    let code = miette::Diagnostic::code(error).map(|code| code.to_string());
    let code = code
        .as_deref()
        .and_then(crate::diagnostic::codes::Code::find)
        .map_or(NOT_WAV, |entry| entry.code);
    let mut diagnostic = Diagnostic::error(code, error.to_string()).at(span, "this file");
    if let Some(help) = miette::Diagnostic::help(error) {
        diagnostic = diagnostic.help(help.to_string());
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_named_through_the_current_directory_is_one_cache_entry() {
        assert_eq!(
            cache_key(Path::new("./stems/a.wav")),
            PathBuf::from("stems/a.wav")
        );
        assert_eq!(
            cache_key(Path::new("stems/./a.wav")),
            PathBuf::from("stems/a.wav")
        );
        assert_eq!(
            cache_key(Path::new("/p/./a.wav")),
            PathBuf::from("/p/a.wav")
        );
        // `..` is kept: through a symbolic link it is not the parent.
        assert_eq!(
            cache_key(Path::new("x/../a.wav")),
            PathBuf::from("x/../a.wav")
        );
    }
}
