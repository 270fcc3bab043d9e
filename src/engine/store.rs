//! The content-addressed object store under `DIR/.sndtrk/objects/`: every
//! stage output is a file named by the blake3 of its bytes,
//! `objects/<2 hex>/<62 hex>`.
//!
//! Objects are written through [`ObjectWriter`] (a temporary file in
//! `objects/tmp/`, hashed, flushed to disk, then renamed into place), so a
//! killed build leaves at most a stray temporary, never a half object under
//! a real name. Objects are made read-only and checked against their name
//! before use ([`Store::check`], through the stat cache so an untouched
//! object is not re-read); one whose bytes do not match is deleted and
//! reported damaged, so its stage is rebuilt.
//!
//! Deliverables are *copied* from the store into `out/` ([`Store::materialise`]:
//! a temporary file in `objects/tmp/`, flushed, renamed into place), never
//! hard-linked: a user who edits a file in
//! `out/` in place must not corrupt the cache. `std::io::copy` uses
//! `copy_file_range` on Linux, which reflinks on file systems that can.

use std::{
    fs::{self, File},
    io::{self, BufWriter, Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use tempfile::NamedTempFile;

use crate::engine::{
    atomic_file::AtomicFile,
    fingerprint::StatCache,
    key::Digest,
    tree_hash::{block_cv, BlockHasher, Tree, BLOCK},
};

/// The state of an object in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectState {
    /// Present and its bytes match its name.
    Present,
    /// Not in the store.
    Missing,
    /// Its bytes did not match its name (or could not be read); it has been
    /// removed.
    Damaged,
}

/// One object found in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub digest: Digest,
    pub size: u64,
}

/// The object store of one project.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store of the project in `project_dir` (nothing is created yet).
    pub fn new(project_dir: &Path) -> Self {
        Self {
            root: project_dir.join(".sndtrk").join("objects"),
        }
    }

    /// `DIR/.sndtrk/objects`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn temporary_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the object with this digest lives.
    pub fn object_path(&self, digest: &Digest) -> PathBuf {
        let hex = digest.to_hex();
        self.root.join(&hex[..2]).join(&hex[2..])
    }

    /// Starts a new object.
    pub fn writer(&self) -> io::Result<ObjectWriter> {
        let temporary_dir = self.temporary_dir();
        fs::create_dir_all(&temporary_dir)?;
        let file = tempfile::Builder::new()
            .prefix("object-")
            .tempfile_in(&temporary_dir)?;
        Ok(ObjectWriter::new(file, self.clone()))
    }

    /// Stores the bytes of `reader`, streaming.
    pub fn put(&self, mut reader: impl Read, stats: &StatCache) -> io::Result<Digest> {
        let mut writer = self.writer()?;
        io::copy(&mut reader, &mut writer)?;
        writer.finish(stats).map(|(digest, _)| digest)
    }

    /// Whether the object is present and intact. A damaged object is removed.
    ///
    /// Cheap: the bytes are only re-hashed when the file's stat differs from
    /// when it was written or last hashed, which catches any write to it.
    /// Damage that leaves the stat alone (bit rot) needs [`Store::verify`].
    pub fn check(&self, digest: &Digest, stats: &StatCache) -> ObjectState {
        let path = self.object_path(digest);
        match stats.fingerprint(&path) {
            Ok(found) if found == *digest => ObjectState::Present,
            Err(error) if error.kind() == io::ErrorKind::NotFound => ObjectState::Missing,
            _ => {
                let _ = fs::remove_file(&path);
                stats.forget(&path);
                ObjectState::Damaged
            }
        }
    }

    /// Like [`Store::check`], but always re-reads and re-hashes the bytes.
    pub fn verify(&self, digest: &Digest, stats: &StatCache) -> ObjectState {
        stats.forget(&self.object_path(digest));
        self.check(digest, stats)
    }

    /// Makes `destination` hold the object's bytes, atomically: a hard
    /// link to the object (read-only, like it, and no second copy on disk),
    /// or a copy where the file system cannot link the two. Returns false
    /// (and writes nothing) when it already holds exactly those bytes.
    ///
    /// A deliverable written through its link (by root, or after a
    /// `chmod`) changes the object too: its stat changes with it, so the
    /// next build re-hashes the object, finds it damaged and renders it
    /// again.
    pub fn materialise(
        &self,
        digest: &Digest,
        destination: &Path,
        stats: &StatCache,
    ) -> io::Result<bool> {
        if stats.fingerprint(destination).ok() == Some(*digest) {
            return Ok(false);
        }
        if self.link(digest, destination, stats)? {
            return Ok(true);
        }
        self.copy(digest, destination, stats)?;
        Ok(true)
    }

    /// Makes `destination` a hard link to the object: a link made in the
    /// store's temporary directory, renamed into place. Returns false,
    /// having changed nothing, where the file system cannot link the two
    /// (another device, no hard links).
    fn link(&self, digest: &Digest, destination: &Path, stats: &StatCache) -> io::Result<bool> {
        let object = self.object_path(digest);
        let temporary_dir = self.temporary_dir();
        fs::create_dir_all(&temporary_dir)?;
        let Ok(link) = tempfile::Builder::new()
            .prefix("output-")
            .make_in(&temporary_dir, |path| fs::hard_link(&object, path))
        else {
            return Ok(false);
        };
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent)?;
        }
        match link.persist(destination) {
            Ok(_) => {}
            Err(error) if error.error.kind() == io::ErrorKind::CrossesDevices => return Ok(false),
            Err(error) => return Err(error.error),
        }
        if let Some(parent) = destination.parent() {
            crate::engine::atomic_file::sync_directory(parent);
        }
        // A new link changes the object's ctime: both names are recorded
        // with the stat they have now, so neither is read again.
        stats.record(&object, *digest)?;
        stats.record(destination, *digest)?;
        Ok(true)
    }

    /// Makes `destination` a copy of the object, atomically.
    fn copy(&self, digest: &Digest, destination: &Path, stats: &StatCache) -> io::Result<()> {
        // The copy is made in the store's temporary directory, which the
        // next build clears, so a killed build leaves nothing in `out/`.
        // Only when `out/` is on another file system is the temporary file
        // made next to the destination instead.
        let mut source = File::open(self.object_path(digest))?;
        let temporary_dir = self.temporary_dir();
        fs::create_dir_all(&temporary_dir)?;
        let mut copy = tempfile::Builder::new()
            .prefix("output-")
            .tempfile_in(&temporary_dir)?;
        copy_writing_out(
            &mut source,
            copy.as_file_mut(),
            crate::engine::writeback::EVERY,
        )?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            copy.as_file()
                .set_permissions(fs::Permissions::from_mode(0o644))?;
        }
        copy.as_file().sync_all()?;
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent)?;
        }
        match copy.persist(destination) {
            Ok(_) => {
                if let Some(parent) = destination.parent() {
                    crate::engine::atomic_file::sync_directory(parent);
                }
            }
            Err(error) if error.error.kind() == io::ErrorKind::CrossesDevices => {
                let mut copy = error.file;
                copy.as_file_mut().seek(SeekFrom::Start(0))?;
                let mut output = AtomicFile::create(destination)?;
                io::copy(copy.as_file_mut(), output.file())?;
                output.commit()?;
            }
            Err(error) => return Err(error.error),
        }
        stats.record(destination, *digest)
    }

    /// Every object in the store, in digest order.
    pub fn list(&self) -> io::Result<Vec<ObjectInfo>> {
        let mut objects = Vec::new();
        let shards = match fs::read_dir(&self.root) {
            Ok(shards) => shards,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(objects),
            Err(error) => return Err(error),
        };
        for shard in shards {
            let shard = shard?;
            let prefix = shard.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in fs::read_dir(shard.path())? {
                let entry = entry?;
                let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
                if let (Ok(digest), Ok(metadata)) = (name.parse(), entry.metadata()) {
                    objects.push(ObjectInfo {
                        digest,
                        size: metadata.len(),
                    });
                }
            }
        }
        objects.sort_by_key(|object| object.digest);
        Ok(objects)
    }

    /// Deletes an object.
    pub fn remove(&self, digest: &Digest, stats: &StatCache) -> io::Result<()> {
        let path = self.object_path(digest);
        stats.forget(&path);
        match fs::remove_file(&path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Deletes temporaries left by a killed build. Only call it while
    /// holding the project lock (another build may be writing them).
    pub fn clear_temporaries(&self) -> io::Result<()> {
        match fs::remove_dir_all(self.temporary_dir()) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

/// Copies `source` into `destination` (in the kernel where it can), a
/// slice at a time, starting each slice's write-out as it goes, so the
/// `fsync` after it has little left to wait for.
fn copy_writing_out(source: &mut File, destination: &mut File, slice: u64) -> io::Result<u64> {
    let mut total = 0;
    loop {
        let copied = io::copy(&mut source.take(slice), destination)?;
        total += copied;
        if copied < slice {
            return Ok(total);
        }
        crate::engine::writeback::start(destination);
    }
}

/// The digest and tree of an adopted object patched in place, from its
/// stored `tree` with the `dirty` blocks read and hashed again (and its
/// last partial block): `None` when the file is no longer the tree's
/// length or fits in one block.
fn patched_tree(
    file: &mut File,
    mut tree: Tree,
    dirty: &std::collections::BTreeSet<u64>,
) -> io::Result<Option<(Digest, Tree)>> {
    let len = file.metadata()?.len();
    if len != tree.len || len <= BLOCK {
        return Ok(None);
    }
    let mut block = vec![0u8; BLOCK as usize];
    for &index in dirty {
        if let Some(cv) = tree.blocks.get_mut(index as usize) {
            file.seek(SeekFrom::Start(index * BLOCK))?;
            file.read_exact(&mut block)?;
            *cv = block_cv(index * BLOCK, &block);
        }
    }
    let tail = (len % BLOCK) as usize;
    file.seek(SeekFrom::Start(len - tail as u64))?;
    file.read_exact(&mut block[..tail])?;
    Ok(tree.digest(&block[..tail]).map(|digest| (digest, tree)))
}

/// A new object being written; [`ObjectWriter::finish`] hashes it and moves
/// it under its name. Implements `Write + Seek` (WAV writers patch their
/// header at the end). Dropped without finishing, it leaves nothing behind.
///
/// Bytes written in order are hashed as they go, so a finished object is
/// not read back. A seek back that rewrites the first [`HEAD`] bytes with
/// the same bytes (a WAV header written with its final sizes up front) keeps
/// that hash; any other rewrite or gap falls back to reading the file back.
pub struct ObjectWriter {
    file: BufWriter<NamedTempFile>,
    store: Store,
    hasher: BlockHasher,
    /// An adopted object's tree as it was stored, and the blocks written
    /// since ([`ObjectWriter::adopt`]).
    adopted: Option<(Tree, std::collections::BTreeSet<u64>)>,
    /// Bytes hashed so far: the object's prefix `[0, hashed)`.
    hashed: u64,
    /// The file position.
    position: u64,
    /// The end of the furthest write.
    end: u64,
    /// A copy of what was written in `[0, HEAD)`, to compare rewrites with.
    head: Vec<u8>,
    /// Whether `hasher` still holds the hash of `[0, hashed)` as written.
    in_order: bool,
    /// `end` when write-out was last started (see [`crate::engine::writeback`]).
    written_out: u64,
}

/// How much of an object's start is kept to recognise identical rewrites.
const HEAD: u64 = 64 * 1024;

impl Write for ObjectWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.saw(&bytes[..written]);
        if self.end - self.written_out >= crate::engine::writeback::EVERY {
            self.written_out = self.end;
            crate::engine::writeback::start(self.file.get_ref().as_file());
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for ObjectWriter {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        self.position = self.file.seek(position)?;
        Ok(self.position)
    }
}

impl ObjectWriter {
    fn new(file: NamedTempFile, store: Store) -> Self {
        Self {
            file: BufWriter::with_capacity(256 * 1024, file),
            store,
            hasher: BlockHasher::default(),
            adopted: None,
            hashed: 0,
            position: 0,
            end: 0,
            head: Vec::new(),
            in_order: true,
            written_out: 0,
        }
    }

    /// Follows `bytes`, just written at the current position.
    fn saw(&mut self, bytes: &[u8]) {
        let start = self.position;
        let stop = start + bytes.len() as u64;
        if self.in_order {
            if start == self.hashed {
                self.hasher.update(bytes);
                self.hashed = stop;
            } else if stop > self.hashed
                || stop > self.head.len() as u64
                || self.head[start as usize..stop as usize] != *bytes
            {
                self.in_order = false;
            }
        }
        if start < HEAD {
            let keep = (stop.min(HEAD) - start) as usize;
            let from = start as usize;
            if self.head.len() < from + keep {
                self.head.resize(from + keep, 0);
            }
            self.head[from..from + keep].copy_from_slice(&bytes[..keep]);
        }
        if let Some((_, dirty)) = &mut self.adopted {
            if stop > start {
                dirty.extend(start / BLOCK..=(stop - 1) / BLOCK);
            }
        }
        self.position = stop;
        self.end = self.end.max(stop);
    }

    /// Discards everything written so far: the object is empty again, as
    /// from [`Store::writer`]. For a stage that renders its output, finds
    /// it wanting (a limited deliverable measured short of its loudness)
    /// and renders it again.
    pub fn restart(&mut self) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0))?;
        self.file.get_ref().as_file().set_len(0)?;
        self.hasher = BlockHasher::default();
        self.adopted = None;
        self.hashed = 0;
        self.position = 0;
        self.end = 0;
        self.head.clear();
        self.in_order = true;
        self.written_out = 0;
        Ok(())
    }

    /// Takes the stored object at `object` as this writer's file, to be
    /// patched in place: the object leaves the store (its name is gone, its
    /// bytes are this writer's), nothing written so far is kept, and the
    /// writer is positioned at its start with the object's bytes after it.
    /// [`ObjectWriter::finish`] reads the patched file back to hash it and
    /// flushes only what was rewritten. For a stage that re-renders a few
    /// chunks of a long output whose previous version nothing else uses
    /// (see [`crate::engine::stage::RunContext::adopt_previous`]). On an
    /// error the object may be gone, never damaged under its name.
    pub fn adopt(
        &mut self,
        object: &Path,
        expected: &Digest,
        tree: Option<Tree>,
    ) -> io::Result<()> {
        self.restart()?;
        let path = self.file.get_ref().path().to_path_buf();
        fs::rename(object, &path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644))?;
        }
        let file = File::options().read(true).write(true).open(&path)?;
        let end = file.metadata()?.len();
        // The writer's own file lost its name to the object: its handle is
        // let go, and the name (removed when the writer is dropped
        // unfinished) is the object's now.
        let placeholder = tempfile::Builder::new()
            .prefix("object-")
            .tempfile_in(self.store.temporary_dir())?;
        let own = std::mem::replace(&mut self.file, BufWriter::new(placeholder));
        let (_, name) = own
            .into_inner()
            .map_err(|error| error.into_error())?
            .into_parts();
        self.file = BufWriter::with_capacity(256 * 1024, NamedTempFile::from_parts(file, name));
        self.end = end;
        self.in_order = false;
        // The tree is trusted only if it gives the object's digest (it is
        // the tree of these very bytes): a stale or damaged one costs a
        // whole read-back, never a wrong name.
        self.adopted = None;
        if let Some(tree) = tree.filter(|tree| tree.len == end) {
            let file = self.file.get_mut().as_file_mut();
            let checked = patched_tree(file, tree, &Default::default())?;
            file.seek(SeekFrom::Start(0))?;
            self.adopted = checked
                .filter(|(digest, _)| digest == expected)
                .map(|(_, tree)| (tree, Default::default()));
        }
        Ok(())
    }

    /// Whether every byte so far was written in order (identical rewrites
    /// of the start allowed), so [`ObjectWriter::finish`] will not read the
    /// object back.
    pub fn hashed_in_order(&self) -> bool {
        self.in_order && self.hashed == self.end
    }

    /// Hashes the bytes written (from the hash kept while writing, or by
    /// reading them back when they were not written in order), flushes them
    /// to disk and renames the file into the store. Returns the digest and
    /// the size.
    pub fn finish(self, stats: &StatCache) -> io::Result<(Digest, u64)> {
        self.finish_with_tree(stats)
            .map(|(digest, size, _)| (digest, size))
    }

    /// Like [`ObjectWriter::finish`], with the object's tree of block
    /// hashes ([`crate::engine::tree_hash`]), for an object that may be
    /// patched in place at its stage's next run.
    pub fn finish_with_tree(self, stats: &StatCache) -> io::Result<(Digest, u64, Tree)> {
        self.finish_checked(None, stats)?
            .ok_or_else(|| io::Error::other("an unchecked object is always stored"))
    }

    /// Like [`ObjectWriter::finish`], for bytes that must hash to
    /// `expected` (a download): bytes that do not are discarded, never
    /// stored, and `None` is returned.
    pub fn finish_expecting(self, expected: &Digest, stats: &StatCache) -> io::Result<Option<u64>> {
        self.finish_checked(Some(expected), stats)
            .map(|finished| finished.map(|(_, size, _)| size))
    }

    /// Hashes, checks against `expected` (when given) and stores.
    fn finish_checked(
        self,
        expected: Option<&Digest>,
        stats: &StatCache,
    ) -> io::Result<Option<(Digest, u64, Tree)>> {
        let in_order = self.hashed_in_order();
        let end = self.end;
        let kept = self.hasher.finish();
        let mut temporary = self.file.into_inner().map_err(|error| error.into_error())?;
        let patched = match self.adopted {
            Some((tree, dirty)) if !in_order => {
                patched_tree(temporary.as_file_mut(), tree, &dirty)?
            }
            _ => None,
        };
        let (digest, tree) = match patched {
            _ if in_order => kept,
            Some(patched) => patched,
            None => {
                temporary.as_file_mut().seek(SeekFrom::Start(0))?;
                crate::engine::tree_hash::read_tree(temporary.as_file_mut())?
            }
        };
        let size = if in_order { end } else { tree.len };
        debug_assert_eq!(size, tree.len);
        if expected.is_some_and(|expected| *expected != digest) {
            return Ok(None);
        }
        let destination = self.store.object_path(&digest);
        if stats.fingerprint(&destination).ok() == Some(digest) {
            return Ok(Some((digest, size, tree)));
        }
        temporary.as_file().sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temporary
                .as_file()
                .set_permissions(fs::Permissions::from_mode(0o444))?;
        }
        if let Some(shard) = destination.parent() {
            fs::create_dir_all(shard)?;
        }
        temporary
            .persist(&destination)
            .map_err(|error| error.error)?;
        stats.record(&destination, digest)?;
        Ok(Some((digest, size, tree)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_writable(path: &Path) {
        let mut permissions = fs::metadata(path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        fs::set_permissions(path, permissions).unwrap();
    }

    #[test]
    fn put_names_objects_by_content_and_check_finds_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let digest = store.put(&b"stereo mix"[..], &stats).unwrap();
        assert_eq!(digest, Digest::of(b"stereo mix"));
        let hex = digest.to_hex();
        let path = dir
            .path()
            .join(".sndtrk/objects")
            .join(&hex[..2])
            .join(&hex[2..]);
        assert_eq!(store.object_path(&digest), path);
        assert_eq!(fs::read(&path).unwrap(), b"stereo mix");
        assert_eq!(store.check(&digest, &stats), ObjectState::Present);
        assert_eq!(
            store.check(&Digest::of(b"other"), &stats),
            ObjectState::Missing
        );
        assert_eq!(store.list().unwrap(), vec![ObjectInfo { digest, size: 10 }]);
        // Putting the same bytes again is a no-op that yields the same name.
        assert_eq!(store.put(&b"stereo mix"[..], &stats).unwrap(), digest);
        assert!(fs::read_dir(store.root().join("tmp"))
            .unwrap()
            .next()
            .is_none());
    }

    #[test]
    fn an_adopted_object_is_patched_in_place_and_stored_under_its_new_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let old: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let digest = store.put(&old[..], &stats).unwrap();
        let path = store.object_path(&digest);
        let mut writer = store.writer().unwrap();
        writer.write_all(b"dropped").unwrap();
        writer.adopt(&path, &digest, None).unwrap();
        // The object left the store; its bytes are the writer's.
        assert!(!path.exists());
        writer.seek(SeekFrom::Start(1_000_000)).unwrap();
        writer.write_all(b"patched").unwrap();
        let (patched, size) = writer.finish(&stats).unwrap();
        let mut expected = old.clone();
        expected[1_000_000..1_000_007].copy_from_slice(b"patched");
        assert_eq!(size, expected.len() as u64);
        assert_eq!(patched, Digest::of(&expected));
        assert_eq!(fs::read(store.object_path(&patched)).unwrap(), expected);
        assert_eq!(store.check(&patched, &stats), ObjectState::Present);
        // Only the patched object and no temporary are left.
        assert_eq!(store.list().unwrap().len(), 1);
        assert!(fs::read_dir(store.temporary_dir())
            .unwrap()
            .next()
            .is_none());
        // An adopted object whose writer is dropped unfinished is gone,
        // never left damaged under its name.
        let mut writer = store.writer().unwrap();
        writer
            .adopt(&store.object_path(&patched), &patched, None)
            .unwrap();
        writer.write_all(b"half").unwrap();
        drop(writer);
        assert!(store.list().unwrap().is_empty());
        assert!(fs::read_dir(store.temporary_dir())
            .unwrap()
            .next()
            .is_none());
    }

    #[test]
    fn an_object_patched_with_its_tree_rehashes_its_written_blocks_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let old: Vec<u8> = (0..5_500_000u32).map(|i| (i % 253) as u8).collect();
        let mut writer = store.writer().unwrap();
        writer.write_all(&old).unwrap();
        let (digest, _, tree) = writer.finish_with_tree(&stats).unwrap();
        assert_eq!(tree.len, old.len() as u64);
        // A patch across two blocks and one in the last, partial block.
        let mut expected = old.clone();
        let mut writer = store.writer().unwrap();
        writer
            .adopt(&store.object_path(&digest), &digest, Some(tree.clone()))
            .unwrap();
        for (at, bytes) in [(BLOCK - 3, &b"across"[..]), (5_400_000, &b"tail"[..])] {
            writer.seek(SeekFrom::Start(at)).unwrap();
            writer.write_all(bytes).unwrap();
            expected[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        }
        let (patched, size, new_tree) = writer.finish_with_tree(&stats).unwrap();
        assert_eq!(patched, Digest::of(&expected));
        assert_eq!(size, expected.len() as u64);
        assert_eq!(
            new_tree,
            crate::engine::tree_hash::read_tree(&mut &expected[..])
                .unwrap()
                .1
        );
        // A tree that does not give the object's digest is not trusted:
        // the object is read back.
        let mut writer = store.writer().unwrap();
        let wrong = crate::engine::tree_hash::Tree {
            len: tree.len,
            blocks: vec![[7; 32]; tree.blocks.len()],
        };
        writer
            .adopt(&store.object_path(&patched), &patched, Some(wrong))
            .unwrap();
        writer.seek(SeekFrom::Start(10)).unwrap();
        writer.write_all(b"x").unwrap();
        expected[10] = b'x';
        let (again, _) = writer.finish(&stats).unwrap();
        assert_eq!(again, Digest::of(&expected));
        // Nor one of another length.
        let mut writer = store.writer().unwrap();
        writer
            .adopt(&store.object_path(&again), &again, Some(new_tree))
            .unwrap();
        writer.seek(SeekFrom::End(0)).unwrap();
        writer.write_all(b"longer").unwrap();
        expected.extend_from_slice(b"longer");
        let (longer, _) = writer.finish(&stats).unwrap();
        assert_eq!(longer, Digest::of(&expected));
    }

    #[test]
    fn damaged_object_is_detected_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let digest = store.put(&b"print master"[..], &stats).unwrap();
        let path = store.object_path(&digest);
        make_writable(&path);
        fs::write(&path, b"print mastex").unwrap();
        assert_eq!(store.check(&digest, &stats), ObjectState::Damaged);
        assert!(!path.exists());
        assert_eq!(store.check(&digest, &stats), ObjectState::Missing);
    }

    #[test]
    fn writer_seeks_and_abandoned_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let mut writer = store.writer().unwrap();
        writer.write_all(b"RIFF....WAVE").unwrap();
        writer.seek(SeekFrom::Start(4)).unwrap();
        writer.write_all(b"1234").unwrap();
        let (digest, size) = writer.finish(&stats).unwrap();
        assert_eq!((digest, size), (Digest::of(b"RIFF1234WAVE"), 12));

        // A restarted writer holds only what was written after.
        let mut again = store.writer().unwrap();
        again.write_all(b"first render, longer").unwrap();
        again.restart().unwrap();
        again.write_all(b"second").unwrap();
        assert!(again.hashed_in_order());
        let (digest, size) = again.finish(&stats).unwrap();
        assert_eq!((digest, size), (Digest::of(b"second"), 6));
        assert_eq!(fs::read(store.object_path(&digest)).unwrap(), b"second");

        let mut abandoned = store.writer().unwrap();
        abandoned.write_all(b"half a file").unwrap();
        drop(abandoned);
        assert!(fs::read_dir(store.root().join("tmp"))
            .unwrap()
            .next()
            .is_none());
        assert_eq!(store.list().unwrap().len(), 2);
    }

    #[test]
    fn a_wav_told_its_length_is_hashed_as_it_is_written() {
        use crate::audio::{ChannelLayout, SampleFormat, WavEncoder, WavSpec};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let samples: Vec<f32> = (0..3001 * 2).map(|i| (i % 97) as f32 / 100.0).collect();
        for (format, hint, in_order) in [
            (SampleFormat::Float32, Some(3001), true),
            (SampleFormat::Int24, Some(3001), true),
            (SampleFormat::Int24, Some(3000), false),
            (SampleFormat::Int16, None, false),
        ] {
            let spec = WavSpec {
                sample_rate: 48_000,
                layout: ChannelLayout::stereo(),
                sample_format: format,
                time_reference: Some(86_400),
            };
            let mut writer = store.writer().unwrap();
            let mut encoder = match hint {
                Some(frames) => WavEncoder::with_length(&mut writer, spec, "bus:PM", frames),
                None => WavEncoder::new(&mut writer, spec, "bus:PM"),
            }
            .unwrap();
            for block in samples.chunks(1000) {
                encoder.write_block(block).unwrap();
            }
            encoder.finish().unwrap();
            assert_eq!(writer.hashed_in_order(), in_order, "{format:?} {hint:?}");
            let (digest, size) = writer.finish(&stats).unwrap();
            let bytes = fs::read(store.object_path(&digest)).unwrap();
            assert_eq!((Digest::of(&bytes), bytes.len() as u64), (digest, size));
            let mut reader = crate::audio::WavReader::open(store.object_path(&digest)).unwrap();
            assert_eq!(
                crate::audio::source::read_to_end(&mut reader)
                    .unwrap()
                    .len(),
                samples.len()
            );
        }
    }

    proptest::proptest! {
        /// Whatever the writes and seeks, the digest is the blake3 of the
        /// bytes the object ends up holding.
        #[test]
        fn any_writes_and_seeks_give_the_digest_of_the_final_bytes(
            steps in proptest::collection::vec(
                (0u64..200, proptest::collection::vec(0u8..4, 0..80), proptest::bool::ANY),
                1..12,
            )
        ) {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::new(dir.path());
            let stats = StatCache::new();
            let mut writer = store.writer().unwrap();
            let mut expected: Vec<u8> = Vec::new();
            let mut position = 0usize;
            for (offset, bytes, seek) in steps {
                if seek {
                    position = (offset as usize).min(expected.len());
                    writer.seek(SeekFrom::Start(position as u64)).unwrap();
                }
                writer.write_all(&bytes).unwrap();
                if expected.len() < position + bytes.len() {
                    expected.resize(position + bytes.len(), 0);
                }
                expected[position..position + bytes.len()].copy_from_slice(&bytes);
                position += bytes.len();
            }
            let (digest, size) = writer.finish(&stats).unwrap();
            proptest::prop_assert_eq!(digest, Digest::of(&expected));
            proptest::prop_assert_eq!(size, expected.len() as u64);
        }
    }

    #[test]
    fn materialise_links_atomically_and_skips_identical_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let digest = store.put(&b"album track"[..], &stats).unwrap();
        let destination = dir.path().join("out/ost/01 Main Title.wav");
        assert!(store.materialise(&digest, &destination, &stats).unwrap());
        assert_eq!(fs::read(&destination).unwrap(), b"album track");
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let (output, object) = (
                fs::metadata(&destination).unwrap(),
                fs::metadata(store.object_path(&digest)).unwrap(),
            );
            assert_eq!(output.ino(), object.ino(), "a hard link");
            assert!(output.permissions().readonly());
        }
        // Both names are recorded after the link: neither is read again.
        let hashed = stats.counters().files;
        assert!(!store.materialise(&digest, &destination, &stats).unwrap());
        assert_eq!(store.check(&digest, &stats), ObjectState::Present);
        assert_eq!(stats.counters().files, hashed);
        assert!(fs::read_dir(store.temporary_dir())
            .unwrap()
            .next()
            .is_none());
        // A deliverable removed is linked again.
        fs::remove_file(&destination).unwrap();
        assert!(store.materialise(&digest, &destination, &stats).unwrap());
        // One written through its link damages the object, and says so.
        make_writable(&destination);
        fs::write(&destination, b"edited").unwrap();
        assert_eq!(store.check(&digest, &stats), ObjectState::Damaged);
    }

    #[test]
    fn a_copy_replaces_its_destination_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let digest = store.put(&b"album track"[..], &stats).unwrap();
        let destination = dir.path().join("out/ost/01 Main Title.wav");
        fs::create_dir_all(destination.parent().unwrap()).unwrap();
        fs::write(&destination, b"an older render").unwrap();
        store.copy(&digest, &destination, &stats).unwrap();
        assert_eq!(fs::read(&destination).unwrap(), b"album track");
        assert_eq!(stats.fingerprint(&destination).unwrap(), digest);
        // A copy, not a link: editing it leaves the object intact.
        fs::write(&destination, b"edited").unwrap();
        assert_eq!(store.check(&digest, &stats), ObjectState::Present);
        assert!(store.materialise(&digest, &destination, &stats).unwrap());
        assert_eq!(fs::read(&destination).unwrap(), b"album track");
    }

    #[test]
    fn a_copy_in_slices_is_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..3500u32).map(|i| (i * 31 % 251) as u8).collect();
        for length in [0, 999, 1000, 1001, 3000, 3500] {
            let from = dir.path().join("from");
            let to = dir.path().join("to");
            fs::write(&from, &bytes[..length]).unwrap();
            let mut source = File::open(&from).unwrap();
            let mut destination = File::create(&to).unwrap();
            let copied = copy_writing_out(&mut source, &mut destination, 1000).unwrap();
            assert_eq!(copied, length as u64);
            assert_eq!(fs::read(&to).unwrap(), &bytes[..length]);
        }
    }

    #[test]
    fn remove_and_clear_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let stats = StatCache::new();
        let digest = store.put(&b"x"[..], &stats).unwrap();
        store.remove(&digest, &stats).unwrap();
        store.remove(&digest, &stats).unwrap();
        assert_eq!(store.check(&digest, &stats), ObjectState::Missing);
        fs::create_dir_all(store.root().join("tmp")).unwrap();
        fs::write(store.root().join("tmp/object-stray"), b"killed").unwrap();
        store.clear_temporaries().unwrap();
        assert!(!store.root().join("tmp").exists());
        assert!(store.list().unwrap().is_empty());
    }
}
