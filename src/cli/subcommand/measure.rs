//! `sndtrk measure FILE... [--format human|json]`: loudness and peaks of WAV files.
//!
//! Every file is measured even when an earlier one fails; each failure is
//! reported on stderr, naming the file, and makes the exit status 1.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use rayon::prelude::*;
use serde::Serialize;

use crate::{
    audio::{
        measure::{measure_file, FileMeasurement},
        sample_format::SampleFormat,
    },
    cli::arguments::{MeasureArgs, MeasureFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
};

/// Runs the command; returns the exit code. Files are measured in parallel
/// and reported in the order given.
pub fn run(directory: Option<&Path>, args: &MeasureArgs) -> i32 {
    let results: Vec<_> = args
        .files
        .par_iter()
        .map(|file| measure_file(&resolve(directory, file)))
        .collect();
    let mut measured = Vec::new();
    let mut failed = false;
    for (file, result) in args.files.iter().zip(results) {
        match result {
            Ok(mut m) => {
                m.path = file.clone();
                measured.push(m);
            }
            Err(error) => {
                failed = true;
                eprintln!("{:?}", miette::Report::new(error));
            }
        }
    }
    let text = match args.format {
        MeasureFormat::Human => human(&measured),
        MeasureFormat::Json => json(&measured),
    };
    let mut stdout = std::io::stdout().lock();
    if !text.is_empty() && stdout.write_all(text.as_bytes()).is_err() {
        return EXIT_FAILURE;
    }
    if failed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// A relative path is relative to `-C DIR` when one is given.
fn resolve(directory: Option<&Path>, file: &Path) -> PathBuf {
    match directory {
        Some(dir) if file.is_relative() => dir.join(file),
        _ => file.to_path_buf(),
    }
}

fn encoding(format: SampleFormat) -> &'static str {
    match format {
        SampleFormat::Int16 => "16-bit integer",
        SampleFormat::Int24 => "24-bit integer",
        SampleFormat::Float32 => "32-bit float",
    }
}

/// A level with one decimal, right-aligned; `-inf` for silence.
fn level(value: f64) -> String {
    if value.is_finite() {
        format!("{value:>6.1}")
    } else {
        format!("{:>6}", "-inf")
    }
}

fn human(measured: &[FileMeasurement]) -> String {
    let mut out = String::new();
    for (i, m) in measured.iter().enumerate() {
        let f = &m.format;
        let l = &m.loudness;
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}\n  format               {} Hz, {}, {} channel{} ({}: {})\n  duration             {:.3} s\n",
            m.path.display(),
            f.sample_rate,
            encoding(f.sample_format),
            f.channels,
            if f.channels == 1 { "" } else { "s" },
            m.layout.name(),
            m.layout.labels().join(" "),
            l.duration_s(),
        ));
        for (name, value, unit) in [
            ("integrated loudness", l.integrated_lufs, "LUFS"),
            ("loudness range", l.loudness_range_lu, "LU"),
            ("short-term max", l.short_term_max_lufs, "LUFS"),
            ("momentary max", l.momentary_max_lufs, "LUFS"),
            ("sample peak", l.sample_peak_dbfs, "dBFS"),
            ("true peak", l.true_peak_dbtp, "dBTP"),
        ] {
            out.push_str(&format!("  {name:<20}{} {unit}\n", level(value)));
        }
    }
    out
}

/// One file in the JSON output; `null` stands for -inf (silence).
#[derive(Serialize)]
struct JsonMeasurement {
    file: String,
    sample_rate: u32,
    channels: usize,
    bits: u16,
    duration_s: f64,
    integrated_lufs: Option<f64>,
    lra_lu: f64,
    short_term_max_lufs: Option<f64>,
    momentary_max_lufs: Option<f64>,
    sample_peak_dbfs: Option<f64>,
    true_peak_dbtp: Option<f64>,
}

/// Rounds to 0.01 (dB or LU); `None` for -inf.
fn rounded(value: f64) -> Option<f64> {
    value.is_finite().then(|| (value * 100.0).round() / 100.0)
}

fn json(measured: &[FileMeasurement]) -> String {
    let rows: Vec<JsonMeasurement> = measured
        .iter()
        .map(|m| {
            let l = &m.loudness;
            JsonMeasurement {
                file: m.path.display().to_string(),
                sample_rate: m.format.sample_rate,
                channels: m.format.channels,
                bits: m.format.bits(),
                duration_s: l.duration_s(),
                integrated_lufs: rounded(l.integrated_lufs),
                lra_lu: rounded(l.loudness_range_lu).unwrap_or(0.0),
                short_term_max_lufs: rounded(l.short_term_max_lufs),
                momentary_max_lufs: rounded(l.momentary_max_lufs),
                sample_peak_dbfs: rounded(l.sample_peak_dbfs),
                true_peak_dbtp: rounded(l.true_peak_dbtp),
            }
        })
        .collect();
    match serde_json::to_string_pretty(&rows) {
        Ok(text) => text + "\n",
        Err(_) => "[]\n".to_owned(),
    }
}
