//! The code table (`sndtrk::diagnostic::codes`) is the one source of every
//! diagnostic code, and every code in it has a fixture with its whole
//! rendered text.
//!
//! Codes a recipe can bring about are rendered by running `sndtrk` on a
//! fixture (`tests/fixtures/check/`, `tests/fixtures/lint/`, and the
//! integration tests that assert whole stderr); the codes of the audio
//! core, the engine and the command line that no recipe reaches alone (a
//! crashed stage, a resampler refusing a ratio) are rendered here from one
//! value of each error, with the binary's own report handler, into
//! `tests/fixtures/codes/CODE.stderr`. Run with `SNDTRK_BLESS=1` to write
//! those files after a deliberate change, then review the diff.

use std::{
    collections::BTreeSet,
    fs, io,
    path::{Path, PathBuf},
};

use sndtrk::{
    audio::{dsp_error::DspError, measure::MeasureError, AudioError},
    cli::{byte_size::InvalidSize, subcommand::fmt::FmtError},
    diagnostic::codes::{Code, CODES},
    engine::error::{EngineError, EngineWarning},
    lint::RULES,
    project::walk::WalkError,
    review::ReviewError,
};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, with its text.
fn rust_files(dir: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// The codes written in `text`: `code(E0503)` attributes and `"E0503"`
/// strings (outside `#[cfg(test)]` modules, which assert codes).
fn written_codes(text: &str) -> Vec<String> {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut codes = Vec::new();
    for (open, close) in [("code(", ')'), ("\"", '"')] {
        for piece in text.split(open).skip(1) {
            let Some(end) = piece.find(close) else {
                continue;
            };
            let word = &piece[..end];
            let shaped = matches!(word.len(), 4 | 5)
                && word.starts_with(['E', 'R', 'C', 'D', 'S'])
                && word[1..].bytes().all(|byte| byte.is_ascii_digit());
            if shaped {
                codes.push(word.to_owned());
            }
        }
    }
    codes
}

#[test]
fn every_code_written_in_the_source_is_in_the_table() {
    let table = root().join("src/diagnostic/codes.rs");
    let mut unknown = Vec::new();
    for (path, text) in rust_files(&root().join("src")) {
        if path == table {
            continue;
        }
        for code in written_codes(&text) {
            if Code::find(&code).is_none() {
                unknown.push(format!("{code} in {}", path.display()));
            }
        }
    }
    assert!(unknown.is_empty(), "codes not in the table: {unknown:#?}");
}

#[test]
fn every_code_in_the_table_is_used_somewhere() {
    let table = root().join("src/diagnostic/codes.rs");
    let mut source = String::new();
    for (path, text) in rust_files(&root().join("src")) {
        if path != table {
            source.push_str(&text);
        }
    }
    let unused: Vec<&str> = CODES
        .iter()
        .map(|code| code.code)
        .filter(|code| {
            !source.contains(&format!("codes::{code}"))
                && !source.contains(&format!("code({code})"))
                && !source.contains(&format!("code: {code},"))
        })
        .collect();
    assert!(unused.is_empty(), "codes that exist nowhere: {unused:?}");
}

/// The lint registry lists every rule file (the rules `sndtrk check` runs
/// and D004, which `sndtrk build` runs), and its codes are the table's lint
/// codes.
#[test]
fn every_lint_rule_is_registered_and_in_the_table() {
    let mut files = BTreeSet::new();
    for entry in fs::read_dir(root().join("src/lint/rules")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let code = name.split('_').next().unwrap().to_ascii_uppercase();
        if code.len() == 4 && name.ends_with(".rs") {
            files.insert(code);
        }
    }
    let registered: BTreeSet<String> = RULES.iter().map(|rule| rule.code.to_owned()).collect();
    assert_eq!(files, registered, "rule files against the registry");
    let lint_codes: BTreeSet<String> = CODES
        .iter()
        .filter(|code| !code.code.starts_with('E'))
        .map(|code| code.code.to_owned())
        .collect();
    // D007 is checked after a build by the deliverables' verdicts, outside
    // the registry (RESERVED); every other lint code is a registered rule.
    let reserved: BTreeSet<String> = ["D007".to_owned()].into();
    assert_eq!(
        lint_codes,
        registered
            .union(&reserved)
            .cloned()
            .collect::<BTreeSet<_>>()
    );
    for rule in RULES {
        let entry = Code::find(rule.code).unwrap();
        assert_eq!(rule.summary, entry.summary);
        assert_eq!(rule.default_severity, entry.severity);
    }
}

fn denied() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, "permission denied")
}

/// One value of every error the library reports, for its rendered text.
fn library_errors() -> Vec<Box<dyn miette::Diagnostic>> {
    let wav = || PathBuf::from("stems/R1_DX.wav");
    let detail = |text: &str| text.to_owned();
    vec![
        Box::new(AudioError::Io {
            action: "open",
            path: wav(),
            cause: io::Error::new(io::ErrorKind::NotFound, "No such file or directory"),
        }),
        Box::new(AudioError::NotWav {
            path: wav(),
            detail: detail("no RIFF header"),
        }),
        Box::new(AudioError::Truncated {
            path: wav(),
            detail: detail("the fmt chunk ends after 12 of 16 bytes"),
        }),
        Box::new(AudioError::DataLength {
            path: wav(),
            claimed: 2_880_000,
            available: 96_000,
        }),
        Box::new(AudioError::Unsupported {
            path: wav(),
            detail: detail("8-bit integer samples"),
        }),
        Box::new(AudioError::InvalidHeader {
            path: wav(),
            detail: detail("block align 5 for 2 channels of 24 bits"),
        }),
        Box::new(AudioError::ChannelMismatch {
            path: wav(),
            expected: 6,
            found: 2,
        }),
        Box::new(AudioError::RateMismatch {
            path: wav(),
            expected: 48_000,
            found: 44_100,
        }),
        Box::new(AudioError::InvalidLayout {
            name: "5.1".to_owned(),
            detail: detail("channel `L` appears twice"),
        }),
        Box::new(AudioError::InvalidTimecode {
            text: "01:00:00:24".to_owned(),
            detail: detail("frame 24 does not exist at 24 fps"),
        }),
        Box::new(AudioError::ChannelCount {
            operation: "bus PM".to_owned(),
            expected: 6,
            found: 2,
        }),
        Box::new(AudioError::InvalidMatrix {
            name: "loro".to_owned(),
            detail: detail("row 2 has 5 coefficients for 6 input channels"),
        }),
        Box::new(AudioError::NoSuchChannel {
            layout: "2.0".to_owned(),
            channel: "C".to_owned(),
            available: "L R".to_owned(),
        }),
        Box::new(AudioError::InvalidValue {
            what: "fade",
            detail: detail("a fade of 96000 frames on a source of 48000 frames"),
            help: detail("give fades of at most 48000 frames, the source's length"),
        }),
        Box::new(DspError::UnknownChannelLabel {
            label: "Lx".to_owned(),
        }),
        Box::new(DspError::NoDefaultLayout { channels: 9 }),
        Box::new(DspError::UnsupportedFormat {
            channels: 0,
            sample_rate: 48_000,
        }),
        Box::new(DspError::PartialFrame {
            samples: 7,
            channels: 2,
        }),
        Box::new(DspError::TruePeakCeiling {
            target_lufs: -14.0,
            gain_db: 9.5,
            predicted_peak_dbtp: 1.2,
            ceiling_dbtp: -1.0,
        }),
        Box::new(DspError::SilentProgramme),
        Box::new(DspError::LimiterMissed {
            target_lufs: -23.0,
            measured_lufs: -29.35,
            true_peak_dbtp: -1.1,
            ceiling_dbtp: -1.0,
            gain_db: 12.45,
            passes: 2,
            max_reduction_db: 12.7,
        }),
        Box::new(DspError::Resampler {
            from_hz: 48_000,
            to_hz: 0,
            channels: 2,
            reason: "the target rate is zero".to_owned(),
        }),
        Box::new(DspError::UnsupportedBitDepth { bits: 20 }),
        Box::new(DspError::DialogueMismatch {
            what: "sample rate",
            dialogue_channels: 1,
            dialogue_rate: 44_100,
            mix_channels: 6,
            mix_rate: 48_000,
        }),
        Box::new(DspError::OutOfRange {
            what: "the limiter's release",
            value: -5.0,
            help: "give a release from 1 ms to 10 s",
        }),
        Box::new(MeasureError::Meter {
            path: PathBuf::from("out/stereo.wav"),
            reason: DspError::UnsupportedFormat {
                channels: 2,
                sample_rate: 8,
            },
        }),
        Box::new(EngineError::Lock {
            path: PathBuf::from(".sndtrk/lock"),
            cause: denied(),
        }),
        Box::new(EngineError::io(".sndtrk/state", denied())),
        Box::new(EngineError::SourceFile {
            path: wav(),
            cause: denied(),
        }),
        Box::new(EngineError::DuplicateStage {
            id: "bus:PM".to_owned(),
        }),
        Box::new(EngineError::UnknownInput {
            stage: "bus:PM".to_owned(),
            input: "stem:dx".to_owned(),
        }),
        Box::new(EngineError::Cycle {
            stage: "bus:A".to_owned(),
        }),
        Box::new(EngineError::UnknownTarget {
            name: "target:x".to_owned(),
        }),
        Box::new(EngineError::BuildFailed { failed: 2 }),
        Box::new(EngineError::StagePanicked {
            stage: "bus:A".to_owned(),
            message: "index out of bounds".to_owned(),
        }),
        Box::new(EngineWarning::StateDiscarded {
            path: PathBuf::from(".sndtrk/state"),
            reason: "unknown version 9".to_owned(),
        }),
        Box::new(EngineWarning::RemoteFailed {
            url: "http://cache:8080".to_owned(),
            failures: 3,
            first: "ac 3f1a9c0b2d4e: io: Connection refused (os error 111)".to_owned(),
            off: true,
        }),
        Box::new(EngineWarning::RemoteDamaged {
            url: "http://cache:8080".to_owned(),
            damaged: 2,
            first: "the output of bus:PM did not match its hash".to_owned(),
        }),
        Box::new(EngineWarning::RemoteTokenWithheld {
            url: "http://cache:8080".to_owned(),
        }),
        Box::new(EngineError::RemoteRequired {
            url: "http://cache:8080".to_owned(),
            message: "GET ac 3f1a9c0b2d4e answered 500 Internal Server Error".to_owned(),
        }),
        Box::new(EngineError::RemoteSettings {
            message:
                "remote cache `ftp://cache`: the URL must start with http://, https:// or grpc://"
                    .to_owned(),
        }),
        Box::new(InvalidSize {
            text: "10 gigs".to_owned(),
        }),
        Box::new(WalkError::NotFound {
            path: PathBuf::from("reels/R7.sndtrk"),
        }),
        Box::new(WalkError::Unreadable {
            path: PathBuf::from("reels"),
            message: "permission denied".to_owned(),
        }),
        Box::new(FmtError::Read {
            path: PathBuf::from("soundtrack.sndtrk"),
            message: "permission denied".to_owned(),
        }),
        Box::new(FmtError::NotUtf8 {
            path: PathBuf::from("soundtrack.sndtrk"),
        }),
        Box::new(FmtError::Write {
            path: PathBuf::from("soundtrack.sndtrk"),
            message: "read-only file system".to_owned(),
        }),
        Box::new(ReviewError::NotARepository {
            path: PathBuf::from("night-harbor"),
        }),
        Box::new(ReviewError::UnknownRevision {
            revision: "origin/mian".to_owned(),
        }),
        Box::new(ReviewError::Git {
            action: "ls-tree".to_owned(),
            detail: "fatal: not a tree object".to_owned(),
        }),
        Box::new(ReviewError::Write {
            revision: "HEAD~1".to_owned(),
            path: PathBuf::from("/tmp/sndtrk-diff-1a2b3c/stems/R1_DX.wav"),
            cause: io::Error::new(io::ErrorKind::StorageFull, "No space left on device"),
        }),
    ]
}

fn library_fixtures() -> PathBuf {
    root().join("tests/fixtures/codes")
}

#[test]
fn library_errors_render_as_their_fixtures() {
    let bless = std::env::var_os("SNDTRK_BLESS").is_some();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for error in library_errors() {
        let code = error.code().expect("every error has a code").to_string();
        assert!(Code::find(&code).is_some(), "{code} is not in the table");
        assert!(seen.insert(code.clone()), "{code} rendered twice");
        let rendered = sndtrk::cli::report::render(error.as_ref());
        let path = library_fixtures().join(format!("{code}.stderr"));
        if bless {
            fs::create_dir_all(library_fixtures()).unwrap();
            fs::write(&path, &rendered).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(rendered.as_str()) {
            failures.push(format!("--- {}\n{rendered}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The whole rendered text of every fixture and of every test that asserts
/// a whole stderr.
fn rendered_texts() -> String {
    let mut text = String::new();
    for entry in walkdir::WalkDir::new(root().join("tests/fixtures")) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|ext| ext == "stderr") {
            text.push_str(&fs::read_to_string(path).unwrap());
        }
    }
    text
}

#[test]
fn every_code_has_a_fixture_with_its_rendered_text() {
    let rendered = rendered_texts();
    let missing: Vec<&str> = CODES
        .iter()
        .map(|code| code.code)
        .filter(|code| {
            // The graphical handler writes the code alone on the report's
            // first line (a lint warning too); a summary line names it in
            // brackets.
            !rendered.contains(&format!("{code}\n")) && !rendered.contains(&format!("[{code}]"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a rendered fixture: {missing:?}"
    );
}
