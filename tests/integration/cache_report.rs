//! `sndtrk cache` (the store's size by kind of stage, against `out/`) and
//! `sndtrk cache gc` keeping what the last build, or the last N builds,
//! used: a build that changes any key is the next build; a revert to a
//! recipe whose outputs were kept runs nothing, one whose outputs went
//! renders again.

use std::{collections::BTreeSet, fs, path::Path};

use crate::{audio_support::project::build, test::Test};

fn recipe(gain: &str) -> String {
    format!(
        r#"project "Cache" {{ frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }}
import "std/layouts"
stem fx {{ role effects layout 2.0 tone 440Hz -20dBFS for 1s at 01:00:00:00 gain {gain} }}
bus FX 2.0 {{ fx }}
target stereo {{ from FX layout 2.0 format wav 48kHz 24bit }}
"#
    )
}

/// Builds `gain`'s recipe in `dir`; the stages that ran.
fn build_with(dir: &Path, gain: &str) -> BTreeSet<String> {
    fs::write(dir.join("soundtrack.sndtrk"), recipe(gain)).unwrap();
    build(dir, &[])
        .into_iter()
        .filter(|(_, status)| status == "ran")
        .map(|(stage, _)| stage)
        .collect()
}

fn sndtrk(dir: &Path, args: &[&str]) -> String {
    Test::at(dir)
        .args(args.iter().copied())
        .stdout_any()
        .stderr("")
        .run()
        .stdout
}

#[test]
fn the_cache_reports_its_size_by_kind_and_gc_keeps_the_last_builds() {
    let test = Test::new();
    let dir = test.path();
    for gain in ["0dB", "-3dB", "-6dB"] {
        assert!(build_with(&dir, gain).contains("bus:FX"), "{gain}");
    }
    let report = sndtrk(&dir, &["cache"]);
    let lines: Vec<&str> = report.lines().collect();
    assert!(lines[0].starts_with("the cache holds "), "{report}");
    for kind in [
        "bus (last build)",
        "target (last build)",
        "measure (last build)",
        "earlier builds",
        "unreferenced",
        "region indexes",
    ] {
        assert!(
            lines.iter().any(|line| line.trim_start().starts_with(kind)),
            "no {kind} in\n{report}"
        );
    }
    let earlier = lines
        .iter()
        .find(|line| line.trim_start().starts_with("earlier builds"))
        .unwrap();
    assert!(!earlier.contains(" 0 objects"), "{report}");
    // The bus and the deliverable of each build left an index.
    let indexes = lines
        .iter()
        .find(|line| line.trim_start().starts_with("region indexes"))
        .unwrap();
    assert!(!indexes.contains(" 0 files"), "{report}");
    assert!(
        lines.last().unwrap().starts_with("out/ holds ") && report.contains("x that"),
        "{report}"
    );

    // The last two builds (-3 dB, -6 dB) are kept: back to -3 dB runs
    // nothing; the first (0 dB) went, so it renders again.
    sndtrk(&dir, &["cache", "gc", "--keep-builds", "2"]);
    assert_eq!(build_with(&dir, "-3dB"), BTreeSet::new(), "-3 dB was kept");
    let again = build_with(&dir, "0dB");
    assert!(
        again.contains("bus:FX") && again.contains("target:stereo"),
        "{again:?}"
    );

    // With no argument, only the last build (0 dB) stays: -6 dB renders
    // again, and the earlier builds' objects are gone.
    let gc = sndtrk(&dir, &["cache", "gc"]);
    assert!(gc.starts_with("removed "), "{gc}");
    assert!(!gc.starts_with("removed 0 objects"), "{gc}");
    let report = sndtrk(&dir, &["cache"]);
    let earlier = report
        .lines()
        .find(|line| line.trim_start().starts_with("earlier builds"))
        .unwrap();
    assert!(earlier.contains(" 0 objects"), "{report}");
    assert_eq!(
        build_with(&dir, "0dB"),
        BTreeSet::new(),
        "the last build is kept"
    );
    assert!(build_with(&dir, "-6dB").contains("bus:FX"));
}

#[test]
fn keep_builds_must_be_at_least_one() {
    Test::new()
        .args(["cache", "gc", "--keep-builds", "0"])
        .status(2)
        .stderr_contains("invalid value '0' for '--keep-builds <N>'")
        .run();
}
