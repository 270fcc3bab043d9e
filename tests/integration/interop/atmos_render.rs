//! sndtrk's re-renders of an immersive scene against the EBU ADM Renderer
//! (PyPI `ear` 2.1.0, the ITU-R BS.2127 reference) rendering the scene's
//! ADM BWF master: the scene of `adm.rs` (a 7.1.2 bed of dialogue and
//! ambience, a static object, a moving object, a jump), its master
//! rendered by ear to 4+7+0 and 0+5+0 with no error or warning, and
//! sndtrk's own 7.1.4 and 5.1 re-renders (`from harbor layout 7.1.4`, in
//! floats) nulling against ear's below -80 dBFS on every channel.
//!
//! ear runs in `SNDTRK_TEST_PYTHON` (`.ci/run` makes the virtual
//! environment) with `scripts/ear_render_master.py`, which works around
//! the three known differences between ear 2.1.0 and the Dolby profile in
//! a temporary copy and in its own process, never in the master.

use std::{path::Path, process::Command};

use sndtrk::audio::bs2127::TargetLayout;

use crate::adm::{build, RERENDERS};

fn python() -> String {
    std::env::var("SNDTRK_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "SNDTRK_TEST_PYTHON is not set: this test runs the EBU ADM Renderer \
             (pip install ear==2.1.0) in that Python (`bash .ci/run` creates the virtual environment)"
        )
    })
}

/// ear's render of the master at `master` to `layout` (BS.2051 name):
/// its channels' names and its frames, as floats.
fn ear_render(master: &Path, layout: &str, dir: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/integration/interop/scripts/ear_render_master.py"
    );
    let out = dir.join(format!("ear-{layout}.wav"));
    let ran = Command::new(python())
        .arg(script)
        .arg(master)
        .arg(layout)
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e})", python()));
    assert!(
        ran.status.success(),
        "ear failed on the master for {layout}: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(
        ran.stderr.is_empty() && ran.stdout.is_empty(),
        "ear printed for {layout}: {}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    let names: Vec<String> =
        serde_json::from_slice(&std::fs::read(out.with_extension("wav.json")).unwrap()).unwrap();
    let mut reader = hound::WavReader::open(&out).unwrap();
    let spec = reader.spec();
    assert_eq!(usize::from(spec.channels), names.len());
    let scale = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Int, bits) => f64::from((1u32 << (bits - 1)) - 1),
        (hound::SampleFormat::Float, _) => 1.0,
    };
    let samples: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Int => reader
            .samples::<i32>()
            .map(|s| f64::from(s.unwrap()) / scale)
            .collect(),
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| f64::from(s.unwrap()))
            .collect(),
    };
    let frames = samples
        .chunks_exact(names.len())
        .map(<[f64]>::to_vec)
        .collect();
    (names, frames)
}

fn floats(bytes: &[u8]) -> Vec<Vec<f64>> {
    let mut reader = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
    let channels = usize::from(reader.spec().channels);
    let samples: Vec<f64> = reader
        .samples::<f32>()
        .map(|s| f64::from(s.unwrap()))
        .collect();
    samples
        .chunks_exact(channels)
        .map(<[f64]>::to_vec)
        .collect()
}

#[test]
fn the_re_renders_null_against_ear_s_renders_of_the_master() {
    let master = build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atmos.wav");
    std::fs::write(&path, &master.bytes).unwrap();
    for (name, layout) in RERENDERS {
        let mut worst = f64::NEG_INFINITY;
        let target = TargetLayout::named(layout).unwrap();
        let (names, theirs) = ear_render(&path, target.bs2051_name(), dir.path());
        let ours = floats(&master.renders[name]);
        assert_eq!(ours.len(), theirs.len(), "{name}: frames");
        assert_eq!(names.len(), target.channels(), "{name}: channels");
        for (channel, speaker) in target.speakers().iter().enumerate() {
            let theirs_at = names
                .iter()
                .position(|n| n == speaker.bs2051)
                .unwrap_or_else(|| panic!("ear has no {} in {names:?}", speaker.bs2051));
            let mut residual = 0.0f64;
            let mut signal = 0.0f64;
            for (a, b) in ours.iter().zip(&theirs) {
                residual = residual.max((a[channel] - b[theirs_at]).abs());
                signal = signal.max(a[channel].abs());
            }
            let db = 20.0 * residual.max(1e-12).log10();
            worst = worst.max(db);
            assert!(
                db < -80.0,
                "{name}: {} ({}) differs from ear's by {db:.1} dBFS",
                speaker.label,
                speaker.bs2051
            );
            // A channel the scene reaches: the null is not of silence.
            assert!(
                signal > 0.0 || speaker.lfe,
                "{name}: {} is silent",
                speaker.label
            );
        }
        eprintln!("{name}: the worst channel nulls against ear at {worst:.1} dBFS");
    }
}
