//! A WAV file's header: channel count, sample rate and length, read without
//! decoding the audio. The lint rules (D003) and the cue sheet (a file's
//! length) need no more than this.

use std::{
    collections::HashMap,
    ffi::OsString,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex, OnceLock,
    },
};

use serde::{Deserialize, Serialize};

use crate::{
    audio::{AudioError, WavReader},
    diagnostic::Diagnostic,
    engine::fingerprint::FileStat,
    model::Model,
    syntax::span::Span,
};

/// E0502: a file that is not a WAV file (the audio core's code).
pub const NOT_WAV: &str = crate::diagnostic::codes::E0502.code;

/// What the header of a WAV file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    HeaderCache::global().header(path)
}

/// What a cached header was read at: size, modification and change times,
/// inode (the stat cache's comparison).
type Stat = FileStat;

/// One remembered header: the stat it was read at, and whether that stat
/// is old enough to be trusted in a later process (a file written within
/// the racy window of its reading could change again within the same
/// timestamp tick, as with the stat cache).
#[derive(Debug, Clone, Copy)]
struct Known {
    stat: Stat,
    header: WavHeader,
    trusted: bool,
    /// Looked up or read in this process (only these are saved).
    used: bool,
    /// The load ([`HeaderCache::start_load`]) in which the stat was last
    /// found to match; 0 for none.
    checked: u64,
}

/// The headers this process has read, by file; [`HeaderCache::global`] is
/// the one every front-end step shares, preloaded from the project's
/// `.sndtrk/headers` by [`crate::project::headers`].
#[derive(Debug, Default)]
pub struct HeaderCache {
    /// Keyed by the path's bytes ([`cache_key`]): hashing an `OsString` is
    /// much cheaper than hashing a `Path`, which walks its components.
    known: Mutex<HashMap<OsString, Known>>,
    /// Files actually opened (for tests and benchmarks).
    opened: AtomicU64,
    /// Whether a header was read, or a preloaded one went unused, since
    /// the last [`HeaderCache::take_saved`].
    dirty: AtomicBool,
    /// The current load (0 before the first) and the working directory
    /// seen when it started.
    load: Mutex<(u64, Option<PathBuf>)>,
}

/// A header as saved between processes: the file (absolute), its stat, the header.
pub type Saved = (PathBuf, Stat, WavHeader);

impl HeaderCache {
    /// The process's cache.
    pub fn global() -> &'static HeaderCache {
        static CACHE: OnceLock<HeaderCache> = OnceLock::new();
        CACHE.get_or_init(HeaderCache::default)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<OsString, Known>> {
        // Inserts are single calls: a poisoned map is still sound.
        self.known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The header of the WAV file at `path`: the remembered one while the
    /// file's stat is the one it was read at, else read (and remembered).
    pub fn header(&self, path: &Path) -> Result<WavHeader, AudioError> {
        let (load, directory) = self.load_view();
        let key = cache_key(path, directory.as_deref());
        if load != 0 {
            if let Some(entry) = self
                .lock()
                .get_mut(&key)
                .filter(|entry| entry.checked == load)
            {
                entry.used = true;
                return Ok(entry.header);
            }
        }
        let stat = crate::engine::fingerprint::stat(path).ok();
        if let Some(stat) = stat {
            let mut known = self.lock();
            if let Some(entry) = known.get_mut(&key).filter(|entry| entry.stat == stat) {
                entry.used = true;
                entry.checked = load;
                return Ok(entry.header);
            }
        }
        self.opened.fetch_add(1, Ordering::Relaxed);
        let reader = WavReader::open(path)?;
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
        drop(reader);
        // A file that changed while it was read is read again next time.
        if let Some(stat) = stat.filter(|before| {
            crate::engine::fingerprint::stat(path).is_ok_and(|after| after == *before)
        }) {
            let trusted = !stat.is_recent();
            self.lock().insert(
                key,
                Known {
                    stat,
                    header,
                    trusted,
                    used: true,
                    checked: load,
                },
            );
            if trusted {
                self.dirty.store(true, Ordering::SeqCst);
            }
        }
        Ok(header)
    }

    /// Remembers headers saved by an earlier process (trusted, not yet used).
    pub fn preload(&self, saved: Vec<Saved>) {
        let mut known = self.lock();
        for (path, stat, header) in saved {
            known.entry(path.into_os_string()).or_insert(Known {
                stat,
                header,
                trusted: true,
                used: false,
                checked: 0,
            });
        }
    }

    /// Starts a command's look at the files (the commands call it once as
    /// they load the project): from here until the next call, a header
    /// whose stat was found unchanged is given again without a stat, and
    /// relative paths are taken against the working directory of now. The
    /// front end of a no-op build of 1,000 stems asks for each header
    /// twice; the engine stats every source again, and reads each one it
    /// renders, itself. The language server never calls it: it stats every
    /// time.
    pub fn start_load(&self) {
        let mut load = self
            .load
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        load.0 += 1;
        load.1 = std::env::current_dir().ok();
    }

    /// Checks, for the current load, the stat of every remembered file not
    /// checked in it yet (a header found unchanged is then given without a
    /// stat; one that changed is read again when asked for). The commands
    /// run it on a second thread while the recipe resolves, so that the
    /// front end's first look at each of 1,000 sources costs no stat.
    pub fn check_remembered(&self) {
        let (load, _) = self.load_view();
        if load == 0 {
            return;
        }
        let unchecked: Vec<(OsString, Stat)> = self
            .lock()
            .iter()
            .filter(|(_, entry)| entry.checked != load)
            .map(|(path, entry)| (path.clone(), entry.stat))
            .collect();
        let unchanged: Vec<OsString> = unchecked
            .into_iter()
            .filter(|(path, stat)| {
                crate::engine::fingerprint::stat(Path::new(path)).is_ok_and(|now| now == *stat)
            })
            .map(|(path, _)| path)
            .collect();
        let mut known = self.lock();
        for path in unchanged {
            if let Some(entry) = known.get_mut(&path) {
                entry.checked = load;
            }
        }
    }

    fn load_view(&self) -> (u64, Option<PathBuf>) {
        let load = self
            .load
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (load.0, load.1.clone())
    }

    /// The trusted headers this process used, sorted by file, to save for
    /// the next one; `None` when nothing changed since they were loaded
    /// (every header was preloaded and each was used).
    pub fn take_saved(&self) -> Option<Vec<Saved>> {
        let known = self.lock();
        let unused = known.values().any(|entry| entry.trusted && !entry.used);
        if !self.dirty.swap(false, Ordering::SeqCst) && !unused {
            return None;
        }
        let mut saved: Vec<Saved> = known
            .iter()
            .filter(|(_, entry)| entry.trusted && entry.used)
            .map(|(path, entry)| (PathBuf::from(path), entry.stat, entry.header))
            .collect();
        saved.sort_by(|a, b| a.0.cmp(&b.0));
        Some(saved)
    }

    /// How many files this cache has opened to read a header.
    #[cfg(test)]
    pub fn opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }
}

/// The cache's name for `path`: absolute and without `.` components, so
/// that `./stems/a.wav` (a recipe in the current directory), `stems/a.wav`
/// and the absolute path are one file, in this process and the next.
/// A relative path is taken against `directory` when one is given (the
/// working directory at the start of the load), else the current one.
fn cache_key(path: &Path, directory: Option<&Path>) -> OsString {
    let absolute = match directory {
        Some(directory) if path.is_relative() => directory.join(path),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    };
    absolute
        .components()
        .filter(|component| !matches!(component, std::path::Component::CurDir))
        .collect::<PathBuf>()
        .into_os_string()
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
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_file_named_through_the_current_directory_is_one_cache_entry() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(
            cache_key(Path::new("./stems/a.wav"), None),
            here.join("stems/a.wav").into_os_string()
        );
        assert_eq!(
            cache_key(Path::new("stems/./a.wav"), Some(&here)),
            here.join("stems/a.wav").into_os_string()
        );
        assert_eq!(
            cache_key(Path::new("/p/./a.wav"), Some(&here)),
            OsString::from("/p/a.wav")
        );
        // `..` is kept: through a symbolic link it is not the parent.
        assert_eq!(
            cache_key(Path::new("/x/../a.wav"), None),
            OsString::from("/x/../a.wav")
        );
    }

    /// A mono 16-bit WAV of `frames` frames at `rate`.
    pub(crate) fn write_wav(path: &Path, frames: usize, rate: u32) {
        let spec = crate::audio::WavSpec {
            sample_rate: rate,
            layout: crate::audio::ChannelLayout::mono(),
            sample_format: crate::audio::SampleFormat::Int16,
            time_reference: None,
        };
        let mut writer = crate::audio::WavWriter::create(path, spec).unwrap();
        writer.write_block(&vec![0.25; frames]).unwrap();
        writer.finish().unwrap();
    }

    /// Dates the file a minute ago, outside the racy window.
    pub(crate) fn age(path: &Path) {
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }

    #[test]
    fn a_saved_header_is_used_until_its_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        write_wav(&path, 480, 48_000);
        age(&path);
        let first = HeaderCache::default();
        assert_eq!(first.header(&path).unwrap().frames, 480);
        assert_eq!(first.header(&path).unwrap().frames, 480);
        assert_eq!(first.opened(), 1);
        let saved = first.take_saved().unwrap();
        assert_eq!(saved.len(), 1);
        assert_eq!(first.take_saved(), None, "nothing new since");

        // The next process opens nothing.
        let next = HeaderCache::default();
        next.preload(saved.clone());
        assert_eq!(next.header(&path).unwrap().sample_rate, 48_000);
        assert_eq!(next.opened(), 0);
        assert_eq!(next.take_saved(), None, "all used, nothing read");

        // Rewritten (another length and rate), it is read again.
        write_wav(&path, 960, 44_100);
        age(&path);
        let after = HeaderCache::default();
        after.preload(saved.clone());
        let header = after.header(&path).unwrap();
        assert_eq!((header.frames, header.sample_rate), (960, 44_100));
        assert_eq!(after.opened(), 1);

        // A preloaded file this process did not use is dropped on saving.
        let other = HeaderCache::default();
        other.preload(saved);
        assert_eq!(other.take_saved(), Some(Vec::new()));
    }

    #[test]
    fn within_a_load_a_checked_header_is_given_again_and_without_one_every_change_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        write_wav(&path, 480, 48_000);
        // A command: one look at the files per load.
        let command = HeaderCache::default();
        command.start_load();
        assert_eq!(command.header(&path).unwrap().frames, 480);
        write_wav(&path, 960, 48_000);
        assert_eq!(
            command.header(&path).unwrap().frames,
            480,
            "the load's view"
        );
        command.start_load();
        assert_eq!(
            command.header(&path).unwrap().frames,
            960,
            "the next load's"
        );
        assert_eq!(command.opened(), 2);
        // The language server never starts a load: it sees every change.
        let server = HeaderCache::default();
        assert_eq!(server.header(&path).unwrap().frames, 960);
        write_wav(&path, 240, 48_000);
        assert_eq!(server.header(&path).unwrap().frames, 240);
    }

    #[test]
    fn remembered_headers_checked_ahead_are_given_without_opening_and_a_changed_one_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let same = dir.path().join("same.wav");
        let changed = dir.path().join("changed.wav");
        write_wav(&same, 480, 48_000);
        write_wav(&changed, 480, 48_000);
        age(&same);
        age(&changed);
        let first = HeaderCache::default();
        first.header(&same).unwrap();
        first.header(&changed).unwrap();
        let saved = first.take_saved().unwrap();
        write_wav(&changed, 960, 44_100);
        let next = HeaderCache::default();
        next.start_load();
        next.preload(saved);
        next.check_remembered();
        assert_eq!(next.header(&same).unwrap().frames, 480);
        assert_eq!(next.opened(), 0);
        let header = next.header(&changed).unwrap();
        assert_eq!((header.frames, header.sample_rate), (960, 44_100));
        assert_eq!(next.opened(), 1);
    }

    #[test]
    fn a_header_read_just_after_its_file_was_written_is_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.wav");
        write_wav(&path, 480, 48_000);
        let cache = HeaderCache::default();
        assert_eq!(cache.header(&path).unwrap().frames, 480);
        // Remembered in this process, but within the racy window.
        assert_eq!(cache.header(&path).unwrap().frames, 480);
        assert_eq!(cache.opened(), 1);
        assert_eq!(cache.take_saved(), None);
    }
}
