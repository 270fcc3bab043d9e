//! What happened to one stage in a build or plan, and why.

use std::{fmt, path::PathBuf};

use crate::engine::key::{Change, Digest};

/// The fate of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// It ran (build).
    Ran,
    /// Its output was already in the cache; nothing ran.
    Fresh,
    /// Stale here, but its output was downloaded from the remote cache
    /// (verified against its hash); nothing ran.
    Fetched,
    /// It ran and failed, or a source file it reads could not be read.
    Failed,
    /// It did not run because an input failed.
    Skipped,
    /// It would run (plan).
    Stale,
}

impl Status {
    /// The word used in JSON and plain output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ran => "ran",
            Status::Fresh => "fresh",
            Status::Fetched => "fetched",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Stale => "stale",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a stage ran, would run, or did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Fresh: the same key as last build, output present.
    UpToDate,
    /// Fresh: the key differs from last build's, but an earlier build made
    /// this key's output and it is still in the cache (a reverted change).
    Restored,
    /// Stale: no build of this stage id is recorded.
    New,
    /// Stale: these fields of the key changed since the last build.
    Changed(Vec<Change>),
    /// Stale: the key is unchanged but its output is not in the cache.
    OutputMissing,
    /// Stale: the output object failed its hash check (it was removed).
    OutputDamaged,
    /// Stale (plan): an input runs first, so this key is not known yet.
    InputWillRebuild(String),
    /// Skipped: an input failed.
    InputFailed(String),
    /// Failed: the error, on one line.
    Error(String),
    /// Stale here, and its output is in the remote cache (plan).
    InRemoteCache,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::UpToDate => f.write_str("up to date"),
            Reason::Restored => f.write_str("restored from the cache"),
            Reason::New => f.write_str("not built before"),
            Reason::Changed(changes) if changes.is_empty() => f.write_str("key changed"),
            Reason::Changed(changes) => {
                for (index, change) in changes.iter().enumerate() {
                    if index > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{change}")?;
                }
                Ok(())
            }
            Reason::OutputMissing => f.write_str("output missing from the cache"),
            Reason::OutputDamaged => f.write_str("output in the cache was damaged"),
            Reason::InputWillRebuild(input) => write!(f, "input {input} will be rebuilt"),
            Reason::InputFailed(input) => write!(f, "input {input} failed"),
            Reason::Error(message) => f.write_str(message),
            Reason::InRemoteCache => f.write_str("in the remote cache"),
        }
    }
}

/// One stage's result in a build or plan.
#[derive(Debug, Clone, PartialEq)]
pub struct StageOutcome {
    /// The stage id (`bus:PM`).
    pub id: String,
    /// The stage kind (`bus`).
    pub kind: String,
    pub status: Status,
    pub reason: Reason,
    /// Wall-clock seconds the stage ran (0 when it did not).
    pub seconds: f64,
    /// The stage key, when known.
    pub key: Option<Digest>,
    /// The output object, when there is one.
    pub output: Option<Digest>,
    /// Where the output was materialised, relative to the project directory
    /// (`out/stereo.wav`).
    pub materialised: Option<PathBuf>,
    /// The stage whose pass made this stage's output, or what its run
    /// started from (a measurement), when one did (see
    /// [`crate::engine::stage::Stage::run_leading`]); `None` for a stage
    /// that ran on its own or did not run.
    pub led_by: Option<String>,
    /// What the stage's run said it did, one line each, in the order it
    /// left them ([`crate::engine::stage::RunContext::note`]); empty for a
    /// stage that did not run, or failed.
    pub notes: Vec<String>,
}

impl StageOutcome {
    /// The outcome of `stage` with `status` and `reason`, before it has run,
    /// a key, an output or a materialised path.
    pub fn of(stage: &dyn crate::engine::stage::Stage, status: Status, reason: Reason) -> Self {
        Self {
            id: stage.id().to_owned(),
            kind: stage.kind().to_owned(),
            status,
            reason,
            seconds: 0.0,
            key: None,
            output: None,
            materialised: None,
            led_by: None,
            notes: Vec::new(),
        }
    }

    /// Marks the stage failed with `message`; nothing of it is in `out/`.
    pub fn fail(&mut self, message: String) {
        self.status = Status::Failed;
        self.reason = Reason::Error(message);
        self.materialised = None;
    }

    /// The `output` field of reports: the materialised path when there is
    /// one, otherwise the output object's hash.
    pub fn output_text(&self) -> Option<String> {
        match (&self.materialised, &self.output) {
            (Some(path), Some(_)) => Some(path.to_string_lossy().replace('\\', "/")),
            (_, Some(output)) => Some(output.to_hex()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences() {
        let changes = vec![
            Change::Changed {
                name: "param gain_db".into(),
                old: "-3.0".into(),
                new: "-6.0".into(),
            },
            Change::Changed {
                name: "input bus:DX".into(),
                old: "a".into(),
                new: "b".into(),
            },
        ];
        let cases = [
            (Reason::UpToDate, "up to date"),
            (Reason::Restored, "restored from the cache"),
            (Reason::New, "not built before"),
            (
                Reason::Changed(changes),
                "param gain_db changed from -3.0 to -6.0; input bus:DX changed",
            ),
            (Reason::Changed(Vec::new()), "key changed"),
            (Reason::OutputMissing, "output missing from the cache"),
            (Reason::OutputDamaged, "output in the cache was damaged"),
            (
                Reason::InputWillRebuild("bus:PM".into()),
                "input bus:PM will be rebuilt",
            ),
            (Reason::InputFailed("bus:PM".into()), "input bus:PM failed"),
            (Reason::Error("boom".into()), "boom"),
            (Reason::InRemoteCache, "in the remote cache"),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
        let statuses = [
            Status::Ran,
            Status::Fresh,
            Status::Fetched,
            Status::Failed,
            Status::Skipped,
            Status::Stale,
        ];
        let words: Vec<_> = statuses.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            ["ran", "fresh", "fetched", "failed", "skipped", "stale"]
        );
    }
}
