//! One side of a comparison on disk: the working tree as it is, or a git
//! revision written to a temporary directory.
//!
//! A revision is read with the `git` command: `ls-tree` lists its files,
//! one `cat-file --batch` streams their bytes. Files git does not track in
//! the working tree (sources kept outside git, typically) are linked in
//! from the working tree, so a source is compared "as committed where git
//! tracks it, else as on disk"; recipe files never are (a revision has the
//! recipes it committed).

use std::{
    collections::HashSet,
    fs,
    io::{self, BufRead, BufReader, Read, Write},
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::review::error::ReviewError;

/// One side of a comparison: a project directory to resolve and key.
pub struct Checkout {
    /// The project directory of this side.
    pub project: PathBuf,
    /// The revision as given (`HEAD~1`), or `None` for the working tree.
    pub revision: Option<String>,
    /// The commit it names.
    pub commit: Option<String>,
    /// Keeps a revision's temporary directory while the checkout lives.
    _temporary: Option<tempfile::TempDir>,
}

impl Checkout {
    /// The working tree at `project`, as it is on disk.
    pub fn working_tree(project: &Path) -> Self {
        Self {
            project: project.to_path_buf(),
            revision: None,
            commit: None,
            _temporary: None,
        }
    }

    /// The project at `project` as it was at `revision`.
    pub fn revision(project: &Path, revision: &str) -> Result<Self, ReviewError> {
        let root =
            git(project, &["rev-parse", "--show-toplevel"], "rev-parse").map_err(|error| {
                match error {
                    GitFailure::Failed(_) => ReviewError::NotARepository {
                        path: project.to_path_buf(),
                    },
                    GitFailure::Other(error) => error,
                }
            })?;
        let root = PathBuf::from(root.trim_end_matches(['\n', '\r']));
        let prefix = git(project, &["rev-parse", "--show-prefix"], "rev-parse")
            .map_err(GitFailure::into_error)?;
        let prefix = prefix.trim_end_matches(['\n', '\r']).to_owned();
        let spec = format!("{revision}^{{commit}}");
        let commit = git(
            &root,
            &["rev-parse", "--verify", "--quiet", &spec],
            "rev-parse",
        )
        .map_err(|error| match error {
            GitFailure::Failed(_) => ReviewError::UnknownRevision {
                revision: revision.to_owned(),
            },
            GitFailure::Other(error) => error,
        })?
        .trim()
        .to_owned();
        let temporary = tempfile::Builder::new()
            .prefix("sndtrk-diff-")
            .tempdir()
            .map_err(|cause| ReviewError::Write {
                revision: revision.to_owned(),
                path: std::env::temp_dir(),
                cause,
            })?;
        let written = write_tree(&root, &commit, temporary.path(), revision)?;
        link_untracked(&root, temporary.path(), &written).map_err(|cause| ReviewError::Write {
            revision: revision.to_owned(),
            path: temporary.path().to_path_buf(),
            cause,
        })?;
        Ok(Self {
            project: temporary.path().join(prefix),
            revision: Some(revision.to_owned()),
            commit: Some(commit),
            _temporary: Some(temporary),
        })
    }
}

enum GitFailure {
    /// git ran and said no: what it was asked to do, and what it said.
    Failed(ReviewError),
    Other(ReviewError),
}

impl GitFailure {
    fn into_error(self) -> ReviewError {
        match self {
            GitFailure::Failed(error) | GitFailure::Other(error) => error,
        }
    }
}

fn git_command(directory: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(directory);
    // Paths byte for byte, whatever the user's configuration.
    command.args(["-c", "core.quotepath=off"]);
    command
}

fn spawn_failed(action: &str, error: &io::Error) -> ReviewError {
    ReviewError::Git {
        action: action.to_owned(),
        detail: error.to_string(),
    }
}

fn git(directory: &Path, args: &[&str], action: &str) -> Result<String, GitFailure> {
    let output = git_command(directory)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| GitFailure::Other(spawn_failed(action, &error)))?;
    if !output.status.success() {
        let detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(GitFailure::Failed(ReviewError::Git {
            action: action.to_owned(),
            detail,
        }));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// One file of a tree: its mode, object id and path.
struct Entry {
    mode: String,
    object: String,
    path: String,
}

fn tree_entries(root: &Path, commit: &str) -> Result<Vec<Entry>, ReviewError> {
    let listing = git(
        root,
        &["ls-tree", "-r", "-z", "--full-tree", commit],
        "ls-tree",
    )
    .map_err(GitFailure::into_error)?;
    let mut entries = Vec::new();
    for record in listing.split('\0').filter(|record| !record.is_empty()) {
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut fields = meta.split(' ');
        let (Some(mode), Some(kind), Some(object)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        // Submodules (`commit` entries) are not part of the project.
        if kind == "blob" {
            entries.push(Entry {
                mode: mode.to_owned(),
                object: object.to_owned(),
                path: path.to_owned(),
            });
        }
    }
    Ok(entries)
}

/// Writes every file of `commit` under `into`; returns their paths.
fn write_tree(
    root: &Path,
    commit: &str,
    into: &Path,
    revision: &str,
) -> Result<HashSet<String>, ReviewError> {
    let entries = tree_entries(root, commit)?;
    let mut child = git_command(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| spawn_failed("cat-file", &error))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(ReviewError::Git {
            action: "cat-file".to_owned(),
            detail: "no pipe to git".to_owned(),
        });
    };
    let requests: Vec<String> = entries.iter().map(|entry| entry.object.clone()).collect();
    let writer = std::thread::spawn(move || -> io::Result<()> {
        for object in requests {
            writeln!(stdin, "{object}")?;
        }
        Ok(())
    });
    let mut reader = BufReader::new(stdout);
    let mut written = HashSet::new();
    let write_error = |path: &Path, cause| ReviewError::Write {
        revision: revision.to_owned(),
        path: path.to_path_buf(),
        cause,
    };
    for entry in &entries {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|error| spawn_failed("cat-file", &error))?;
        let size: u64 = header
            .split(' ')
            .nth(2)
            .and_then(|size| size.trim().parse().ok())
            .ok_or_else(|| ReviewError::Git {
                action: "cat-file".to_owned(),
                detail: format!("unexpected answer `{}`", header.trim()),
            })?;
        let path = into.join(&entry.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|cause| write_error(parent, cause))?;
        }
        let mut body = (&mut reader).take(size);
        if entry.mode == "120000" {
            let mut target = String::new();
            body.read_to_string(&mut target)
                .map_err(|cause| write_error(&path, cause))?;
            link(Path::new(&target), &path).map_err(|cause| write_error(&path, cause))?;
        } else {
            let mut file = fs::File::create(&path).map_err(|cause| write_error(&path, cause))?;
            io::copy(&mut body, &mut file).map_err(|cause| write_error(&path, cause))?;
        }
        let mut newline = [0u8; 1];
        reader
            .read_exact(&mut newline)
            .map_err(|error| spawn_failed("cat-file", &error))?;
        written.insert(entry.path.clone());
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(written)
}

/// Links into `into` every file of the working tree at `root` that git
/// does not track and the revision does not hold, skipping `.git`, build
/// caches and rendered deliverables.
fn link_untracked(root: &Path, into: &Path, written: &HashSet<String>) -> io::Result<()> {
    let tracked: HashSet<String> = match git(root, &["ls-files", "-z"], "ls-files") {
        Ok(listing) => listing
            .split('\0')
            .filter(|path| !path.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => HashSet::new(),
    };
    let walk = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name();
            let rendered = name == "out"
                && entry
                    .path()
                    .parent()
                    .is_some_and(|parent| parent.join(crate::project::walk::RECIPE_FILE).is_file());
            !(entry.file_type().is_dir() && (name == ".git" || name == ".sndtrk" || rendered))
        });
    for entry in walk.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let name = relative.to_string_lossy().replace('\\', "/");
        // Recipes are the code under review: a revision has the ones it
        // committed, never the working tree's.
        let recipe = relative.extension().is_some_and(|ext| ext == "sndtrk");
        if recipe || tracked.contains(&name) || written.contains(&name) {
            continue;
        }
        let destination = into.join(relative);
        if destination.exists() {
            continue;
        }
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent)?;
        }
        link(entry.path(), &destination)?;
    }
    Ok(())
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(not(unix))]
fn link(target: &Path, at: &Path) -> io::Result<()> {
    fs::copy(target, at).map(|_| ())
}
