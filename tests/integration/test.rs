//! A fluent builder for running the `sndtrk` binary in a scratch project
//! directory and asserting its whole output, in the manner of casey/just.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use tempfile::TempDir;

/// One invocation of `sndtrk` in a fresh temporary directory.
pub struct Test {
    dir: TempDir,
    args: Vec<String>,
    stdin: Option<String>,
    expected_status: i32,
    expected_stdout: Option<String>,
    expected_stderr: Option<String>,
    stdout_contains: Vec<String>,
    stderr_contains: Vec<String>,
}

/// What a finished run left behind, for further assertions.
pub struct Ran {
    pub dir: TempDir,
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Ran {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("sndtrk-test")
                .tempdir()
                .expect("create temporary directory"),
            args: Vec::new(),
            stdin: None,
            expected_status: 0,
            expected_stdout: None,
            expected_stderr: None,
            stdout_contains: Vec::new(),
            stderr_contains: Vec::new(),
        }
    }

    /// The project directory the command runs in.
    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Writes `soundtrack.sndtrk` in the project directory.
    pub fn recipe(self, text: &str) -> Self {
        self.write("soundtrack.sndtrk", text)
    }

    /// Writes a file (creating parent directories) in the project directory.
    pub fn write(self, relative: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(relative);
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
        self.expected_status = status;
        self
    }

    /// Asserts the whole standard output.
    pub fn stdout(mut self, text: &str) -> Self {
        self.expected_stdout = Some(text.to_owned());
        self
    }

    /// Asserts the whole standard error.
    pub fn stderr(mut self, text: &str) -> Self {
        self.expected_stderr = Some(text.to_owned());
        self
    }

    pub fn stdout_contains(mut self, text: &str) -> Self {
        self.stdout_contains.push(text.to_owned());
        self
    }

    pub fn stderr_contains(mut self, text: &str) -> Self {
        self.stderr_contains.push(text.to_owned());
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
        assert_eq!(
            status, self.expected_status,
            "unexpected exit status\n{context}"
        );
        if let Some(expected) = &self.expected_stdout {
            assert_eq!(&stdout, expected, "unexpected stdout\n{context}");
        }
        if let Some(expected) = &self.expected_stderr {
            assert_eq!(&stderr, expected, "unexpected stderr\n{context}");
        }
        for needle in &self.stdout_contains {
            assert!(
                stdout.contains(needle),
                "stdout lacks {needle:?}\n{context}"
            );
        }
        for needle in &self.stderr_contains {
            assert!(
                stderr.contains(needle),
                "stderr lacks {needle:?}\n{context}"
            );
        }
        Ran {
            dir: self.dir,
            stdout,
            stderr,
            status,
        }
    }

    fn output(&self) -> Output {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_sndtrk"));
        command
            .args(&self.args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env_remove("CI")
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
