//! Running the external tools: a missing tool is a test failure that names
//! it, never a skip.

use std::{path::Path, process::Command};

use crate::audio_support::{assert_read_as, s};

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

/// ffprobe's `entries` of `path` (such as `format_tags=time_reference`),
/// as comma-separated values without section names.
pub fn ffprobe_entries(path: &Path, entries: &str) -> String {
    run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            entries,
            "-of",
            "csv=p=0",
            s(path),
        ],
    )
}

/// ffprobe's name for the layout of a channel mask (REFERENCE.md: 2.0 0x3,
/// 5.1 0x60F).
fn ffprobe_layout(mask: u32) -> &'static str {
    match mask {
        0x3 => "stereo",
        0x60F => "5.1(side)",
        other => panic!("no ffprobe layout name here for mask {other:#x}"),
    }
}

/// Asserts a deliverable's format as sndtrk's reader, ffprobe and soxi see
/// it: channels, rate, bits and ffprobe's name for the layout of `mask`.
pub fn assert_deliverable(path: &Path, channels: usize, rate: u32, bits: u16, mask: u32) {
    let name = path.display();
    assert_read_as(path, channels, rate, bits);
    let layout = ffprobe_layout(mask);
    let probe = ffprobe_entries(
        path,
        "stream=channels,sample_rate,bits_per_sample,channel_layout",
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
