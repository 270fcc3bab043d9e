//! Test support for the unit tests' cross-checks against sox and ffmpeg
//! (`cargo test --features interop`; `.ci/run` installs the tools): writing
//! a file for them, running them, reading ffmpeg's loudness summary. A tool
//! that is missing or fails fails the test, naming it.

use std::{ffi::OsStr, path::Path, process::Command};

/// Writes interleaved `samples` as a 32-bit float WAV with hound, an
/// independent writer.
pub fn write_float_wav(path: &Path, channels: usize, rate: u32, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// Runs `program` with `args` and returns its output, failing the test
/// (naming the tool) when it cannot be started or exits non-zero.
pub fn run(program: &str, args: &[&OsStr]) -> std::process::Output {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}` ({e}): the interop tests need it on the PATH \
                 (.ci/run installs it)"
            )
        });
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs ffmpeg's ebur128 filter on `path` and parses (I, LRA, true peak)
/// from its summary.
pub fn ffmpeg_summary(path: &Path) -> (f64, f64, f64) {
    let args: [&OsStr; 9] = [
        "-nostats".as_ref(),
        "-hide_banner".as_ref(),
        "-i".as_ref(),
        path.as_os_str(),
        "-af".as_ref(),
        "ebur128=peak=true".as_ref(),
        "-f".as_ref(),
        "null".as_ref(),
        "-".as_ref(),
    ];
    let out = run("ffmpeg", &args);
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = &text[text.rfind("Summary:").expect("ffmpeg printed a summary")..];
    let value = |key: &str| -> f64 {
        let line = summary
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in {summary}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    (value("I:"), value("LRA:"), value("Peak:"))
}
