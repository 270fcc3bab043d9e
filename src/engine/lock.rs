//! The project lock, `DIR/.sndtrk/lock`: one build (or `clean`, `cache gc`)
//! at a time per project, so two processes never write the same state file
//! or store temporaries at once.
//!
//! Policy: a second sndtrk in the same project **waits** for the first to
//! finish, after saying so once (the way cargo waits on its build directory
//! lock), rather than failing: CI jobs and editors that start builds
//! concurrently then simply serialise. The lock is an OS advisory lock
//! (`flock` on Unix, `LockFileEx` on Windows) through `std::fs::File::lock`,
//! released by the OS when the process dies, so a killed build never leaves
//! a stale lock behind. Failing to create or lock the file is E0701.

use std::{
    fs::{self, File, TryLockError},
    path::{Path, PathBuf},
};

use crate::engine::error::EngineError;

/// The held project lock; released on drop.
#[derive(Debug)]
pub struct ProjectLock {
    file: File,
    path: PathBuf,
}

impl ProjectLock {
    /// `DIR/.sndtrk/lock`.
    pub fn path(project_dir: &Path) -> PathBuf {
        project_dir.join(".sndtrk").join("lock")
    }

    /// Takes the lock, calling `on_wait` (once) before blocking when another
    /// process holds it.
    pub fn acquire(project_dir: &Path, on_wait: impl FnOnce(&Path)) -> Result<Self, EngineError> {
        let (file, path) = Self::open(project_dir)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                on_wait(&path);
                file.lock().map_err(|source| EngineError::Lock {
                    path: path.clone(),
                    cause: source,
                })?;
            }
            Err(TryLockError::Error(source)) => {
                return Err(EngineError::Lock {
                    path,
                    cause: source,
                });
            }
        }
        Ok(Self { file, path })
    }

    /// Takes the lock if it is free; `Ok(None)` when another process holds it.
    pub fn try_acquire(project_dir: &Path) -> Result<Option<Self>, EngineError> {
        let (file, path) = Self::open(project_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => Err(EngineError::Lock {
                path,
                cause: source,
            }),
        }
    }

    fn open(project_dir: &Path) -> Result<(File, PathBuf), EngineError> {
        let path = Self::path(project_dir);
        let lock_error = |source| EngineError::Lock {
            path: path.clone(),
            cause: source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(lock_error)?;
        }
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(lock_error)?;
        Ok((file, path))
    }

    /// The lock file.
    pub fn lock_path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        sync::{
            atomic::{AtomicBool, Ordering},
            mpsc, Arc,
        },
        time::Duration,
    };

    #[test]
    fn second_holder_waits_until_the_first_releases() {
        let dir = tempfile::tempdir().unwrap();
        let first = ProjectLock::acquire(dir.path(), |_| panic!("nobody holds it")).unwrap();
        assert!(ProjectLock::try_acquire(dir.path()).unwrap().is_none());

        let released = Arc::new(AtomicBool::new(false));
        let (waiting_tx, waiting_rx) = mpsc::channel();
        let project = dir.path().to_path_buf();
        let released_seen = Arc::clone(&released);
        let second = std::thread::spawn(move || {
            let lock = ProjectLock::acquire(&project, |path| {
                waiting_tx.send(path.to_path_buf()).unwrap();
            })
            .unwrap();
            // It only got the lock after the first holder let go.
            assert!(released_seen.load(Ordering::SeqCst));
            drop(lock);
        });
        let waited_on = waiting_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(waited_on, dir.path().join(".sndtrk/lock"));
        std::thread::sleep(Duration::from_millis(50));
        released.store(true, Ordering::SeqCst);
        drop(first);
        second.join().unwrap();
        assert!(ProjectLock::try_acquire(dir.path()).unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn unwritable_project_is_a_lock_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-directory");
        fs::write(&file, b"").unwrap();
        let error = ProjectLock::acquire(&file, |_| {}).unwrap_err();
        assert!(matches!(error, EngineError::Lock { .. }));
        assert_eq!(
            error.to_string(),
            format!(
                "cannot lock the project at {}: Not a directory (os error 20)",
                file.join(".sndtrk/lock").display()
            )
        );
    }
}
