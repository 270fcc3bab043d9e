//! Errors of the audio core's file I/O and operations (codes E05xx).
//!
//! Every variant that concerns a file names it, so a user can tell which of
//! the hundreds of stems of a recipe is at fault.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// An error reading or writing an audio file, or building an audio operation.
#[derive(Debug, Error, Diagnostic)]
pub enum AudioError {
    /// The operating system refused to open, read or write a file.
    #[error("cannot {action} `{path}`: {cause}")]
    #[diagnostic(
        code(E0501),
        help("check that the file exists, is readable, and that the disk is not full")
    )]
    Io {
        /// What was being done: "open", "read", "write", ...
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error, shown in the message (not as a
        /// separate cause, which would print it twice).
        cause: std::io::Error,
    },

    /// The file does not start with a RIFF/WAVE header.
    #[error("`{path}` is not a WAV file ({detail})")]
    #[diagnostic(
        code(E0502),
        help("convert the file to WAV (RIFF/WAVE), e.g. `ffmpeg -i in.x -c:a pcm_s24le out.wav`")
    )]
    NotWav {
        /// The file concerned.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },

    /// The file ends before its header or a chunk says it should.
    #[error("`{path}` is truncated: {detail}")]
    #[diagnostic(code(E0503), help("the file was cut short; export or copy it again"))]
    Truncated {
        /// The file concerned.
        path: PathBuf,
        /// Where it ended.
        detail: String,
    },

    /// The data chunk claims more audio than the file holds.
    #[error(
        "`{path}` has a lying header: its data chunk claims {claimed} bytes but only {available} follow"
    )]
    #[diagnostic(
        code(E0504),
        help("the file was cut short or written by a program that crashed; export it again")
    )]
    DataLength {
        /// The file concerned.
        path: PathBuf,
        /// Bytes the data chunk header claims.
        claimed: u64,
        /// Bytes actually present after the chunk header.
        available: u64,
    },

    /// The WAV file uses an encoding sndtrk does not read.
    #[error("`{path}` uses an unsupported format: {detail}")]
    #[diagnostic(
        code(E0505),
        help("sndtrk reads 16- and 24-bit integer and 32-bit float PCM; convert with `ffmpeg -i in.wav -c:a pcm_s24le out.wav`")
    )]
    Unsupported {
        /// The file concerned.
        path: PathBuf,
        /// What is unsupported.
        detail: String,
    },

    /// The header holds impossible values (zero channels, zero rate, no `ds64` in RF64, ...).
    #[error("`{path}` has an invalid header: {detail}")]
    #[diagnostic(code(E0506), help("the header is damaged; export the file again"))]
    InvalidHeader {
        /// The file concerned.
        path: PathBuf,
        /// The impossible value.
        detail: String,
    },

    /// A file's channel count contradicts what the recipe declares.
    #[error("`{path}` has {found} channels but {expected} were declared")]
    #[diagnostic(
        code(E0507),
        help(
            "declare the layout the file has, or supply the file that matches the declared layout"
        )
    )]
    ChannelMismatch {
        /// The file concerned.
        path: PathBuf,
        /// Channels the recipe declares.
        expected: usize,
        /// Channels in the file.
        found: usize,
    },

    /// A file's sample rate contradicts what the recipe declares.
    #[error("`{path}` is sampled at {found} Hz but {expected} Hz was declared")]
    #[diagnostic(code(E0508), help("resample the file, or declare the rate it has"))]
    RateMismatch {
        /// The file concerned.
        path: PathBuf,
        /// Rate the recipe declares.
        expected: u32,
        /// Rate in the file.
        found: u32,
    },

    /// A channel layout is malformed (unknown or repeated label, no channels).
    #[error("invalid channel layout `{name}`: {detail}")]
    #[diagnostic(
        code(E0510),
        help("channel labels are L R C LFE Ls Rs Lrs Rrs Lss Rss Ltf Rtf Ltr Rtr ..., each at most once")
    )]
    InvalidLayout {
        /// The layout's name.
        name: String,
        /// What is wrong.
        detail: String,
    },

    /// A SMPTE timecode that cannot be read or does not exist at its frame rate.
    #[error("invalid timecode `{text}`: {detail}")]
    #[diagnostic(
        code(E0511),
        help("write timecodes as HH:MM:SS:FF (HH:MM:SS;FF for drop-frame), frames below the frame rate")
    )]
    InvalidTimecode {
        /// The timecode as written.
        text: String,
        /// Why it is invalid.
        detail: String,
    },

    /// Sources with different channel counts were combined.
    #[error("{operation}: expected {expected} channels, got {found}")]
    #[diagnostic(
        code(E0512),
        help("convert the source to the bus layout first (pan a mono source, or apply a downmix matrix)")
    )]
    ChannelCount {
        /// The operation that received the wrong input.
        operation: String,
        /// Channels the operation expects.
        expected: usize,
        /// Channels it was given.
        found: usize,
    },

    /// A downmix matrix whose shape is wrong.
    #[error("invalid matrix `{name}`: {detail}")]
    #[diagnostic(
        code(E0513),
        help("a matrix has one row per output channel and one coefficient per input channel in each row")
    )]
    InvalidMatrix {
        /// The matrix's name.
        name: String,
        /// What is wrong.
        detail: String,
    },

    /// A channel label that the layout does not contain.
    #[error("layout `{layout}` has no channel `{channel}`")]
    #[diagnostic(code(E0514), help("pan to one of the channels: {available}"))]
    NoSuchChannel {
        /// The layout.
        layout: String,
        /// The label asked for.
        channel: String,
        /// The labels the layout has, space separated.
        available: String,
    },

    /// An absurd value given to an operation or generator.
    #[error("invalid {what}: {detail}")]
    #[diagnostic(code(E0515), help("{help}"))]
    InvalidValue {
        /// The parameter.
        what: &'static str,
        /// Why the value is rejected.
        detail: String,
        /// What to give instead: the parameter and the values it allows.
        help: String,
    },
}

impl From<crate::model::time::TimecodeError> for AudioError {
    fn from(error: crate::model::time::TimecodeError) -> Self {
        AudioError::InvalidTimecode {
            text: error.text,
            detail: error.detail,
        }
    }
}

impl AudioError {
    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            cause: source,
        }
    }
}
