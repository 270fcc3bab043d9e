//! The engine of one project: the project lock, the object store, the stat
//! cache and the build state, held while an [`Engine`] lives.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::engine::{
    db::State,
    error::{EngineError, EngineWarning},
    fingerprint::{self, FileStat, StatCache},
    lock::ProjectLock,
    store::Store,
};

/// The engine of one project: holds the project lock, the store, the stat
/// cache and the build state while it lives.
pub struct Engine {
    pub(super) dir: PathBuf,
    _lock: ProjectLock,
    pub(super) store: Store,
    pub(super) stats: StatCache,
    pub(super) state: State,
    warnings: Vec<EngineWarning>,
}

/// The borrowed pieces of an [`Engine`] that stage decisions and running
/// jobs share, apart from the mutable build state.
#[derive(Clone, Copy)]
pub(super) struct Parts<'a> {
    pub(super) dir: &'a Path,
    pub(super) store: &'a Store,
    pub(super) stats: &'a StatCache,
    /// Re-hash cached outputs instead of trusting their stat.
    pub(super) verify: bool,
}

fn stat_cache_path(project_dir: &Path) -> PathBuf {
    project_dir.join(".sndtrk").join("stat-cache")
}

/// The build state and the stat cache read ahead, without the lock (the
/// build reads them on a second thread while the recipe loads: on a no-op
/// build of 1,000 stems the two take as long as resolving the recipe).
/// [`Engine::open_with`] takes each only if its file is still the one read:
/// the engine replaces these files by renaming, so another build's save in
/// between gives another inode, and the file is read again under the lock.
#[derive(Debug, Default)]
pub struct ReadAhead {
    state: Option<(FileStat, (State, Option<EngineWarning>))>,
    stats: Option<(FileStat, (StatCache, Option<EngineWarning>))>,
}

impl ReadAhead {
    /// Reads the state and stat cache of the project in `project_dir`, as
    /// they are now.
    pub fn read(project_dir: &Path) -> Self {
        let Ok(project_dir) = fs::canonicalize(project_dir) else {
            return Self::default();
        };
        Self {
            state: read_unchanged(&State::path(&project_dir), State::load),
            stats: read_unchanged(&stat_cache_path(&project_dir), StatCache::load),
        }
    }
}

/// `load(path)` with the file's stat, if the file stayed the same while it
/// was read.
fn read_unchanged<T>(path: &Path, load: impl FnOnce(&Path) -> T) -> Option<(FileStat, T)> {
    let before = fingerprint::stat(path).ok()?;
    let loaded = load(path);
    let after = fingerprint::stat(path).ok()?;
    (after == before).then_some((before, loaded))
}

/// What `ahead` read of `path`, if the file is still that one; else `path`
/// loaded now.
fn take_or_load<T>(ahead: Option<(FileStat, T)>, path: &Path, load: impl FnOnce(&Path) -> T) -> T {
    match ahead {
        Some((stat, loaded)) if fingerprint::stat(path).is_ok_and(|now| now == stat) => loaded,
        _ => load(path),
    }
}

impl Engine {
    /// Opens the project in `project_dir`: takes the lock (calling `on_wait`
    /// first if another sndtrk holds it), loads the state and stat cache.
    pub fn open(project_dir: &Path, on_wait: impl FnOnce(&Path)) -> Result<Self, EngineError> {
        Self::open_with(project_dir, on_wait, ReadAhead::default())
    }

    /// [`Engine::open`], taking the state and stat cache from `ahead` where
    /// their files did not change since it read them.
    pub fn open_with(
        project_dir: &Path,
        on_wait: impl FnOnce(&Path),
        ahead: ReadAhead,
    ) -> Result<Self, EngineError> {
        let lock = ProjectLock::acquire(project_dir, on_wait)?;
        // One spelling of every path, however the directory was named, so
        // the stat cache hits whether sndtrk runs in DIR or with `-C DIR`.
        let project_dir = &fs::canonicalize(project_dir)
            .map_err(|source| EngineError::io(project_dir, source))?;
        let (state, state_warning) =
            take_or_load(ahead.state, &State::path(project_dir), State::load);
        let (stats, stats_warning) =
            take_or_load(ahead.stats, &stat_cache_path(project_dir), StatCache::load);
        Ok(Self {
            dir: project_dir.to_path_buf(),
            _lock: lock,
            store: Store::new(project_dir),
            stats,
            state,
            warnings: state_warning.into_iter().chain(stats_warning).collect(),
        })
    }

    /// Warnings from opening (a discarded state or stat cache), once.
    pub fn take_warnings(&mut self) -> Vec<EngineWarning> {
        std::mem::take(&mut self.warnings)
    }

    /// The project directory.
    pub fn project_dir(&self) -> &Path {
        &self.dir
    }

    /// The object store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The stat cache (its counters show how many files were read).
    pub fn stat_cache(&self) -> &StatCache {
        &self.stats
    }

    /// The build state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Saves the state and the stat cache (each only if it changed).
    pub fn save(&mut self) -> Result<(), EngineError> {
        save(&self.dir, &mut self.state, &self.stats)
    }

    /// The shared pieces, with `verify` as the build asks.
    pub(super) fn parts(&self, verify: bool) -> Parts<'_> {
        Parts {
            dir: &self.dir,
            store: &self.store,
            stats: &self.stats,
            verify,
        }
    }
}

/// Saves `state` and `stats` of the project in `dir` (each only if it
/// changed).
pub(super) fn save(dir: &Path, state: &mut State, stats: &StatCache) -> Result<(), EngineError> {
    let state_path = State::path(dir);
    state
        .save(&state_path)
        .map_err(|source| EngineError::io(state_path, source))?;
    let stats_path = stat_cache_path(dir);
    stats
        .save(&stats_path)
        .map_err(|source| EngineError::io(stats_path, source))
}
