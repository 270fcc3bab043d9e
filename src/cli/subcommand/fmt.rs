//! `sndtrk fmt [--check] [PATH...]`: rewrite recipes in the canonical layout.
//!
//! Without a PATH it formats `DIR/soundtrack.sndtrk`; a directory PATH is
//! searched for `*.sndtrk` files (see [`crate::project::walk`]). A file is rewritten
//! atomically, and only when its text changes. With `--check` nothing is
//! written: each file that would change is listed on stderr and the exit
//! code is 1 if there is any. A file with syntax errors is never written;
//! its diagnostics are printed and the exit code is 1.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use miette::Diagnostic;
use thiserror::Error;

use crate::{
    cli::arguments::FmtArgs,
    cli::report::{EXIT_FAILURE, EXIT_OK},
    project::walk::{recipe_files, RECIPE_FILE},
    syntax::format::format_source,
    syntax::source::{SourceFile, Sources},
};

/// A recipe file that cannot be read or written back.
#[derive(Debug, Error, Diagnostic)]
pub enum FmtError {
    /// Reading the file failed.
    #[error("cannot read `{}`: {message}", path.display())]
    #[diagnostic(
        code(E0913),
        help("check that the file exists and that you may read it")
    )]
    Read { path: PathBuf, message: String },
    /// The file is not UTF-8 text.
    #[error("`{}` is not UTF-8 text", path.display())]
    #[diagnostic(code(E0914), help("a recipe is a UTF-8 text file; save it as UTF-8"))]
    NotUtf8 { path: PathBuf },
    /// Writing the formatted text failed; the file is left as it was.
    #[error("cannot write `{}`: {message}", path.display())]
    #[diagnostic(
        code(E0915),
        help("check that you may write the file and its directory; the file was left unchanged")
    )]
    Write { path: PathBuf, message: String },
}

/// What became of one file.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

/// Runs `fmt` as if started in `directory`; returns the exit code.
pub fn run(directory: Option<&Path>, arguments: &FmtArgs) -> i32 {
    let base = directory.unwrap_or(Path::new(""));
    let named = if arguments.paths.is_empty() {
        vec![PathBuf::from(RECIPE_FILE)]
    } else {
        arguments.paths.clone()
    };
    let paths: Vec<PathBuf> = named.iter().map(|path| base.join(path)).collect();
    let files = match recipe_files(&paths) {
        Ok(files) => files,
        Err(error) => {
            let error = relative_error(base, error);
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    let mut failed = false;
    let mut would_change = false;
    for path in &files {
        let shown = relative(base, path);
        match format_file(path, &shown, arguments.check) {
            Outcome::Unchanged => {}
            Outcome::Changed if arguments.check => {
                eprintln!("would reformat {}", shown.display());
                would_change = true;
            }
            Outcome::Changed => {}
            Outcome::Failed => failed = true,
        }
    }
    if failed || would_change {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// Formats one file, writing it unless `check`; reports its errors.
fn format_file(path: &Path, shown: &Path, check: bool) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return fail(FmtError::Read {
                path: shown.to_path_buf(),
                message: error.to_string(),
            })
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return fail(FmtError::NotUtf8 {
            path: shown.to_path_buf(),
        });
    };
    let mut sources = Sources::new();
    let source = sources.add(SourceFile::new(
        shown.display().to_string(),
        Some(path.to_path_buf()),
        text.as_str(),
    ));
    match format_source(source, &text) {
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("{:?}", miette::Report::new(diagnostic.report(&sources)));
            }
            Outcome::Failed
        }
        Ok(formatted) if formatted == text => Outcome::Unchanged,
        Ok(_) if check => Outcome::Changed,
        Ok(formatted) => match write_atomically(path, &formatted) {
            Ok(()) => Outcome::Changed,
            Err(error) => fail(FmtError::Write {
                path: shown.to_path_buf(),
                message: error.to_string(),
            }),
        },
    }
}

fn fail(error: FmtError) -> Outcome {
    eprintln!("{:?}", miette::Report::new(error));
    Outcome::Failed
}

/// Replaces the file at `path` (or, for a symbolic link, the file it points
/// to) by `text`: a temporary file in the same directory, with the same
/// permissions, synced and renamed over it.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let directory = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut temporary = tempfile::Builder::new()
        .prefix(".sndtrk-fmt-")
        .tempfile_in(directory)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().set_permissions(permissions)?;
    temporary.as_file().sync_all()?;
    temporary.persist(&target).map_err(|error| error.error)?;
    Ok(())
}

/// `path` as the user wrote it: relative to the `-C` directory.
fn relative(base: &Path, path: &Path) -> PathBuf {
    if base.as_os_str().is_empty() {
        return path.to_path_buf();
    }
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

fn relative_error(
    base: &Path,
    error: crate::project::walk::WalkError,
) -> crate::project::walk::WalkError {
    use crate::project::walk::WalkError;
    match error {
        WalkError::NotFound { path } => WalkError::NotFound {
            path: relative(base, &path),
        },
        WalkError::Unreadable { path, message } => WalkError::Unreadable {
            path: relative(base, &path),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(error: &FmtError) -> (String, String, String) {
        (
            error.to_string(),
            error
                .code()
                .map(|code| code.to_string())
                .unwrap_or_default(),
            error
                .help()
                .map(|help| help.to_string())
                .unwrap_or_default(),
        )
    }

    #[test]
    fn a_write_error_names_the_file_and_says_it_was_left_unchanged() {
        let error = FmtError::Write {
            path: PathBuf::from("reels/r1.sndtrk"),
            message: "Read-only file system (os error 30)".to_owned(),
        };
        assert_eq!(
            rendered(&error),
            (
                "cannot write `reels/r1.sndtrk`: Read-only file system (os error 30)".to_owned(),
                "E0915".to_owned(),
                "check that you may write the file and its directory; the file was left unchanged"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_read_error_names_the_file() {
        let error = FmtError::Read {
            path: PathBuf::from("a.sndtrk"),
            message: "Permission denied (os error 13)".to_owned(),
        };
        assert_eq!(
            rendered(&error),
            (
                "cannot read `a.sndtrk`: Permission denied (os error 13)".to_owned(),
                "E0913".to_owned(),
                "check that the file exists and that you may read it".to_owned()
            )
        );
    }

    #[test]
    fn a_failed_write_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone/soundtrack.sndtrk");
        assert!(write_atomically(&missing, "x").is_err());
        assert!(!missing.exists());
    }
}
