//! What a build left in a project's `out/`.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

/// Every file under `DIR/out/`, by path relative to `out/`, with its bytes
/// (empty when there is no `out/`).
pub fn outputs(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = dir.join("out");
    if !out.exists() {
        return BTreeMap::new();
    }
    walkdir::WalkDir::new(&out)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            (
                entry.path().strip_prefix(&out).unwrap().to_path_buf(),
                fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}
