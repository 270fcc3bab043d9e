//! The WAV headers a build read, kept for the next command in
//! `.sndtrk/headers` (a [`versioned_file`]: postcard behind a checksummed
//! header line). A no-op build of 1,000 stems otherwise opens every source
//! file to read its header again (the lowering's sample rates, the lint
//! rules' channel masks, the clips' lengths) before the engine finds
//! nothing to do; with the saved headers it only stats them.
//!
//! Each header is saved with the stat it was read at (size, modification
//! and change times, inode) and given back only while the file's stat is
//! still that one; a file written within the racy window of its reading is
//! not saved ([`crate::model::wav_header::HeaderCache`]). A missing,
//! damaged or foreign file is only a cache: it is ignored, and the headers
//! are read from the files.

use std::path::{Path, PathBuf};

use crate::{engine::versioned_file, model::wav_header::HeaderCache};

const MAGIC: &str = "sndtrk-headers";
const VERSION: u32 = 1;

/// Where the headers of the project in `directory` are kept.
pub fn path(directory: &Path) -> PathBuf {
    directory.join(".sndtrk").join("headers")
}

/// Starts a load of the project in `directory`
/// ([`HeaderCache::start_load`]) and preloads the process's header cache
/// with its saved headers, if it has some that read.
pub fn load(directory: &Path) {
    load_into(HeaderCache::global(), directory);
}

/// Saves the headers this process used, when they changed; the build
/// calls it while it holds the project lock.
pub fn save(directory: &Path) -> std::io::Result<()> {
    save_from(HeaderCache::global(), directory)
}

fn load_into(cache: &HeaderCache, directory: &Path) {
    cache.start_load();
    if let Ok(Some(saved)) = versioned_file::load(&path(directory), MAGIC, VERSION) {
        cache.preload(saved);
    }
}

fn save_from(cache: &HeaderCache, directory: &Path) -> std::io::Result<()> {
    match cache.take_saved() {
        Some(saved) => versioned_file::save(&path(directory), MAGIC, VERSION, &saved),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(path: &Path) {
        crate::model::wav_header::tests::write_wav(path, 100, 48_000);
        crate::model::wav_header::tests::age(path);
    }

    #[test]
    fn the_next_process_reads_no_header_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".sndtrk")).unwrap();
        let wav = dir.path().join("a.wav");
        stem(&wav);
        let first = HeaderCache::default();
        load_into(&first, dir.path());
        assert_eq!(first.header(&wav).unwrap().frames, 100);
        save_from(&first, dir.path()).unwrap();
        assert!(path(dir.path()).is_file());

        let next = HeaderCache::default();
        load_into(&next, dir.path());
        assert_eq!(next.header(&wav).unwrap().frames, 100);
        assert_eq!(next.opened(), 0);

        // Damaged: ignored, and the header is read from the file.
        let mut bytes = std::fs::read(path(dir.path())).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(path(dir.path()), bytes).unwrap();
        let damaged = HeaderCache::default();
        load_into(&damaged, dir.path());
        assert_eq!(damaged.header(&wav).unwrap().frames, 100);
        assert_eq!(damaged.opened(), 1);
    }
}
