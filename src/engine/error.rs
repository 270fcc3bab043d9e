//! The build engine's errors and warnings (codes E07xx).

use std::{io, path::PathBuf};

use miette::Diagnostic;
use thiserror::Error;

/// Everything that can go wrong in the build engine itself, as opposed to a
/// stage's own failure (which carries the stage's diagnostic).
#[derive(Debug, Error, Diagnostic)]
pub enum EngineError {
    /// The project lock file could not be created or locked.
    #[error("cannot lock the project at {}: {cause}", path.display())]
    #[diagnostic(
        code(E0701),
        help("sndtrk keeps its lock, cache and build state in DIR/.sndtrk/; make that directory writable")
    )]
    Lock {
        path: PathBuf,
        /// The operating system's error, shown in the message (not as a
        /// separate cause, which would print it twice).
        cause: io::Error,
    },

    /// Reading or writing the cache, the build state or `out/` failed.
    #[error("cannot read or write {}: {cause}", path.display())]
    #[diagnostic(
        code(E0702),
        help("check permissions and free disk space; deleting DIR/.sndtrk/ only costs a full rebuild")
    )]
    Io {
        path: PathBuf,
        /// The operating system's error, shown in the message (not as a
        /// separate cause, which would print it twice).
        cause: io::Error,
    },

    /// A source file a stage depends on cannot be read.
    #[error("cannot read source file {}: {cause}", path.display())]
    #[diagnostic(
        code(E0703),
        help("check that the file exists and is readable, or fix the path in the recipe")
    )]
    SourceFile {
        path: PathBuf,
        /// The operating system's error, shown in the message (not as a
        /// separate cause, which would print it twice).
        cause: io::Error,
    },

    /// Two stages were given the same id.
    #[error("two stages have the id `{id}`")]
    #[diagnostic(
        code(E0704),
        help("stage ids must be unique; this is a bug in lowering the recipe, please report it")
    )]
    DuplicateStage { id: String },

    /// A stage names an input no stage produces.
    #[error("stage `{stage}` consumes `{input}`, which no stage produces")]
    #[diagnostic(
        code(E0705),
        help("every input must be the id of another stage; this is a bug in lowering the recipe, please report it")
    )]
    UnknownInput { stage: String, input: String },

    /// The stages form a cycle.
    #[error("stage `{stage}` depends on itself through its inputs")]
    #[diagnostic(
        code(E0706),
        help("a bus cannot contain itself, directly or through other buses; break the cycle in the recipe")
    )]
    Cycle { stage: String },

    /// A requested target is not a stage of the graph.
    #[error("no stage or target named `{name}`")]
    #[diagnostic(
        code(E0707),
        help("run `sndtrk graph` to list the stages; targets are named `target:NAME`")
    )]
    UnknownTarget { name: String },

    /// Some stages failed; the others finished and are cached.
    #[error("build failed: {failed} {} failed", if *failed == 1 { "stage" } else { "stages" })]
    #[diagnostic(
        code(E0708),
        help("fix the errors above and build again; stages that finished are cached and will not run again")
    )]
    BuildFailed { failed: usize },

    /// A stage panicked (a bug in that stage); reported as its failure.
    #[error("stage `{stage}` crashed: {message}")]
    #[diagnostic(
        code(E0709),
        help("this is a bug in sndtrk, please report it with the recipe; other stages were not affected")
    )]
    StagePanicked { stage: String, message: String },

    /// The remote cache is required (`--remote-required`) and failed.
    #[error("remote cache {url} is required and failed: {message}")]
    #[diagnostic(
        code(E0723),
        help("check that the server is up and reachable, or build without --remote-required (and SNDTRK_REMOTE_REQUIRED, and `required` in sndtrk.toml) to render locally when it fails")
    )]
    RemoteRequired { url: String, message: String },

    /// The remote cache's settings (flags, environment, `sndtrk.toml`)
    /// are not usable.
    #[error("{message}")]
    #[diagnostic(
        code(E0724),
        help("see docs/remote.md for --remote-cache, SNDTRK_REMOTE_CACHE and the [remote] section of sndtrk.toml")
    )]
    RemoteSettings { message: String },
}

impl EngineError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            cause: source,
        }
    }
}

/// A recoverable problem the engine worked around, printed as a warning.
#[derive(Debug, Error, Diagnostic)]
pub enum EngineWarning {
    /// The build state or stat cache had an unknown version or was corrupt;
    /// it was discarded, so this build rebuilds (or re-hashes) everything.
    #[error("discarded {}: {reason}", path.display())]
    #[diagnostic(
        code(E0710),
        severity(Warning),
        help(
            "this build starts from an empty state and rebuilds what it cannot find in the cache"
        )
    )]
    StateDiscarded { path: PathBuf, reason: String },

    /// Requests to the remote cache failed; what it would have served was
    /// rendered locally.
    #[error(
        "remote cache {url}: {failures} {} failed, the first: {first}{}",
        if *failures == 1 { "request" } else { "requests" },
        if *off { "; it was off for the rest of the build" } else { "" }
    )]
    #[diagnostic(
        code(E0720),
        severity(Warning),
        help("the stages it could not serve were rendered locally; nothing it sent entered the cache unverified")
    )]
    RemoteFailed {
        url: String,
        failures: usize,
        first: String,
        off: bool,
    },

    /// The remote cache served objects that are not what they claim to be.
    #[error(
        "remote cache {url} served {damaged} damaged {}, the first: {first}",
        if *damaged == 1 { "object" } else { "objects" }
    )]
    #[diagnostic(
        code(E0721),
        severity(Warning),
        help("they were discarded and their stages rendered locally; the server's storage may be failing, or someone wrote to it by hand")
    )]
    RemoteDamaged {
        url: String,
        damaged: usize,
        first: String,
    },

    /// A token was given but the URL is plain HTTP to another machine.
    #[error("SNDTRK_REMOTE_TOKEN was not sent to {url}: it is plain HTTP to a host that is not loopback")]
    #[diagnostic(
        code(E0722),
        severity(Warning),
        help("use an https:// URL to send the token")
    )]
    RemoteTokenWithheld { url: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(diagnostic: &dyn Diagnostic) -> String {
        format!(
            "{} [{}] help: {}",
            diagnostic,
            diagnostic
                .code()
                .map(|code| code.to_string())
                .unwrap_or_default(),
            diagnostic
                .help()
                .map(|help| help.to_string())
                .unwrap_or_default()
        )
    }

    #[test]
    fn every_code_renders_its_message_code_and_help() {
        let denied = || io::Error::new(io::ErrorKind::PermissionDenied, "permission denied");
        let cases: Vec<(Box<dyn Diagnostic>, &str)> = vec![
            (
                Box::new(EngineError::Lock { path: "p/.sndtrk/lock".into(), cause: denied() }),
                "cannot lock the project at p/.sndtrk/lock: permission denied [E0701] help: sndtrk keeps its lock, cache and build state in DIR/.sndtrk/; make that directory writable",
            ),
            (
                Box::new(EngineError::io("p/.sndtrk/state", denied())),
                "cannot read or write p/.sndtrk/state: permission denied [E0702] help: check permissions and free disk space; deleting DIR/.sndtrk/ only costs a full rebuild",
            ),
            (
                Box::new(EngineError::SourceFile { path: "stems/dx.wav".into(), cause: denied() }),
                "cannot read source file stems/dx.wav: permission denied [E0703] help: check that the file exists and is readable, or fix the path in the recipe",
            ),
            (
                Box::new(EngineError::DuplicateStage { id: "bus:PM".into() }),
                "two stages have the id `bus:PM` [E0704] help: stage ids must be unique; this is a bug in lowering the recipe, please report it",
            ),
            (
                Box::new(EngineError::UnknownInput { stage: "bus:PM".into(), input: "stem:dx".into() }),
                "stage `bus:PM` consumes `stem:dx`, which no stage produces [E0705] help: every input must be the id of another stage; this is a bug in lowering the recipe, please report it",
            ),
            (
                Box::new(EngineError::Cycle { stage: "bus:A".into() }),
                "stage `bus:A` depends on itself through its inputs [E0706] help: a bus cannot contain itself, directly or through other buses; break the cycle in the recipe",
            ),
            (
                Box::new(EngineError::UnknownTarget { name: "target:x".into() }),
                "no stage or target named `target:x` [E0707] help: run `sndtrk graph` to list the stages; targets are named `target:NAME`",
            ),
            (
                Box::new(EngineError::BuildFailed { failed: 2 }),
                "build failed: 2 stages failed [E0708] help: fix the errors above and build again; stages that finished are cached and will not run again",
            ),
            (
                Box::new(EngineError::StagePanicked { stage: "bus:A".into(), message: "boom".into() }),
                "stage `bus:A` crashed: boom [E0709] help: this is a bug in sndtrk, please report it with the recipe; other stages were not affected",
            ),
            (
                Box::new(EngineWarning::StateDiscarded { path: ".sndtrk/state".into(), reason: "unknown version 9".into() }),
                "discarded .sndtrk/state: unknown version 9 [E0710] help: this build starts from an empty state and rebuilds what it cannot find in the cache",
            ),
        ];
        for (diagnostic, expected) in cases {
            assert_eq!(rendered(diagnostic.as_ref()), expected);
        }
        assert_eq!(
            EngineError::BuildFailed { failed: 1 }.to_string(),
            "build failed: 1 stage failed"
        );
        assert_eq!(
            EngineWarning::StateDiscarded {
                path: "s".into(),
                reason: "r".into()
            }
            .severity(),
            Some(miette::Severity::Warning)
        );
    }
}
