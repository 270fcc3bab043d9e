//! Deliverables of `sndtrk build` as ffprobe and soxi read them and as
//! ffmpeg's `ebur128` filter measures them: the small project of
//! `build.rs` and the example project.

use sndtrk::audio::WavReader;

use crate::{
    audio_support::project::{
        assert_example_meets_its_specs, assert_meets, build, build_example, project,
        recipe_with_cd, DELIVERABLES, EBU_R128, EXPECTED, RECIPE,
    },
    interop::tools::{assert_deliverable, ffmpeg_loudness},
};

#[test]
fn every_deliverable_reads_in_ffprobe_and_soxi_and_measures_in_ffmpeg() {
    let test = project(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    for (file, channels, rate, bits, mask) in DELIVERABLES {
        assert_deliverable(&dir.join("out").join(file), channels, rate, bits, mask);
    }
    // ffmpeg's measure of the EBU R128 target: -23 LUFS within ±0.5 LU, true peak under -1 dBTP.
    assert_meets(
        "broadcast",
        ffmpeg_loudness(&dir.join("out/broadcast.wav")),
        EBU_R128,
    );
}

#[test]
fn a_resampled_target_measures_within_spec_in_ffmpeg() {
    let test = project(&recipe_with_cd());
    let dir = test.path();
    build(&dir, &["cd"]);
    let path = dir.join("out/cd.wav");
    assert_eq!(WavReader::open(&path).unwrap().format().frames, 3 * 44_100);
    assert_meets("cd", ffmpeg_loudness(&path), EBU_R128);
}

#[test]
fn the_examples_deliverables_read_in_ffprobe_and_soxi_and_meet_their_specs_in_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_example(dir.path());
    for (file, channels, rate, bits, mask) in EXPECTED {
        assert_deliverable(&out.join(file), channels, rate, bits, mask);
    }
    assert_example_meets_its_specs(&out, ffmpeg_loudness);
}
