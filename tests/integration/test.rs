//! A fluent builder for running the `sndtrk` binary in a scratch project
//! directory and asserting its whole output, in the manner of casey/just.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use tempfile::TempDir;

/// What a run's output stream must be.
#[derive(Debug, Clone)]
enum Expect {
    /// Exactly this text (by default, nothing).
    Whole(String),
    /// Each of these pieces somewhere in it.
    Contains(Vec<String>),
    /// Anything: the test examines it afterwards.
    Any,
}

impl Expect {
    fn contains(&mut self, text: &str) {
        match self {
            Expect::Contains(pieces) => pieces.push(text.to_owned()),
            _ => *self = Expect::Contains(vec![text.to_owned()]),
        }
    }

    fn check(&self, stream: &str, actual: &str, context: &str) {
        match self {
            Expect::Whole(expected) => {
                assert_eq!(actual, expected, "unexpected {stream}\n{context}")
            }
            Expect::Contains(pieces) => {
                for piece in pieces {
                    assert!(
                        actual.contains(piece),
                        "{stream} lacks {piece:?}\n{context}"
                    );
                }
            }
            Expect::Any => {}
        }
    }
}

/// Where a run happens: a fresh temporary project, or a directory a test
/// set up itself.
enum Place {
    Temporary(TempDir),
    At(PathBuf),
}

/// One invocation of `sndtrk`, by default in a fresh temporary directory.
///
/// Both output streams are asserted whole: empty unless the test says what
/// they hold (`stdout`, `stderr`), or that it looks for pieces of them
/// (`stdout_contains`, `stderr_contains`) or examines them afterwards
/// (`stdout_any`, `stderr_any`). The exit status is 0 unless said.
#[must_use = "a Test runs nothing until `.run()`"]
pub struct Test {
    place: Place,
    args: Vec<String>,
    stdin: Option<String>,
    expected_status: Option<i32>,
    stdout: Expect,
    stderr: Expect,
    envs: Vec<(String, String)>,
}

/// What a finished run left behind, for further assertions.
pub struct Ran {
    place: Place,
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Ran {
    pub fn path(&self) -> &Path {
        match &self.place {
            Place::Temporary(dir) => dir.path(),
            Place::At(path) => path,
        }
    }
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("sndtrk-test")
            .tempdir()
            .expect("create temporary directory");
        Self::in_place(Place::Temporary(dir))
    }

    /// A run in `dir`, a project the test has set up itself.
    pub fn at(dir: &Path) -> Self {
        Self::in_place(Place::At(dir.to_path_buf()))
    }

    fn in_place(place: Place) -> Self {
        Self {
            place,
            args: Vec::new(),
            stdin: None,
            expected_status: Some(0),
            stdout: Expect::Whole(String::new()),
            stderr: Expect::Whole(String::new()),
            envs: Vec::new(),
        }
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.envs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The project directory the command runs in.
    pub fn path(&self) -> PathBuf {
        match &self.place {
            Place::Temporary(dir) => dir.path().to_path_buf(),
            Place::At(path) => path.clone(),
        }
    }

    /// Writes `soundtrack.sndtrk` in the project directory.
    pub fn recipe(self, text: &str) -> Self {
        self.write("soundtrack.sndtrk", text)
    }

    /// Writes a file (creating parent directories) in the project directory.
    pub fn write(self, relative: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&path, contents).expect("write test file");
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    pub fn args<'a>(mut self, args: impl IntoIterator<Item = &'a str>) -> Self {
        self.args.extend(args.into_iter().map(str::to_owned));
        self
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_owned());
        self
    }

    pub fn status(mut self, status: i32) -> Self {
        self.expected_status = Some(status);
        self
    }

    /// Accepts any exit status (for runs whose output is examined afterwards).
    pub fn status_any(mut self) -> Self {
        self.expected_status = None;
        self
    }

    /// Asserts the whole standard output.
    pub fn stdout(mut self, text: &str) -> Self {
        self.stdout = Expect::Whole(text.to_owned());
        self
    }

    /// Asserts the whole standard error.
    pub fn stderr(mut self, text: &str) -> Self {
        self.stderr = Expect::Whole(text.to_owned());
        self
    }

    /// Asserts that standard output holds `text` (and lets the rest be).
    pub fn stdout_contains(mut self, text: &str) -> Self {
        self.stdout.contains(text);
        self
    }

    /// Asserts that standard error holds `text` (and lets the rest be).
    pub fn stderr_contains(mut self, text: &str) -> Self {
        self.stderr.contains(text);
        self
    }

    /// Lets standard output be anything: the test examines it afterwards.
    pub fn stdout_any(mut self) -> Self {
        self.stdout = Expect::Any;
        self
    }

    /// Lets standard error be anything: the test examines it afterwards.
    pub fn stderr_any(mut self) -> Self {
        self.stderr = Expect::Any;
        self
    }

    /// Runs `sndtrk` with the arguments in the project directory and checks
    /// every expectation, printing both streams when one fails.
    pub fn run(self) -> Ran {
        let output = self.output();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let status = output.status.code().unwrap_or(-1);
        let context = format!(
            "sndtrk {}\n--- status: {status}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
            self.args.join(" ")
        );
        if let Some(expected) = self.expected_status {
            assert_eq!(status, expected, "unexpected exit status\n{context}");
        }
        self.stdout.check("stdout", &stdout, &context);
        self.stderr.check("stderr", &stderr, &context);
        Ran {
            place: self.place,
            stdout,
            stderr,
            status,
        }
    }

    /// The command, ready to run in the project directory.
    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sndtrk"));
        command
            .args(&self.args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env_remove("CI");
        // The remote cache is only what a test asks for.
        for name in [
            "SNDTRK_REMOTE_CACHE",
            "SNDTRK_REMOTE_UPLOAD",
            "SNDTRK_REMOTE_REQUIRED",
            "SNDTRK_REMOTE_TOKEN",
        ] {
            command.env_remove(name);
        }
        command.envs(self.envs.iter().map(|(name, value)| (name, value)));
        command
    }

    /// Starts `sndtrk` without waiting, its output streams piped, for a
    /// test that kills it or reads it as it runs.
    pub fn spawn(self) -> std::process::Child {
        self.command()
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn sndtrk")
    }

    fn output(&self) -> Output {
        use std::io::Write;
        let mut command = self.command();
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("spawn sndtrk");
        if let Some(mut stdin) = child.stdin.take() {
            if let Some(text) = &self.stdin {
                stdin.write_all(text.as_bytes()).expect("write stdin");
            }
        }
        child.wait_with_output().expect("wait for sndtrk")
    }
}
