//! Atomic file replacement: write a temporary file next to the destination,
//! flush it to disk, then rename it over the destination.
//!
//! A reader (or a build killed half-way) therefore sees either the old file or
//! the new one, never a torn mix. Every file the engine writes (state, stat
//! cache, store objects, deliverables in `out/`) goes through here.

use std::{
    fs::{self, File},
    io::{self, Write},
    path::{Path, PathBuf},
};

use tempfile::NamedTempFile;

/// The name prefix of temporary files beside their destination.
pub const TEMPORARY_PREFIX: &str = ".sndtrk-tmp-";

/// Removes the temporary files that a killed process left under `directory`
/// (it never reaches the rename, and no destructor runs). Missing is fine.
pub fn remove_leftovers(directory: &Path) -> io::Result<()> {
    if !directory.exists() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(directory) {
        let entry = entry.map_err(io::Error::other)?;
        let leftover = entry.file_type().is_file()
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with(TEMPORARY_PREFIX);
        if leftover {
            match fs::remove_file(entry.path()) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
                _ => {}
            }
        }
    }
    Ok(())
}

/// A file being written in place of `destination`; it only becomes visible
/// under that name when [`AtomicFile::commit`] succeeds. Dropping it without
/// committing deletes the temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    temporary: NamedTempFile,
    destination: PathBuf,
}

impl AtomicFile {
    /// Starts a file that will replace `destination`, creating its parent
    /// directory when needed. The temporary file lives in the same directory
    /// so the final rename never crosses a file system.
    pub fn create(destination: &Path) -> io::Result<Self> {
        let parent = parent_of(destination);
        fs::create_dir_all(parent)?;
        let temporary = tempfile::Builder::new()
            .prefix(TEMPORARY_PREFIX)
            .tempfile_in(parent)?;
        Ok(Self {
            temporary,
            destination: destination.to_path_buf(),
        })
    }

    /// The open temporary file, to write (and seek) into.
    pub fn file(&mut self) -> &mut File {
        self.temporary.as_file_mut()
    }

    /// Flushes the bytes to disk, renames the file over the destination and
    /// flushes the directory entry, so the new file survives a crash.
    pub fn commit(self) -> io::Result<()> {
        self.temporary.as_file().sync_all()?;
        self.temporary
            .persist(&self.destination)
            .map_err(|error| error.error)?;
        sync_directory(parent_of(&self.destination));
        Ok(())
    }
}

/// Replaces `destination` with `bytes` atomically.
pub fn write(destination: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(destination)?;
    file.file().write_all(bytes)?;
    file.commit()
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Makes a rename durable (POSIX needs the directory flushed too). Best
/// effort: some platforms cannot open a directory, and the rename itself
/// already happened.
pub fn sync_directory(directory: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(directory) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = directory;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_destination_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state");
        write(&path, b"first").unwrap();
        write(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state")]);
    }

    #[test]
    fn dropping_without_commit_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.wav");
        write(&path, b"old").unwrap();
        {
            let mut file = AtomicFile::create(&path).unwrap();
            file.file().write_all(b"half of the new").unwrap();
        }
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
