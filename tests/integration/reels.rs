//! Reels and the long play: the long play joins the reels in timecode
//! order, each from its `start` up to its `end`, sample-accurate and
//! without gaps; what lies outside every reel is not in it; a clip past
//! its reel's end is cut there; a reel's target is that reel of the long
//! play, stamped with the reel's start. A project without reels may end its
//! programme with `end`. Every expectation is computed here from the
//! generators' definition (a tone's sample `n` is `a·sin(2π f n / rate)`).

use std::path::Path;

use sndtrk::audio::WavReader;

use crate::{
    audio_support::{hound_ints, read_wav},
    test::Test,
};

/// One frame at 23.976 fps, in samples at 48 kHz (48000 × 1001 / 24000).
const FRAME: usize = 2002;

const TWO_REELS: &str = r#"import "std/layouts"

project "Two Reels" {
    frame_rate 23.976
    sample_rate 48kHz
    picture_start 01:00:00:00
}

reel R2 { start 02:00:00:00 end 02:00:03:12 }
reel R1 { start 01:00:00:00 end 01:00:04:00 }

stem pop { role sync layout 1.0 tone 1kHz -20dBFS for 1f at 00:59:58:00 }
stem a { role effects layout 1.0 tone 440Hz -20dBFS for 2s at 01:00:01:00 }
stem b { role effects layout 1.0 tone 550Hz -20dBFS for 2s at 01:00:03:00 }
stem between { role effects layout 1.0 tone 330Hz -20dBFS for 1s at 01:30:00:00 }
stem c { role effects layout 1.0 tone 660Hz -20dBFS for 1s at 02:00:00:12 }

bus FX 1.0 { pop a b between c }

target lp { from FX layout 1.0 format wav 48kHz 32bit float }
target r2 { from FX layout 1.0 format wav 48kHz 32bit float reel R2 }
target lp24 { from FX layout 1.0 format wav 48kHz 24bit }
target r2_24 { from FX layout 1.0 format wav 48kHz 24bit reel R2 }
"#;

/// Adds `frames` of a tone of `hz` at `dbfs` at `offset` of `signal`.
fn add_tone(signal: &mut [f64], offset: usize, frames: usize, hz: f64, dbfs: f64) {
    let amplitude = 10f64.powf(dbfs / 20.0);
    for n in 0..frames {
        signal[offset + n] += amplitude * (std::f64::consts::TAU * hz * n as f64 / 48_000.0).sin();
    }
}

fn assert_samples(actual: &[f32], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (n, (&actual, &expected)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (f64::from(actual) - expected).abs() < 2e-6,
            "{what}: sample {n} is {actual}, expected {expected}"
        );
    }
}

fn time_reference(path: &Path) -> Option<u64> {
    WavReader::open(path).unwrap().format().time_reference
}

#[test]
fn the_long_play_joins_the_reels_and_a_reel_target_is_its_reel() {
    let ran = Test::new()
        .recipe(TWO_REELS)
        .arg("build")
        .stderr_any()
        .run();
    assert!(ran.stderr.contains("C007"), "{}", ran.stderr);
    let out = ran.path().join("out");
    let (r1, r2) = (96 * FRAME, 84 * FRAME);
    let mut expected = vec![0.0f64; r1 + r2];
    // a: 24 frames into reel 1, whole.
    add_tone(&mut expected, 24 * FRAME, 96_000, 440.0, -20.0);
    // b: 72 frames into reel 1, cut at its end.
    add_tone(&mut expected, 72 * FRAME, r1 - 72 * FRAME, 550.0, -20.0);
    // c: 12 frames into reel 2, which starts where reel 1 ends.
    add_tone(&mut expected, r1 + 12 * FRAME, 48_000, 660.0, -20.0);
    // The 2-pop before reel 1 and the stem between the reels are not there.
    let lp = read_wav(&out.join("lp.wav"));
    assert_samples(&lp, &expected, "the long play");
    // 01:00:00:00 at 23.976: 86,400 frames of 2002 samples.
    assert_eq!(time_reference(&out.join("lp.wav")), Some(172_972_800));
    let reel = read_wav(&out.join("r2.wav"));
    assert_eq!(reel, lp[r1..], "reel 2 is the long play's second reel");
    assert_eq!(time_reference(&out.join("r2.wav")), Some(2 * 172_972_800));
    // Dithered to 24 bits, the reel is the long play's reel to the bit:
    // the dither follows the long play.
    let lp24 = hound_ints(&out.join("lp24.wav"));
    assert_eq!(lp24.len(), r1 + r2);
    assert_eq!(hound_ints(&out.join("r2_24.wav")), lp24[r1..]);
}

#[test]
fn without_reels_the_programme_ends_at_its_end() {
    let recipe = r#"import "std/layouts"

project "One Stretch" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
    end 01:00:03:00
}

stem a { role effects layout 1.0 tone 440Hz -20dBFS for 2s at 01:00:00:00 }
stem b { role effects layout 1.0 tone 550Hz -20dBFS for 2s at 01:00:02:00 }

bus FX 1.0 { a b }

target lp { from FX layout 1.0 format wav 48kHz 32bit float }
"#;
    let ran = Test::new().recipe(recipe).arg("build").stderr_any().run();
    assert!(ran.stderr.contains("C007"), "{}", ran.stderr);
    let mut expected = vec![0.0f64; 3 * 48_000];
    add_tone(&mut expected, 0, 96_000, 440.0, -20.0);
    add_tone(&mut expected, 96_000, 48_000, 550.0, -20.0);
    let lp = read_wav(&ran.path().join("out/lp.wav"));
    assert_samples(&lp, &expected, "the programme");
}

/// A reel's target normalised to a dialogue-gated spec gates on its own
/// reel's dialogue, and meets the spec (the build's D004 check).
#[test]
fn a_reel_target_gates_on_its_reels_dialogue() {
    let recipe = r#"import "std/layouts"
import "std/delivery/netflix"

project "Gated Reels" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

reel R1 { start 01:00:00:00 end 01:00:04:00 }
reel R2 { start 02:00:00:00 end 02:00:04:00 }

stem dx1 { role dialogue layout 1.0 pan C noise pink -30dBFS for 4s at 01:00:00:00 }
stem dx2 { role dialogue layout 1.0 pan C noise pink -20dBFS for 4s at 02:00:00:00 }
stem fx { role effects layout 5.1 noise pink -40dBFS for 4s at 02:00:00:00 }

bus DX 5.1 { dx1 dx2 }
bus FX 5.1 { fx }
bus PM 5.1 { DX FX }

target pm_r1 { from PM layout 5.1 format wav 48kHz 24bit spec netflix.surround reel R1 }
target pm_r2 { from PM layout 5.1 format wav 48kHz 24bit spec netflix.surround reel R2 }
target pm { from PM layout 5.1 format wav 48kHz 24bit spec netflix.surround }
"#;
    let ran = Test::new().recipe(recipe).arg("build").stderr_any().run();
    assert_eq!(ran.status, 0, "{}", ran.stderr);
    let out = ran.path().join("out");
    for (name, frames) in [("pm_r1", 192_000), ("pm_r2", 192_000), ("pm", 384_000)] {
        let reader = WavReader::open(out.join(format!("{name}.wav"))).unwrap();
        assert_eq!(reader.format().frames, frames, "{name}");
    }
}
