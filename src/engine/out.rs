//! The project's `out/` directory: where deliverables are materialised
//! from the store, and what `sndtrk clean` removes.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use crate::engine::{
    error::EngineError, fingerprint::StatCache, key::Digest, lock::ProjectLock, stage::Stage,
    store::Store,
};

/// `DIR/out/`.
pub(super) fn out_dir(project_dir: &Path) -> PathBuf {
    project_dir.join("out")
}

/// Where a stage's output is materialised, relative to the project
/// directory (`out/stereo.wav`), if it is a deliverable.
pub(super) fn materialised_path(stage: &dyn Stage) -> Option<PathBuf> {
    stage.output_path().map(|path| Path::new("out").join(path))
}

/// Copies (or links) a deliverable's output object to its `out/` file,
/// when the stage has one.
pub(super) fn materialise(
    project_dir: &Path,
    store: &Store,
    stats: &StatCache,
    stage: &dyn Stage,
    output: &Digest,
) -> Result<(), EngineError> {
    if let Some(relative) = stage.output_path() {
        let destination = out_dir(project_dir).join(relative);
        store
            .materialise(output, &destination, stats)
            .map_err(|source| EngineError::io(destination, source))?;
    }
    Ok(())
}

/// Removes `DIR/out/`, under the project lock. Returns false when there was
/// nothing to remove.
pub fn clean(project_dir: &Path, on_wait: impl FnOnce(&Path)) -> Result<bool, EngineError> {
    let _lock = ProjectLock::acquire(project_dir, on_wait)?;
    let out = out_dir(project_dir);
    match fs::remove_dir_all(&out) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(EngineError::io(out, error)),
    }
}
