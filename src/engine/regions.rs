//! Region indexes: what a stage that renders a timeline leaves beside its
//! output object so that its next run can re-render only the spans that
//! changed (see `crate::stages::region`).
//!
//! The engine reads nothing into an index: it is a few bytes a stage hands
//! it ([`crate::engine::stage::RunContext::set_regions`]), stored under the
//! digest of the output object it describes, `DIR/.sndtrk/regions/<hex>`,
//! and handed back to the stage's next run with its previous output
//! ([`crate::engine::stage::RunContext::previous`]) or to a dependant with
//! its input ([`crate::engine::stage::RunContext::regions_of`]). An index
//! is a hint: one that is missing or damaged costs a whole render, never a
//! wrong output, because the stage checks what it reads and keys every
//! chunk by everything its bytes depend on. `cache gc` removes the indexes
//! whose object it removed.

use std::{fs, io, path::PathBuf};

use crate::engine::{key::Digest, store::Store};

/// The most bytes an index may have (a 1,000-hour programme's chunk keys).
pub const MAX_INDEX_BYTES: u64 = 256 << 20;

/// Where the index of the object `digest` lives.
pub fn path(store: &Store, digest: &Digest) -> PathBuf {
    dir(store).join(digest.to_hex())
}

/// Where the tree of block hashes of the object `digest` lives, beside
/// its index ([`crate::engine::tree_hash`]).
pub fn tree_path(store: &Store, digest: &Digest) -> PathBuf {
    dir(store).join(format!("{}{TREE}", digest.to_hex()))
}

/// What a tree's file name adds to its object's digest.
const TREE: &str = ".tree";

/// The tree of the object `digest`, if it is kept and whole.
pub fn read_tree(store: &Store, digest: &Digest) -> Option<crate::engine::tree_hash::Tree> {
    let path = tree_path(store, digest);
    if fs::metadata(&path).ok()?.len() > MAX_INDEX_BYTES {
        return None;
    }
    crate::engine::tree_hash::Tree::decode(&fs::read(path).ok()?)
}

/// Keeps the tree of the object `digest`, atomically.
pub fn write_tree(
    store: &Store,
    digest: &Digest,
    tree: &crate::engine::tree_hash::Tree,
) -> io::Result<()> {
    persist(store, &tree_path(store, digest), &tree.encode())
}

/// `DIR/.sndtrk/regions`.
pub fn dir(store: &Store) -> PathBuf {
    store.root().with_file_name("regions")
}

/// The index of the object `digest`, if there is one (and it fits).
pub fn read(store: &Store, digest: &Digest) -> Option<Vec<u8>> {
    let path = path(store, digest);
    let size = fs::metadata(&path).ok()?.len();
    if size > MAX_INDEX_BYTES {
        return None;
    }
    fs::read(path).ok()
}

/// Stores `bytes` as the index of the object `digest`, atomically.
pub fn write(store: &Store, digest: &Digest, bytes: &[u8]) -> io::Result<()> {
    persist(store, &path(store, digest), bytes)
}

/// Writes `bytes` to `destination` in the regions directory, atomically.
fn persist(store: &Store, destination: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    let dir = dir(store);
    fs::create_dir_all(&dir)?;
    let mut file = tempfile::Builder::new()
        .prefix(".index-")
        .tempfile_in(&dir)?;
    io::Write::write_all(&mut file, bytes)?;
    file.persist(destination)
        .map(|_| ())
        .map_err(|error| error.error)
}

/// Removes the indexes (and trees) whose object is no longer in the store, and the
/// temporaries a killed build left; returns the bytes removed.
pub fn prune(store: &Store) -> io::Result<u64> {
    let entries = match fs::read_dir(dir(store)) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let live = name
            .to_str()
            .and_then(|name| {
                name.strip_suffix(TREE)
                    .unwrap_or(name)
                    .parse::<Digest>()
                    .ok()
            })
            .is_some_and(|digest| store.object_path(&digest).is_file());
        if !live {
            removed += entry.metadata().map_or(0, |metadata| metadata.len());
            match fs::remove_file(entry.path()) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
                _ => {}
            }
        }
    }
    Ok(removed)
}

/// The indexes and the bytes they take.
pub fn usage(store: &Store) -> (usize, u64) {
    fs::read_dir(dir(store)).map_or((0, 0), |entries| {
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.metadata().ok())
            .filter(|metadata| metadata.is_file())
            .fold((0, 0), |(count, bytes), metadata| {
                (count + 1, bytes + metadata.len())
            })
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::engine::fingerprint::StatCache;

    #[test]
    fn an_index_lives_as_long_as_its_object() {
        let project = tempfile::tempdir().unwrap();
        let store = Store::new(project.path());
        let stats = StatCache::new();
        let mut writer = store.writer().unwrap();
        writer.write_all(b"object").unwrap();
        let (digest, _) = writer.finish(&stats).unwrap();
        assert_eq!(read(&store, &digest), None);
        write(&store, &digest, b"index").unwrap();
        let tree = crate::engine::tree_hash::Tree {
            len: 3,
            blocks: Vec::new(),
        };
        write_tree(&store, &digest, &tree).unwrap();
        assert_eq!(read_tree(&store, &digest), Some(tree.clone()));
        let tree_bytes = tree.encode().len() as u64;
        assert_eq!(read(&store, &digest).as_deref(), Some(&b"index"[..]));
        assert_eq!(usage(&store), (2, 5 + tree_bytes));
        assert_eq!(prune(&store).unwrap(), 0);
        store.remove(&digest, &stats).unwrap();
        assert_eq!(prune(&store).unwrap(), 5 + tree_bytes);
        assert_eq!(read(&store, &digest), None);
        assert_eq!(read_tree(&store, &digest), None);
    }
}
