//! `sndtrk measure` against ffmpeg's `ebur128` filter.

use crate::{
    interop::tools::ffmpeg_summary,
    measure::{maskless_wav, programme_wav},
    test::Test,
};

fn agrees_with_ffmpeg(channels: u16, sample_rate: u32, bits: u16, cutoff_hz: f64) {
    let ran = Test::new()
        .write(
            "programme.wav",
            programme_wav(channels, sample_rate, bits, cutoff_hz),
        )
        .args(["measure", "--format", "json", "programme.wav"])
        .stdout_any()
        .run();
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let ours = |key: &str| json[0][key].as_f64().unwrap();
    let (i, lra, peak) = ffmpeg_summary(&ran.path().join("programme.wav"));
    for (what, ours, theirs) in [
        ("integrated", ours("integrated_lufs"), i),
        ("LRA", ours("lra_lu"), lra),
        ("true peak", ours("true_peak_dbtp"), peak),
    ] {
        assert!(
            (ours - theirs).abs() <= 0.1,
            "{channels} ch {sample_rate} Hz {what}: sndtrk {ours}, ffmpeg {theirs}"
        );
    }
}

#[test]
fn agrees_with_ffmpeg_on_5_1_programme() {
    agrees_with_ffmpeg(6, 48_000, 24, 5000.0);
}

#[test]
fn agrees_with_ffmpeg_on_bright_5_1_programme() {
    // Noise reaching up to 18 kHz: the true peak depends on the quality of
    // the interpolation filter near Nyquist.
    agrees_with_ffmpeg(6, 48_000, 24, 18_000.0);
}

#[test]
fn agrees_with_ffmpeg_on_stereo_programme_at_44k1() {
    agrees_with_ffmpeg(2, 44_100, 16, 5000.0);
}

#[test]
fn maskless_files_are_weighted_as_ffmpeg_weighs_them() {
    // Channel by channel, so a wrong weight (LFE, surround) shows: ffmpeg
    // prints -70 LUFS where it leaves a channel out, sndtrk null.
    for channels in [3u16, 4, 5, 6, 7, 8] {
        for active in 0..channels {
            let ran = Test::new()
                .write("x.wav", maskless_wav(channels, active))
                .args(["measure", "--format", "json", "x.wav"])
                .stdout_any()
                .run();
            let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
            let ours = json[0]["integrated_lufs"].as_f64().unwrap_or(-70.0);
            let (theirs, _, _) = ffmpeg_summary(&ran.path().join("x.wav"));
            assert!(
                (ours - theirs).abs() <= 0.1,
                "{channels} channels, signal in channel {active}: sndtrk {ours}, ffmpeg {theirs}"
            );
        }
    }
}
