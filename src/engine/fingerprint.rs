//! Source identities: the blake3 of a file's bytes, remembered in a
//! persisted stat cache keyed by path and checked against (size, mtime,
//! ctime, inode), so an unchanged tree is never re-read and a file that was
//! touched but not changed is re-hashed once and keeps its identity.
//!
//! Like git's index, an entry whose file changed within [`RACY_WINDOW`] of
//! being hashed is not trusted ("racily clean"): the file system's timestamp
//! granularity could hide a second write in the same tick, so such a file is
//! hashed again next time. Files the engine wrote itself (store objects,
//! outputs) are recorded with [`StatCache::record`] and trusted at once.

use std::{
    collections::HashMap,
    ffi::OsString,
    fs::{self, File, Metadata},
    io::{self, Read},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex, MutexGuard,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};

use crate::{engine::error::EngineWarning, engine::key::Digest, engine::versioned_file};

/// A file changed less than this long before it was hashed is re-hashed on
/// its next use.
pub const RACY_WINDOW: Duration = Duration::from_secs(1);

const MAGIC: &str = "sndtrk-stat-cache";
const VERSION: u32 = 1;
const BUFFER: usize = 256 * 1024;

/// What the stat cache compares to decide a file is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

impl FileStat {
    /// The stat of a file's metadata.
    pub fn of(metadata: &Metadata) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Self {
                size: metadata.len(),
                // Saturating: an absurd timestamp must not overflow.
                mtime_ns: metadata
                    .mtime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(metadata.mtime_nsec()),
                ctime_ns: metadata
                    .ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(metadata.ctime_nsec()),
                inode: metadata.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let nanos = |time: io::Result<SystemTime>| {
                time.ok()
                    .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |since| since.as_nanos() as i64)
            };
            Self {
                size: metadata.len(),
                mtime_ns: nanos(metadata.modified()),
                ctime_ns: nanos(metadata.created()),
                inode: 0,
            }
        }
    }

    /// Whether the file changed within the racy window before now.
    pub fn is_recent(&self) -> bool {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(i64::MAX, |since| since.as_nanos() as i64);
        let window = RACY_WINDOW.as_nanos() as i64;
        self.mtime_ns > now - window
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    stat: FileStat,
    hash: Digest,
    trusted: bool,
}

/// How much work the cache saved or did (for tests and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashCounters {
    /// Files whose bytes were read and hashed.
    pub files: u64,
    /// Bytes read and hashed.
    pub bytes: u64,
}

/// The persisted stat cache, shared between threads.
#[derive(Debug, Default)]
pub struct StatCache {
    /// Keyed by the path's bytes: hashing an `OsString` is much cheaper
    /// than hashing a `Path` (which walks its components).
    entries: Mutex<HashMap<OsString, Entry>>,
    dirty: AtomicBool,
    files_hashed: AtomicU64,
    bytes_hashed: AtomicU64,
}

impl StatCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the cache saved at `path`; a missing file gives an empty cache,
    /// an unreadable one an empty cache and a warning.
    pub fn load(path: &Path) -> (Self, Option<EngineWarning>) {
        let (entries, warning) = match versioned_file::load::<Vec<Entry>>(path, MAGIC, VERSION) {
            Ok(entries) => (entries.unwrap_or_default(), None),
            Err(warning) => (Vec::new(), Some(warning)),
        };
        let cache = Self {
            entries: Mutex::new(
                entries
                    .into_iter()
                    .map(|entry| (entry.path.clone().into_os_string(), entry))
                    .collect(),
            ),
            ..Self::default()
        };
        (cache, warning)
    }

    /// Writes the cache to `path` atomically when it changed since loading.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        if !self.dirty.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        let mut entries: Vec<Entry> = self.lock().values().cloned().collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        versioned_file::save(path, MAGIC, VERSION, &entries).inspect_err(|_| {
            self.dirty.store(true, Ordering::SeqCst);
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<OsString, Entry>> {
        // A panic while holding the lock cannot leave an entry half-written
        // (inserts are single calls), so a poisoned map is still sound.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The blake3 of the file's bytes, from the cache when its stat is
    /// unchanged, otherwise by reading it (and remembering the result).
    pub fn fingerprint(&self, path: &Path) -> io::Result<Digest> {
        let before = FileStat::of(&regular_file_metadata(path)?);
        if let Some(entry) = self.lock().get(path.as_os_str()) {
            if entry.trusted && entry.stat == before {
                return Ok(entry.hash);
            }
        }
        let (hash, bytes) = hash_file(path)?;
        self.files_hashed.fetch_add(1, Ordering::Relaxed);
        self.bytes_hashed.fetch_add(bytes, Ordering::Relaxed);
        let after = FileStat::of(&regular_file_metadata(path)?);
        // A file that changed while it was read is hashed again next time.
        let trusted = after == before && !after.is_recent();
        self.insert(path, after, hash, trusted);
        Ok(hash)
    }

    /// The file's stat, and its hash when the cache knows it for that stat,
    /// without reading the file.
    pub fn known(&self, path: &Path) -> io::Result<(FileStat, Option<Digest>)> {
        let stat = FileStat::of(&regular_file_metadata(path)?);
        let hash = self
            .lock()
            .get(path.as_os_str())
            .filter(|entry| entry.trusted && entry.stat == stat)
            .map(|entry| entry.hash);
        Ok((stat, hash))
    }

    /// Remembers that the file at `path` held bytes with hash `hash` while
    /// its stat was `stat` (the engine hashed it as a stage read it). As
    /// with [`StatCache::fingerprint`], a stat within the racy window is
    /// not trusted next time.
    pub fn remember(&self, path: &Path, stat: FileStat, hash: Digest) {
        self.insert(path, stat, hash, !stat.is_recent());
    }

    /// Remembers that the file at `path`, which the engine itself just wrote,
    /// holds bytes with hash `hash`.
    pub fn record(&self, path: &Path, hash: Digest) -> io::Result<()> {
        let stat = FileStat::of(&fs::metadata(path)?);
        self.insert(path, stat, hash, true);
        Ok(())
    }

    /// Forgets `path` (after the engine removed it).
    pub fn forget(&self, path: &Path) {
        if self.lock().remove(path.as_os_str()).is_some() {
            self.dirty.store(true, Ordering::SeqCst);
        }
    }

    /// Drops the entries of files that no longer exist.
    pub fn prune(&self) {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|path, _| Path::new(path).is_file());
        if entries.len() != before {
            self.dirty.store(true, Ordering::SeqCst);
        }
    }

    fn insert(&self, path: &Path, stat: FileStat, hash: Digest, trusted: bool) {
        let entry = Entry {
            path: path.to_path_buf(),
            stat,
            hash,
            trusted,
        };
        let mut entries = self.lock();
        let unchanged = entries.get(path.as_os_str()).is_some_and(|old| {
            old.stat == entry.stat && old.hash == entry.hash && old.trusted == entry.trusted
        });
        if !unchanged {
            entries.insert(path.as_os_str().to_owned(), entry);
            self.dirty.store(true, Ordering::SeqCst);
        }
    }

    /// How many files and bytes this cache has hashed since it was loaded.
    pub fn counters(&self) -> HashCounters {
        HashCounters {
            files: self.files_hashed.load(Ordering::Relaxed),
            bytes: self.bytes_hashed.load(Ordering::Relaxed),
        }
    }
}

/// The stat of the regular file at `path` (an error for anything else).
pub fn stat(path: &Path) -> io::Result<FileStat> {
    regular_file_metadata(path).map(|metadata| FileStat::of(&metadata))
}

fn regular_file_metadata(path: &Path) -> io::Result<Metadata> {
    let metadata = fs::metadata(path)?;
    if metadata.is_file() {
        Ok(metadata)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

/// Hashes a file streaming, in bounded memory; returns the digest and the
/// number of bytes read.
pub fn hash_file(path: &Path) -> io::Result<(Digest, u64)> {
    hash_reader(&mut File::open(path)?)
}

/// The blake3 of everything `reader` yields, and its length. Reads in
/// large blocks, so blake3 hashes many chunks at once with SIMD (a plain
/// `io::copy` into the hasher feeds it 8 KiB at a time).
pub fn hash_reader(file: &mut impl Read) -> io::Result<(Digest, u64)> {
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; BUFFER];
    let mut total = 0u64;
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
    Ok((hasher.finalize().into(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(path: &Path, seconds: u64) {
        let file = File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(seconds))
            .unwrap();
    }

    #[test]
    fn hashes_the_bytes_streaming() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.wav");
        let bytes: Vec<u8> = (0..(3 * BUFFER + 17))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        fs::write(&path, &bytes).unwrap();
        assert_eq!(
            hash_file(&path).unwrap(),
            (Digest::of(&bytes), bytes.len() as u64)
        );
    }

    #[test]
    fn unchanged_files_are_not_read_again_and_survive_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dx.wav");
        fs::write(&path, b"dialogue").unwrap();
        age(&path, 60);
        let cache = StatCache::new();
        assert_eq!(cache.fingerprint(&path).unwrap(), Digest::of(b"dialogue"));
        assert_eq!(cache.fingerprint(&path).unwrap(), Digest::of(b"dialogue"));
        assert_eq!(cache.counters(), HashCounters { files: 1, bytes: 8 });

        let saved = dir.path().join("stat-cache");
        cache.save(&saved).unwrap();
        let (reloaded, warning) = StatCache::load(&saved);
        assert!(warning.is_none());
        assert_eq!(
            reloaded.fingerprint(&path).unwrap(),
            Digest::of(b"dialogue")
        );
        assert_eq!(reloaded.counters(), HashCounters::default());
    }

    #[test]
    fn touched_file_is_rehashed_once_and_keeps_its_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fx.wav");
        fs::write(&path, b"effects").unwrap();
        age(&path, 60);
        let cache = StatCache::new();
        let first = cache.fingerprint(&path).unwrap();
        age(&path, 30); // like `touch`, but outside the racy window
        assert_eq!(cache.fingerprint(&path).unwrap(), first);
        assert_eq!(cache.fingerprint(&path).unwrap(), first);
        assert_eq!(cache.counters().files, 2);
    }

    #[test]
    fn changed_bytes_change_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mx.wav");
        fs::write(&path, b"music").unwrap();
        let cache = StatCache::new();
        cache.fingerprint(&path).unwrap();
        fs::write(&path, b"MUSIC").unwrap();
        assert_eq!(cache.fingerprint(&path).unwrap(), Digest::of(b"MUSIC"));
    }

    #[test]
    fn recently_changed_file_is_not_trusted_until_it_settles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.wav");
        fs::write(&path, b"fresh").unwrap();
        let cache = StatCache::new();
        cache.fingerprint(&path).unwrap();
        cache.fingerprint(&path).unwrap();
        assert_eq!(cache.counters().files, 2);
    }

    #[test]
    fn recorded_files_are_trusted_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("object");
        fs::write(&path, b"rendered").unwrap();
        let cache = StatCache::new();
        cache.record(&path, Digest::of(b"rendered")).unwrap();
        assert_eq!(cache.fingerprint(&path).unwrap(), Digest::of(b"rendered"));
        assert_eq!(cache.counters().files, 0);
        let missing = cache.fingerprint(&dir.path().join("nope")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        let directory = cache.fingerprint(dir.path()).unwrap_err();
        assert_eq!(directory.to_string(), "not a regular file");
    }

    #[test]
    fn far_future_timestamps_do_not_overflow() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.wav");
        fs::write(&path, b"from 2382").unwrap();
        let file = File::options().write(true).open(&path).unwrap();
        file.set_modified(UNIX_EPOCH + Duration::from_secs(13_000_000_000))
            .unwrap();
        let stat = FileStat::of(&fs::metadata(&path).unwrap());
        assert_eq!(stat.mtime_ns, i64::MAX);
        let cache = StatCache::new();
        assert_eq!(cache.fingerprint(&path).unwrap(), Digest::of(b"from 2382"));
        assert_eq!(cache.fingerprint(&path).unwrap(), Digest::of(b"from 2382"));
    }

    #[test]
    fn corrupt_cache_file_is_discarded_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("stat-cache");
        fs::write(&saved, b"sndtrk-stat-cache 1 0000\n{not json").unwrap();
        let (cache, warning) = StatCache::load(&saved);
        assert!(warning.unwrap().to_string().contains("it is corrupt"));
        assert!(cache.lock().is_empty());
    }
}
