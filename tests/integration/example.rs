//! The example project builds every target and the album as written, and
//! its deliverables meet their specs as the reference meter in
//! `reference.rs` measures them (`interop::build` repeats this with ffmpeg).

use std::{fs, path::Path};

use sndtrk::audio::WavReader;

use crate::{
    audio_support::{assert_deliverable, reference_loudness, s},
    test::Test,
};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "out" || name == ".sndtrk" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(name));
        } else {
            fs::copy(entry.path(), to.join(name)).unwrap();
        }
    }
}

/// (file, channels, rate, bits, channel mask) of every deliverable.
pub(crate) const EXPECTED: [(&str, usize, u32, u16, u32); 6] = [
    ("print_master.wav", 6, 48_000, 24, 0x60F),
    ("stereo.wav", 2, 48_000, 24, 0x3),
    ("broadcast.wav", 2, 48_000, 24, 0x3),
    ("me.wav", 6, 48_000, 24, 0x60F),
    ("ost/01 Harbor Lights.wav", 2, 44_100, 16, 0x3),
    ("ost/02 Ocean Drive.wav", 2, 44_100, 16, 0x3),
];

/// (file, integrated target, tolerance, true-peak ceiling) of the
/// loudness-normalised deliverables.
pub(crate) const SPECS: [(&str, f64, f64, f64); 3] = [
    ("print_master.wav", -27.0, 2.0, -2.0),
    ("stereo.wav", -27.0, 2.0, -2.0),
    ("broadcast.wav", -23.0, 0.5, -1.0),
];

/// Builds a copy of the example in `dir`; returns its `out/`.
pub(crate) fn build_example(dir: &Path) -> std::path::PathBuf {
    let project = dir.join("night-harbor");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/night-harbor"),
        &project,
    );
    let ran = Test::at(dir)
        .args(["-C", s(&project), "build"])
        .stderr_any()
        .run();
    let stderr = ran.stderr;
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("24 ran, 0 fresh in ")),
        "{stderr}"
    );
    project.join("out")
}

#[test]
fn the_example_builds_every_deliverable_within_its_spec() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_example(dir.path());
    for (file, channels, rate, bits, mask) in EXPECTED {
        assert_deliverable(&out.join(file), channels, rate, bits, mask);
    }
    // The cue sheet report: 1M1 for 12 s and 2M3 for 15 s, as placed.
    let cuesheet = fs::read_to_string(out.join("reports/cuesheet.csv")).unwrap();
    let row = |id: &str| {
        cuesheet
            .lines()
            .find(|line| line.starts_with(id))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        row("1M1,").contains("01:00:04:00,01:00:16:00"),
        "{cuesheet}"
    );
    assert!(
        row("2M3,").contains("01:00:20:00,01:00:35:00"),
        "{cuesheet}"
    );
    // Deliverables start with the 2-pop at 00:59:58:00 and carry it in bext.
    let pm = WavReader::open(out.join("print_master.wav")).unwrap();
    assert_eq!(pm.format().time_reference, Some((3600 - 2) * 48_000));
    // The album's tracks last as long as their cues: 12 s and 15 s at 44.1 kHz.
    for (file, seconds) in [
        ("ost/01 Harbor Lights.wav", 12),
        ("ost/02 Ocean Drive.wav", 15),
    ] {
        assert_eq!(
            WavReader::open(out.join(file)).unwrap().format().frames,
            seconds * 44_100
        );
    }
    // Loudness-normalised targets, measured by the reference meter (full
    // programme; the recipe's dialogue runs under the whole programme, so the
    // dialogue gate keeps nearly every block).
    for (file, target, tolerance, ceiling) in SPECS {
        let (integrated, peak) = reference_loudness(&out.join(file));
        assert!(
            (integrated - target).abs() <= tolerance,
            "{file}: {integrated} LUFS"
        );
        assert!(peak <= ceiling, "{file}: {peak} dBTP");
    }
    let (_, me_peak) = reference_loudness(&out.join("me.wav"));
    assert!(me_peak <= -1.0, "me.wav: {me_peak} dBTP");
}

/// The recipes the project must accept as written (a copy of
/// `../shared/examples/`): they check without an error. The shared night
/// harbour's M&E does not `match` its print master, which D008 points out.
#[test]
fn the_shared_examples_are_accepted_as_written() {
    let recipe = include_str!("../fixtures/shared/night-harbor.sndtrk");
    crate::test::Test::new()
        .recipe(recipe)
        .arg("check")
        .stderr_contains("D008")
        .stderr_contains("add `match print_master`")
        .stderr_contains("0 errors, 1 warning")
        .run();
}

/// The example's stems agree with its print master: DX + M&E null against
/// it, and the M&E is at the print master's level.
#[test]
fn the_examples_m_and_e_takes_the_print_masters_gain() {
    let recipe = include_str!("../../examples/night-harbor/soundtrack.sndtrk");
    assert!(recipe.contains("match print_master"));
    crate::test::Test::new().recipe(recipe).arg("check").run();
}
