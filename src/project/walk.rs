//! Finding the recipe files named on a command line.
//!
//! `sndtrk fmt` (and `check`) accept files and directories. A file is taken
//! as named, whatever its extension; a directory is walked for `*.sndtrk`
//! files in sorted order, skipping what is not source: the build cache
//! `.sndtrk/`, Cargo's `target/`, the deliverables in `out/` and every
//! hidden file or directory.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;
use walkdir::{DirEntry, WalkDir};

/// The recipe a project directory holds.
pub const RECIPE_FILE: &str = "soundtrack.sndtrk";

/// The extension of a recipe file.
pub const RECIPE_EXTENSION: &str = "sndtrk";

/// Directory names never walked into.
const SKIPPED_DIRECTORIES: [&str; 3] = [".sndtrk", "target", "out"];

/// A path on the command line that cannot be walked.
#[derive(Debug, Error, Diagnostic)]
pub enum WalkError {
    /// A named path does not exist.
    #[error("`{}` does not exist", path.display())]
    #[diagnostic(
        code(E0911),
        help("name a recipe file or a directory holding `*.sndtrk` files")
    )]
    NotFound { path: PathBuf },
    /// A directory (or an entry in it) cannot be read.
    #[error("cannot read `{}`: {message}", path.display())]
    #[diagnostic(
        code(E0912),
        help("check that the directory exists and that you may read it")
    )]
    Unreadable { path: PathBuf, message: String },
}

/// The recipe files under `paths`: each file as given, each directory's
/// `*.sndtrk` files in sorted order. A file found twice is listed once.
pub fn recipe_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, WalkError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                WalkError::NotFound { path: path.clone() }
            } else {
                WalkError::Unreadable {
                    path: path.clone(),
                    message: error.to_string(),
                }
            }
        })?;
        if !metadata.is_dir() {
            push_new(&mut files, path.clone());
            continue;
        }
        let walker = WalkDir::new(path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !is_skipped(entry));
        for entry in walker {
            let entry = entry.map_err(|error| WalkError::Unreadable {
                path: error.path().map_or_else(|| path.clone(), Path::to_path_buf),
                message: error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string),
            })?;
            if is_recipe(&entry) {
                push_new(&mut files, entry.into_path());
            }
        }
    }
    Ok(files)
}

fn push_new(files: &mut Vec<PathBuf>, path: PathBuf) {
    if !files.contains(&path) {
        files.push(path);
    }
}

/// Hidden entries and the build's own directories.
fn is_skipped(entry: &DirEntry) -> bool {
    let name = entry.file_name().to_string_lossy();
    name.starts_with('.')
        || (entry.file_type().is_dir() && SKIPPED_DIRECTORIES.contains(&name.as_ref()))
}

fn is_recipe(entry: &DirEntry) -> bool {
    !entry.file_type().is_dir()
        && entry
            .path()
            .extension()
            .and_then(|extension| extension.to_str())
            == Some(RECIPE_EXTENSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_directories_in_sorted_order_and_skips_build_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for relative in [
            "b.sndtrk",
            "a.sndtrk",
            "notes.txt",
            "sub/z.sndtrk",
            "sub/deeper/c.sndtrk",
            ".sndtrk/cache.sndtrk",
            "target/x.sndtrk",
            "out/y.sndtrk",
            ".hidden/h.sndtrk",
            ".dot.sndtrk",
            "sub/out/o.sndtrk",
        ] {
            let path = root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let explicit = root.join("notes.txt");
        let found =
            recipe_files(&[root.to_path_buf(), explicit.clone(), root.join("a.sndtrk")]).unwrap();
        let relative: Vec<String> = found
            .iter()
            .map(|path| {
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            relative,
            [
                "a.sndtrk",
                "b.sndtrk",
                "sub/deeper/c.sndtrk",
                "sub/z.sndtrk",
                "notes.txt"
            ]
        );
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let error = recipe_files(std::slice::from_ref(&missing)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("`{}` does not exist", missing.display())
        );
        assert_eq!(
            miette::Diagnostic::code(&error).unwrap().to_string(),
            "E0911"
        );
    }
}
