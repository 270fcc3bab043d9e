//! Deliverables of `sndtrk build` as ffprobe and soxi read them and as
//! ffmpeg's `ebur128` filter measures them: the small project of
//! `build.rs` and the example project.

use sndtrk::audio::WavReader;

use crate::{
    build::{build, project, RECIPE},
    example::{build_example, SPECS},
    interop::tools::{assert_deliverable, ffmpeg_loudness},
};

#[test]
fn every_deliverable_reads_in_ffprobe_and_soxi_and_measures_in_ffmpeg() {
    let test = project(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    for (file, channels, rate, bits, layout) in [
        ("pm.wav", 6, 48_000, 24, "5.1(side)"),
        ("stereo.wav", 2, 48_000, 24, "stereo"),
        ("broadcast.wav", 2, 48_000, 24, "stereo"),
        ("ost/01 Theme.wav", 2, 44_100, 16, "stereo"),
    ] {
        assert_deliverable(&dir.join("out").join(file), channels, rate, bits, layout);
    }
    // ffmpeg's measure of the EBU R128 target: -23 LUFS within ±0.5 LU, true peak under -1 dBTP.
    let (integrated, peak) = ffmpeg_loudness(&dir.join("out/broadcast.wav"));
    assert!(
        (integrated + 23.0).abs() <= 0.5,
        "broadcast measures {integrated} LUFS"
    );
    assert!(peak <= -1.0, "broadcast peaks at {peak} dBTP");
}

#[test]
fn a_resampled_target_measures_within_spec_in_ffmpeg() {
    let recipe = format!(
        "{RECIPE}\ntarget cd {{\n    from PM\n    layout 2.0 downmix loro\n    format wav 44.1kHz 16bit\n    spec ebu.r128\n}}\n"
    );
    let test = project(&recipe);
    let dir = test.path();
    build(&dir, &["cd"]);
    let path = dir.join("out/cd.wav");
    assert_eq!(WavReader::open(&path).unwrap().format().frames, 3 * 44_100);
    let (integrated, peak) = ffmpeg_loudness(&path);
    assert!(
        (integrated + 23.0).abs() <= 0.5,
        "cd measures {integrated} LUFS"
    );
    assert!(peak <= -1.0, "cd peaks at {peak} dBTP");
}

#[test]
fn the_examples_deliverables_read_in_ffprobe_and_soxi_and_meet_their_specs_in_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_example(dir.path());
    for (file, channels, rate, bits, layout) in [
        ("print_master.wav", 6, 48_000, 24, "5.1(side)"),
        ("stereo.wav", 2, 48_000, 24, "stereo"),
        ("broadcast.wav", 2, 48_000, 24, "stereo"),
        ("me.wav", 6, 48_000, 24, "5.1(side)"),
        ("ost/01 Harbor Lights.wav", 2, 44_100, 16, "stereo"),
        ("ost/02 Ocean Drive.wav", 2, 44_100, 16, "stereo"),
    ] {
        assert_deliverable(&out.join(file), channels, rate, bits, layout);
    }
    for (file, target, tolerance, ceiling) in SPECS {
        let (integrated, peak) = ffmpeg_loudness(&out.join(file));
        assert!(
            (integrated - target).abs() <= tolerance,
            "{file}: {integrated} LUFS"
        );
        assert!(peak <= ceiling, "{file}: {peak} dBTP");
    }
    let (_, me_peak) = ffmpeg_loudness(&out.join("me.wav"));
    assert!(me_peak <= -1.0, "me.wav: {me_peak} dBTP");
}
