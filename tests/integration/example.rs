//! The example project builds every target and the album as written, and
//! its deliverables meet their specs as the reference meter in
//! `reference.rs` measures them (`interop::build` repeats this with ffmpeg).

use std::fs;

use sndtrk::audio::WavReader;

use crate::audio_support::{
    assert_deliverable,
    project::{assert_example_meets_its_specs, build_example, EXPECTED},
    reference_loudness,
};

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
    assert_example_meets_its_specs(&out, reference_loudness);
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

/// The Dolby Atmos example builds as written: its ADM master normalised on
/// its 5.1 re-render, a 7.1.4 re-render that takes the master's gain, and
/// 5.1 and 2.0 re-renders at Netflix's -27 LKFS (the reference meter over
/// the whole programme: the example's dialogue runs under all of it).
#[test]
fn the_atmos_example_builds_its_master_and_its_re_renders_to_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    crate::audio_support::project::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/harbor-atmos"),
        dir.path(),
    );
    let statuses = crate::audio_support::project::build(dir.path(), &[]);
    let out = dir.path().join("out");
    for (file, channels) in [
        ("atmos_master.wav", 13),
        ("home_714.wav", 12),
        ("home_51.wav", 6),
        ("home_20.wav", 2),
    ] {
        let reader = WavReader::open(out.join(file)).unwrap();
        assert_eq!(reader.format().channels, channels, "{file}: {statuses:?}");
    }
    for file in ["home_51.wav", "home_20.wav"] {
        let (integrated, true_peak) = reference_loudness(&out.join(file));
        assert!((integrated + 27.0).abs() < 0.5, "{file}: {integrated} LUFS");
        assert!(true_peak < -2.0, "{file}: {true_peak} dBTP");
    }
}
