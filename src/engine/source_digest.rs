//! Source digests learnt while stages read their files, in a clean build.
//!
//! A stage's key covers the blake3 of every source file it reads, which
//! normally means hashing every source before anything runs: for a film's
//! stems, gigabytes read twice, once to hash and once to render. When the
//! build state is empty nothing can be fresh, whatever the keys, so the
//! engine lets the stages run at once and learns the digests as the stages
//! read the files: a [`HashTap`] on a WAV reader hashes the bytes it reads,
//! in order, and publishes the digest when the reader has shown it the
//! whole file. A file no stage read from start to end (a trimmed clip, a
//! file whose header alone was read) is hashed afterwards, as before.
//!
//! A stage is recorded in the state under the key computed from these
//! digests. If a file's stat changed while the build ran, nobody knows which
//! bytes the stage saw: the stage is left unrecorded, so the next build
//! runs it again.

use std::{
    collections::HashMap,
    ffi::OsString,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, OnceLock,
    },
};

use crate::{
    audio::read_tap::ReadTap,
    engine::fingerprint::{self, FileStat, StatCache},
    engine::key::Digest,
};

/// What is known of a pending source's digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Not yet: no reader has shown the whole file (and it was not hashed).
    Pending,
    /// The digest of the bytes the stages read.
    Known(Digest),
    /// The file changed during the build; which bytes were read is unknown.
    Changed,
}

/// One source file whose digest is not known yet.
#[derive(Debug)]
pub struct PendingSource {
    path: PathBuf,
    /// The stat before any stage opened the file.
    before: FileStat,
    /// The digest a tap saw, once one saw the whole file.
    tapped: OnceLock<Digest>,
    /// The final word, once resolved.
    resolved: OnceLock<Option<Digest>>,
    /// Stages that declare the file and have not finished.
    readers: AtomicUsize,
}

impl PendingSource {
    /// Whether a tap has seen the file whole or its digest was resolved:
    /// nothing more to learn from reading it.
    fn settled(&self) -> bool {
        self.tapped.get().is_some() || self.resolved.get().is_some()
    }

    /// What is known now. With `hash`, a file no tap saw whole is read and
    /// hashed, so the answer is never [`Resolution::Pending`].
    pub fn resolve(&self, stats: &StatCache, hash: bool) -> Resolution {
        let settle = |digest: Option<Digest>| match digest {
            Some(digest) => Resolution::Known(digest),
            None => Resolution::Changed,
        };
        if let Some(resolved) = self.resolved.get() {
            return settle(*resolved);
        }
        if self.tapped.get().is_none() && !hash {
            return Resolution::Pending;
        }
        settle(*self.resolved.get_or_init(|| {
            let digest = match self.tapped.get() {
                Some(digest) => {
                    stats.remember(&self.path, self.before, *digest);
                    *digest
                }
                None => stats.fingerprint(&self.path).ok()?,
            };
            let unchanged = fingerprint::stat(&self.path).is_ok_and(|now| now == self.before);
            unchanged.then_some(digest)
        }))
    }
}

/// The sources of a build whose digests are learnt as stages read them.
#[derive(Debug, Default)]
pub struct PendingSources {
    by_path: HashMap<OsString, Arc<PendingSource>>,
}

impl PendingSources {
    /// Adds the file at `path` (as the engine resolved it), whose stat is
    /// `before`.
    pub fn add(&mut self, path: PathBuf, before: FileStat) {
        self.by_path.insert(
            path.clone().into_os_string(),
            Arc::new(PendingSource {
                path,
                before,
                tapped: OnceLock::new(),
                resolved: OnceLock::new(),
                readers: AtomicUsize::new(0),
            }),
        );
    }

    /// Counts a stage that declares the file at `path` (if it is pending).
    pub fn add_reader(&self, path: &Path) {
        if let Some(source) = self.by_path.get(path.as_os_str()) {
            source.readers.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A stage that declared these files has finished (run, failed or
    /// never run). Returns the sources whose last reader that was and that
    /// no tap saw whole: they must be hashed to record their stages, and
    /// nothing will read them any more, so the sooner the better (a killed
    /// build keeps what was recorded).
    pub fn reader_finished<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p Path>,
    ) -> Vec<Arc<PendingSource>> {
        paths
            .into_iter()
            .filter_map(|path| self.by_path.get(path.as_os_str()))
            .filter(|source| {
                let last = source
                    .readers
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                last == Ok(1)
            })
            .filter(|source| !source.settled())
            .cloned()
            .collect()
    }

    /// The pending source at `path`.
    pub fn get(&self, path: &Path) -> Option<&PendingSource> {
        self.by_path.get(path.as_os_str()).map(Arc::as_ref)
    }

    /// A tap that hashes the file at `path` as a reader reads it, unless
    /// its digest is not pending or a tap already saw it whole.
    pub fn tap(&self, path: &Path) -> Option<Box<dyn ReadTap>> {
        let source = self.by_path.get(path.as_os_str())?;
        if source.settled() {
            return None;
        }
        Some(Box::new(HashTap {
            source: Arc::clone(source),
            hasher: blake3::Hasher::new(),
            next: 0,
            broken: false,
        }))
    }
}

/// Hashes what a reader shows it, as long as it is shown the file in
/// order from its first byte; publishes the digest at the end if the
/// length is the one the file had before the build.
struct HashTap {
    source: Arc<PendingSource>,
    hasher: blake3::Hasher,
    next: u64,
    broken: bool,
}

impl ReadTap for HashTap {
    fn bytes(&mut self, offset: u64, bytes: &[u8]) {
        if self.broken || offset != self.next {
            self.broken = true;
            return;
        }
        self.hasher.update(bytes);
        self.next += bytes.len() as u64;
    }

    fn end(&mut self) {
        if !self.broken && self.next == self.source.before.size {
            let _ = self.source.tapped.set(self.hasher.finalize().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(path: &Path) -> PendingSources {
        let mut sources = PendingSources::default();
        sources.add(path.to_path_buf(), fingerprint::stat(path).unwrap());
        sources
    }

    #[test]
    fn a_tap_shown_the_whole_file_in_order_gives_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dx.wav");
        std::fs::write(&path, b"RIFF and the rest").unwrap();
        let sources = pending(&path);
        let stats = StatCache::new();
        let mut tap = sources.tap(&path).unwrap();
        tap.bytes(0, b"RIFF ");
        tap.bytes(5, b"and the rest");
        assert_eq!(
            sources.get(&path).unwrap().resolve(&stats, false),
            Resolution::Pending
        );
        tap.end();
        let digest = Digest::of(b"RIFF and the rest");
        assert_eq!(
            sources.get(&path).unwrap().resolve(&stats, false),
            Resolution::Known(digest)
        );
        // Once known, no further tap is handed out, and the stat cache
        // knows the file without reading it.
        assert!(sources.tap(&path).is_none());
        assert_eq!(
            stats.known(&path).unwrap().1,
            None,
            "a file this recent is not trusted"
        );
        assert_eq!(stats.counters().files, 0);
    }

    #[test]
    fn a_gap_or_a_short_read_leaves_the_file_to_be_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fx.wav");
        std::fs::write(&path, b"0123456789").unwrap();
        let sources = pending(&path);
        let stats = StatCache::new();
        let mut gap = sources.tap(&path).unwrap();
        gap.bytes(0, b"0123");
        gap.bytes(6, b"6789");
        gap.end();
        let mut short = sources.tap(&path).unwrap();
        short.bytes(0, b"01234");
        short.end();
        let source = sources.get(&path).unwrap();
        assert_eq!(source.resolve(&stats, false), Resolution::Pending);
        assert_eq!(
            source.resolve(&stats, true),
            Resolution::Known(Digest::of(b"0123456789"))
        );
        assert_eq!(stats.counters().files, 1);
    }

    #[test]
    fn a_file_changed_during_the_build_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mx.wav");
        std::fs::write(&path, b"first take").unwrap();
        let sources = pending(&path);
        let mut tap = sources.tap(&path).unwrap();
        tap.bytes(0, b"first take");
        tap.end();
        std::fs::write(&path, b"second take, longer").unwrap();
        let stats = StatCache::new();
        assert_eq!(
            sources.get(&path).unwrap().resolve(&stats, true),
            Resolution::Changed
        );
        assert!(sources.get(Path::new("elsewhere.wav")).is_none());
    }
}
