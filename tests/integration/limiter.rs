//! `limiter on` measures again after limiting (issue 10, item 11): a
//! limited deliverable lands on its spec's loudness (measured as the spec
//! measures it) with its true peak under the ceiling, the build says what
//! the limiter did, and the bytes are the same whatever the thread count
//! and whether or not the bus's pass led the deliverable.

use std::{f64::consts::TAU, fs, path::Path};

use sndtrk::{
    audio::{ChannelLayout, SampleFormat},
    engine::{outcome::Status, progress::Silent, BuildOptions, Engine},
    project,
    project::config::Config,
};

use crate::{
    audio_support::{reference_loudness, write_wav},
    outputs::outputs,
    test::Test,
};

/// Quiet dialogue under loud, sparse transients: a print master (Netflix,
/// gated on dialogue, -27 LKFS under -2 dBTP) and a broadcast mix (EBU R128,
/// -23 LUFS under -1 dBTP) that both need their limiter. The broadcast mix
/// reads the print-master bus alone and is not gated, so the bus's pass
/// measures it; the print master is measured on its own, with its gate.
const RECIPE: &str = r#"import "std/layouts"
import "std/delivery/netflix"
import "std/delivery/ebu"

project "Transients" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }

stem dx { role dialogue layout 1.0 pan C file "stems/dx.wav" at 01:00:00:00 }
stem fx { role effects layout 2.0 file "stems/fx.wav" at 01:00:00:00 }

bus DX 5.1 { dx }
bus FX 5.1 { fx }
bus PM 5.1 { DX FX }

target pm { from PM layout 5.1 format wav 48kHz 24bit spec netflix.surround limiter on }
target broadcast { from PM layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 limiter on }
"#;

const RATE: u32 = 48_000;

/// The stems: 10 s of dialogue-like tone around -25 dBFS, and a 1.5 ms
/// burst of 3 kHz at -1 dBFS every 2 s.
fn write_stems(dir: &Path) {
    fs::create_dir_all(dir.join("stems")).unwrap();
    let frames = 10 * RATE as usize;
    let time = |n: usize| n as f64 / f64::from(RATE);
    let dx: Vec<f32> = (0..frames)
        .map(|n| {
            let t = time(n);
            (0.07 * (0.8 + 0.2 * (TAU * 3.0 * t).sin()) * (TAU * 300.0 * t).sin()) as f32
        })
        .collect();
    let fx: Vec<f32> = (0..frames)
        .flat_map(|n| {
            let t = time(n);
            let v = if t % 2.0 < 0.0015 {
                (0.9 * (TAU * 3000.0 * t).sin()) as f32
            } else {
                0.0
            };
            [v, v]
        })
        .collect();
    let int24 = SampleFormat::Int24;
    write_wav(
        &dir.join("stems/dx.wav"),
        &dx,
        ChannelLayout::mono(),
        int24,
        RATE,
        None,
    );
    write_wav(
        &dir.join("stems/fx.wav"),
        &fx,
        ChannelLayout::stereo(),
        int24,
        RATE,
        None,
    );
}

fn reel() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("sndtrk-limiter")
        .tempdir()
        .unwrap();
    fs::write(dir.path().join("soundtrack.sndtrk"), RECIPE).unwrap();
    write_stems(dir.path());
    dir
}

/// What the build says each limited target did.
const NOTES: [&str; 2] = [
    "target:pm limited: up to 0.5 dB gain reduction, true peak -2.1 dBTP, 2 passes",
    "target:broadcast limited: up to 5.6 dB gain reduction, true peak -1.1 dBTP, 3 passes",
];

#[test]
fn a_limited_deliverable_lands_on_its_loudness_under_its_ceiling_and_says_so() {
    let mut built = Vec::new();
    for jobs in ["1", "2"] {
        let reel = reel();
        let dir = reel.path();
        let ran = Test::at(dir).args(["build", "-j", jobs]).stderr_any().run();
        for note in NOTES {
            assert_eq!(
                ran.stderr.lines().filter(|line| *line == note).count(),
                1,
                "-j {jobs}: {note:?} in\n{}",
                ran.stderr
            );
        }
        // The independent meter: on the spec's loudness within 0.5 LU
        // (the print master's dialogue runs throughout, so its
        // dialogue-gated loudness is its integrated loudness), the true
        // peak at or under the ceiling.
        for (file, lufs, ceiling) in [("pm.wav", -27.0, -2.0), ("broadcast.wav", -23.0, -1.0)] {
            let (integrated, peak) = reference_loudness(&dir.join("out").join(file));
            assert!(
                (integrated - lufs).abs() <= 0.5,
                "{file} measures {integrated} LUFS, not {lufs}"
            );
            assert!(
                peak <= ceiling,
                "{file} peaks at {peak} dBTP over {ceiling}"
            );
        }
        built.push(outputs(dir));
    }
    assert!(built[0] == built[1], "-j 1 and -j 2 differ");
}

/// The broadcast mix is measured in the print-master bus's pass and
/// limited in its own run; without leading it measures itself. The bytes
/// and what the run notes are the same.
#[test]
fn a_limited_deliverable_is_the_same_led_or_not() {
    let mut results = Vec::new();
    for lead in [true, false] {
        let reel = reel();
        let dir = reel.path();
        let loaded = project::load(&Config::new(Some(dir.to_path_buf())))
            .unwrap_or_else(|_| panic!("the recipe loads"));
        let options = BuildOptions {
            lead,
            ..BuildOptions::default()
        };
        let mut engine = Engine::open(dir, |_| {}).unwrap();
        let report = engine.build(&loaded.graph, &options, &Silent).unwrap();
        assert!(report.succeeded(), "{:?}", report.failures);
        let broadcast = report.outcome("target:broadcast").unwrap();
        assert_eq!(broadcast.status, Status::Ran);
        assert_eq!(
            broadcast.led_by.as_deref(),
            lead.then_some("bus:PM"),
            "lead {lead}"
        );
        let notes: Vec<String> = ["target:pm", "target:broadcast"]
            .iter()
            .flat_map(|id| {
                let notes = &report.outcome(id).unwrap().notes;
                notes.iter().map(move |note| format!("{id} {note}"))
            })
            .collect();
        assert_eq!(notes, NOTES);
        drop(engine);
        results.push(outputs(dir));
    }
    assert!(results[0] == results[1], "leading changed the bytes");
}

/// A mix whose loudness is all in its peaks: more gain is all taken back
/// by the limiter, so the deliverable cannot land and is not delivered.
#[test]
fn a_limiter_that_cannot_reach_the_loudness_fails_with_e0612() {
    let dir = tempfile::Builder::new()
        .prefix("sndtrk-limiter")
        .tempdir()
        .unwrap();
    fs::write(
        dir.path().join("soundtrack.sndtrk"),
        r#"import "std/layouts"
import "std/delivery/ebu"
project "Clicks" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
stem fx { role effects layout 2.0 file "stems/fx.wav" at 01:00:00:00 }
bus FX 2.0 { fx }
target broadcast { from FX layout 2.0 format wav 48kHz 24bit spec ebu.r128 limiter on }
"#,
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("stems")).unwrap();
    // A 0.3 ms click of 3 kHz at -1 dBFS every half second, nothing else.
    let clicks: Vec<f32> = (0..10 * RATE as usize)
        .flat_map(|n| {
            let t = n as f64 / f64::from(RATE);
            let v = if t % 0.5 < 0.0003 {
                (0.9 * (TAU * 3000.0 * t).sin()) as f32
            } else {
                0.0
            };
            [v, v]
        })
        .collect();
    write_wav(
        &dir.path().join("stems/fx.wav"),
        &clicks,
        ChannelLayout::stereo(),
        SampleFormat::Int24,
        RATE,
        None,
    );
    let ran = Test::at(dir.path())
        .arg("build")
        .status(1)
        .stderr_any()
        .run();
    let after = ran
        .stderr
        .split_once(" skipped in ")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    assert_eq!(
        after,
        "target:broadcast failed:
E0612

  × normalising target `broadcast` to ebu.r128
  ╰─▶ limited to -1.0 dBTP, the programme measures -29.35 LUFS with its true
      peak at -1.10 dBTP after 2 passes (at +12.45 dB of gain, up to 12.7 dB
      of gain reduction); it must land within 0.1 LU of -23.0 LUFS under the
      ceiling
  help: the limiter takes back the gain that would reach this loudness (the
        loudness is in the peaks it holds down): reduce the peaks in the mix,
        lower the target loudness, or render the mix as it is with `normalize
        off`

not delivered out/broadcast.wav: target:broadcast failed
0 delivered, 1 not delivered
",
        "{}",
        ran.stderr
    );
    assert!(ran
        .stderr
        .contains("\nfailed target:broadcast: normalising target `broadcast` to ebu.r128\n"));
    assert!(!dir.path().join("out/broadcast.wav").exists());
}
