//! A cue used more than once: each `at` is one use, played with the cue's
//! trims, fades and gain at its own place, its own `to` bounding that use
//! only; each use is a row of the cue sheet.

use std::f64::consts::TAU;

use crate::{audio_support::read_wav, test::Test};

const RATE: f64 = 48_000.0;

/// 1M1 at 01:00:00:00 and again at 01:00:04:00, cut to 12 frames (0.5 s)
/// there; 2M1 between the two. Stereo at 32-bit float, no spec: the
/// deliverable is the bus as summed.
const RECIPE: &str = r#"import "std/layouts"

project "Reprise" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

cue 1M1 "Harbor Lights" {
    type score
    usage BI writer "Ana Ruiz" society ASCAP share 100% publisher "Harbor Music" society ASCAP share 100%
    tone 100Hz -20dBFS for 1s
    at 01:00:00:00
    at 01:00:04:00 to 01:00:04:12
    fade in 100ms out 200ms linear
    gain -3dB
}

cue 2M1 "Pier" {
    type score
    usage BI writer "Ana Ruiz" society ASCAP share 100% publisher "Harbor Music" society ASCAP share 100%
    tone 300Hz -20dBFS for 1s
    at 01:00:02:00
}

bus MX 2.0 { cues }

target stereo {
    from MX
    layout 2.0
    format wav 48kHz 32bit float
}
"#;

/// The tone of `frequency` Hz at `level` dBFS as the generator makes it,
/// `frames` long, faded in and out linearly over `fade_in` and `fade_out`
/// frames, at `gain` dB.
fn tone(frequency: f64, level: f64, frames: usize, fades: (usize, usize), gain: f64) -> Vec<f64> {
    let amplitude = 10f64.powf(level / 20.0) * 10f64.powf(gain / 20.0);
    (0..frames)
        .map(|n| {
            let mut fade = 1.0;
            if n < fades.0 {
                fade *= n as f64 / fades.0 as f64;
            }
            if n + fades.1 >= frames {
                fade *= (frames - n - 1) as f64 / fades.1 as f64;
            }
            amplitude * fade * (TAU * (frequency * n as f64 / RATE).fract()).sin()
        })
        .collect()
}

#[test]
fn a_cue_used_twice_plays_at_both_places_and_each_to_bounds_its_own_use() {
    let ran = Test::new().recipe(RECIPE).arg("build").stderr_any().run();
    let samples = read_wav(&ran.path().join("out/stereo.wav"));
    // From the first use's start to the end of the second use, 4.5 s.
    assert_eq!(samples.len(), 2 * 216_000);
    let mut expected = vec![0.0f64; 216_000];
    let first = tone(100.0, -20.0, 48_000, (4_800, 9_600), -3.0);
    // `to` cuts the second use to 0.5 s; it is faded out at its own end.
    let second = tone(100.0, -20.0, 24_000, (4_800, 9_600), -3.0);
    let pier = tone(300.0, -20.0, 48_000, (0, 0), 0.0);
    for (start, window) in [(0, &first), (96_000, &pier), (192_000, &second)] {
        for (n, value) in window.iter().enumerate() {
            expected[start + n] += value;
        }
    }
    for (frame, want) in expected.iter().enumerate() {
        for channel in 0..2 {
            let got = f64::from(samples[2 * frame + channel]);
            assert!(
                (got - want).abs() < 1e-5,
                "frame {frame} channel {channel}: {got} against {want}"
            );
        }
    }
}

#[test]
fn each_use_is_a_row_of_the_cue_sheet_in_timecode_order() {
    let ran = Test::new()
        .recipe(RECIPE)
        .arg("cuesheet")
        .stdout_any()
        .run();
    let rows: Vec<Vec<&str>> = ran
        .stdout
        .lines()
        .skip(1)
        .map(|line| line.split(',').take(8).collect())
        .collect();
    assert_eq!(
        rows,
        [
            [
                "1M1",
                "Harbor Lights",
                "score",
                "BI",
                "01:00:00:00",
                "01:00:01:00",
                "00:00:01:00",
                "1.000"
            ],
            [
                "2M1",
                "Pier",
                "score",
                "BI",
                "01:00:02:00",
                "01:00:03:00",
                "00:00:01:00",
                "1.000"
            ],
            [
                "1M1",
                "Harbor Lights",
                "score",
                "BI",
                "01:00:04:00",
                "01:00:04:12",
                "00:00:00:12",
                "0.500"
            ],
        ]
    );
    let ran = Test::new()
        .recipe(RECIPE)
        .args(["cuesheet", "--format", "json"])
        .stdout_any()
        .run();
    let sheet: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let timings: Vec<(&str, &str, &str)> = sheet["cues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["cue"].as_str().unwrap(),
                row["in"].as_str().unwrap(),
                row["duration"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        timings,
        [
            ("1M1", "01:00:00:00", "00:00:01:00"),
            ("2M1", "01:00:02:00", "00:00:01:00"),
            ("1M1", "01:00:04:00", "00:00:00:12"),
        ]
    );
}

#[test]
fn two_uses_of_a_noise_cue_are_the_same_noise() {
    let recipe = r#"import "std/layouts"

project "Reprise" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

cue 1M1 "Wind" {
    type score
    usage BI writer "Ana Ruiz" society ASCAP share 100% publisher "Harbor Music" society ASCAP share 100%
    noise pink -30dBFS for 1s
    at 01:00:00:00
    at 01:00:02:00
}

bus MX 2.0 { cues }

target stereo {
    from MX
    layout 2.0
    format wav 48kHz 32bit float
}
"#;
    let ran = Test::new().recipe(recipe).arg("build").stderr_any().run();
    let samples = read_wav(&ran.path().join("out/stereo.wav"));
    assert_eq!(samples.len(), 2 * 144_000);
    let (first, second) = (&samples[..96_000], &samples[2 * 96_000..]);
    assert!(first.iter().any(|sample| *sample != 0.0));
    assert_eq!(first, second);
    assert!(samples[96_000..2 * 96_000]
        .iter()
        .all(|sample| *sample == 0.0));
}

#[test]
fn two_uses_on_one_frame_are_e0340() {
    let recipe = RECIPE.replace("at 01:00:04:00 to", "at 01:00:00:00 to");
    Test::new()
        .recipe(&recipe)
        .arg("check")
        .status(1)
        .stderr_contains("E0340")
        .stderr_contains("two uses start at 01:00:00:00")
        .run();
}
