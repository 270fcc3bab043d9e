//! Why `sndtrk diff` could not compare two revisions.

use std::path::PathBuf;

/// A failure to read one side of a comparison.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReviewError {
    /// The project is not in a git working tree.
    #[error("{} is not in a git repository", path.display())]
    #[diagnostic(
        code(E0930),
        help("`sndtrk diff` compares revisions of a project kept in git; run `git init` and commit the recipe, or use `sndtrk plan` to compare with the last build")
    )]
    NotARepository { path: PathBuf },

    /// A revision git does not know.
    #[error("`{revision}` is not a revision of this repository")]
    #[diagnostic(
        code(E0931),
        help("name a commit, branch or tag git knows (`git log --oneline` lists them), such as `HEAD~1` or `origin/main`")
    )]
    UnknownRevision { revision: String },

    /// git could not be run, or failed.
    #[error("git {action} failed: {detail}")]
    #[diagnostic(
        code(E0932),
        help("`sndtrk diff` runs the `git` command; check that it is installed and on the PATH, and that the repository is not damaged")
    )]
    Git { action: String, detail: String },

    /// A revision's files could not be written to a temporary directory.
    #[error("cannot write {} from revision {revision}: {cause}", path.display())]
    #[diagnostic(
        code(E0933),
        help("check that the temporary directory ($TMPDIR) exists and has room")
    )]
    Write {
        revision: String,
        path: PathBuf,
        cause: std::io::Error,
    },
}
