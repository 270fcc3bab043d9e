//! Running the external tools: a missing tool is a test failure that names
//! it, never a skip.

use std::{path::Path, process::Command};

use sndtrk::audio::WavReader;

use crate::audio_support::s;

/// Runs `program` and returns its output, failing the test (naming the
/// tool) when it cannot be started.
fn output(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}` ({e}): the interop tests need sox and ffmpeg on the PATH \
                 (`bash .ci/run` installs them; `cargo test` without `--features interop` needs neither)"
            )
        })
}

/// Runs a tool and returns its stdout, failing the test on a non-zero exit.
pub fn run(program: &str, args: &[&str]) -> String {
    let output = output(program, args);
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_tool_is_installed() {
    for (tool, flag) in [
        ("sox", "--version"),
        ("soxi", "-V1"),
        ("ffmpeg", "-version"),
        ("ffprobe", "-version"),
    ] {
        let out = output(tool, &[flag]);
        // soxi without a file prints its usage and exits non-zero; that it
        // started is what counts.
        assert!(
            out.status.success() || tool == "soxi",
            "{tool} {flag} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// ffmpeg's ebur128 summary of a file: (I, LRA, true peak).
pub fn ffmpeg_summary(path: &Path) -> (f64, f64, f64) {
    let out = output(
        "ffmpeg",
        &[
            "-nostats",
            "-hide_banner",
            "-i",
            s(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ffmpeg failed: {text}");
    let summary = &text[text.rfind("Summary:").expect("an ebur128 summary")..];
    let value = |key: &str| -> f64 {
        summary
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {summary}"))
    };
    (value("I:"), value("LRA:"), value("Peak:"))
}

/// Integrated loudness and true peak by ffmpeg's ebur128 filter.
pub fn ffmpeg_loudness(path: &Path) -> (f64, f64) {
    let (i, _, peak) = ffmpeg_summary(path);
    (i, peak)
}

/// Asserts a deliverable's format as sndtrk's reader, ffprobe and soxi see
/// it: channels, rate, bits and ffprobe's name for the channel layout.
pub fn assert_deliverable(path: &Path, channels: usize, rate: u32, bits: u16, layout: &str) {
    let name = path.display();
    let format = WavReader::open(path).unwrap().format().clone();
    assert_eq!(
        (format.channels, format.sample_rate, format.bits()),
        (channels, rate, bits),
        "{name}"
    );
    let probe = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=channels,sample_rate,bits_per_sample,channel_layout",
            "-of",
            "csv=p=0",
            s(path),
        ],
    );
    assert_eq!(
        probe.trim(),
        format!("{rate},{channels},{layout},{bits}"),
        "{name}"
    );
    assert_eq!(
        run("soxi", &["-c", s(path)]).trim(),
        channels.to_string(),
        "{name}"
    );
    assert_eq!(
        run("soxi", &["-r", s(path)]).trim(),
        rate.to_string(),
        "{name}"
    );
}
