//! sndtrk's ITU-R BS.2127 renderer (`sndtrk::audio::bs2127`) against the
//! EBU ADM Renderer (PyPI `ear` 2.1.0, the Recommendation's reference
//! implementation): object gains for a grid of cartesian positions and
//! the gains of every Dolby profile bed channel, into 4+7+0, 2+5+0,
//! 0+7+0, 0+5+0 and 0+2+0, agreeing to 1e-6.
//!
//! ear runs in the Python named by `SNDTRK_TEST_PYTHON` (a virtual
//! environment's interpreter; `.ci/run` creates one with ear in it), with
//! `scripts/ear_gains.py`; without it the test fails, naming the variable.

use std::{io::Write, process::Command};

use serde_json::{json, Value};
use sndtrk::audio::bs2127::{
    bed_channel_gains, bed_labels, object_gains, BedChannel, Position, TargetLayout,
};

fn python() -> String {
    std::env::var("SNDTRK_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "SNDTRK_TEST_PYTHON is not set: the BS.2127 interop test runs the EBU ADM Renderer \
             (pip install ear==2.1.0) in that Python (`bash .ci/run` creates the virtual environment)"
        )
    })
}

/// ear's gains for `cases`, each as {BS.2051 name: gain}.
fn ear_gains(cases: &[Value]) -> Vec<serde_json::Map<String, Value>> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/integration/interop/scripts/ear_gains.py"
    );
    let mut child = Command::new(python())
        .args(["-W", "ignore", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e})", python()));
    let input = serde_json::to_vec(cases).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ear_gains.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    parsed
        .into_iter()
        .map(|v| v.as_object().cloned().unwrap())
        .collect()
}

fn compare(
    layout: TargetLayout,
    ours: &[f64],
    theirs: &serde_json::Map<String, Value>,
    what: &str,
) {
    assert_eq!(
        theirs.len(),
        layout.channels(),
        "{what}: ear's channel count"
    );
    for (speaker, g) in layout.speakers().iter().zip(ours) {
        let e = theirs
            .get(speaker.bs2051)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("{what}: ear has no {}", speaker.bs2051));
        assert!(
            (g - e).abs() < 1e-6,
            "{what} in {}: {} ({}) is {g} here, {e} in ear",
            layout.name(),
            speaker.label,
            speaker.bs2051
        );
    }
}

#[test]
fn object_gains_match_ear() {
    let steps = [-1.0, -0.8, -0.5, -0.2, 0.0, 0.1, 0.45, 0.7, 1.0];
    let heights = [0.0, 0.3, 0.5, 1.0];
    let mut positions = Vec::new();
    for &x in &steps {
        for &y in &steps {
            for &z in &heights {
                positions.push(Position::new(x, y, z));
            }
        }
    }
    // Outside the cube (clipped) and with a gain.
    positions.push(Position::new(1.4, -1.2, 1.3));
    positions.push(Position::new(-2.0, 0.5, -0.5));
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for layout in TargetLayout::ALL {
        for (i, p) in positions.iter().enumerate() {
            let gain = if i % 7 == 3 { 0.5 } else { 1.0 };
            cases.push(json!({
                "layout": layout.bs2051_name(),
                "kind": "object",
                "position": [p.x, p.y, p.z],
                "gain": gain,
            }));
            ours.push((layout, *p, object_gains(layout, *p, gain).unwrap()));
        }
    }
    let theirs = ear_gains(&cases);
    assert_eq!(theirs.len(), ours.len());
    for ((layout, p, g), e) in ours.iter().zip(&theirs) {
        compare(*layout, g, e, &format!("object at {p:?}"));
    }
}

#[test]
fn bed_channel_gains_match_ear() {
    let mut labels: Vec<&str> = Vec::new();
    for (_, bed) in bed_labels::PROFILE_BEDS {
        for label in bed.iter() {
            if !labels.contains(label) {
                labels.push(label);
            }
        }
    }
    assert_eq!(labels.len(), 12, "every profile bed channel");
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for layout in TargetLayout::ALL {
        for label in &labels {
            let channel = BedChannel::profile(label).unwrap();
            let p = channel.position;
            cases.push(json!({
                "layout": layout.bs2051_name(),
                "kind": "bed",
                "label": channel.label,
                "position": [p.x, p.y, p.z],
                "lfe": channel.label == "RC_LFE",
            }));
            ours.push((
                layout,
                channel.clone(),
                bed_channel_gains(layout, &channel).unwrap(),
            ));
        }
    }
    let theirs = ear_gains(&cases);
    assert_eq!(theirs.len(), ours.len());
    for ((layout, channel, g), e) in ours.iter().zip(&theirs) {
        compare(*layout, g, e, &format!("bed channel {}", channel.label));
    }
}

/// ear's render of one object, {BS.2051 name: samples}.
fn ear_object_render(case: &Value) -> serde_json::Map<String, Value> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/integration/interop/scripts/ear_object_render.py"
    );
    let mut child = Command::new(python())
        .args(["-W", "ignore", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e})", python()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&serde_json::to_vec(case).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ear_object_render.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_object()
        .cloned()
        .unwrap()
}

#[test]
fn object_renders_with_interpolation_match_ear_sample_by_sample() {
    use sndtrk::audio::bs2127::{render_object, ObjectBlock};
    let rate = 48_000u64;
    let frames = 3000usize;
    let signal: Vec<f32> = (0..frames)
        .map(|n| (0.6 * (n as f64 * 0.031).sin() + 0.2 * (n as f64 * 0.0047).cos()) as f32)
        .collect();
    // The Dolby profile's form (jumps with interpolationLength 0 on the
    // first block, 0.005208 s after: 249.984 frames), blocks without a jump
    // (interpolated over the whole block), a gap, block gains.
    let interp = "0.005208";
    let interp_frames = 0.005208 * rate as f64;
    let p = Position::new;
    let blocks = [
        (
            ObjectBlock::new(0, 400, p(-1.0, 1.0, 0.0)).with_jump(0.0),
            "0",
        ),
        (
            ObjectBlock::new(400, 512, p(-0.3, 0.4, 0.2)).with_jump(interp_frames),
            interp,
        ),
        (ObjectBlock::new(912, 300, p(0.5, -0.6, 0.9)), "0"),
        (
            ObjectBlock::new(1212, 300, p(1.0, -1.0, 1.0)).with_gain(0.7),
            "0",
        ),
        (
            ObjectBlock::new(1600, 700, p(0.2, 0.9, 0.0)).with_jump(interp_frames),
            interp,
        ),
        (
            ObjectBlock::new(2300, 600, p(-0.8, -0.1, 0.6))
                .with_jump(interp_frames)
                .with_gain(0.5),
            interp,
        ),
    ];
    for layout in [
        TargetLayout::Surround714,
        TargetLayout::Surround51,
        TargetLayout::Stereo,
    ] {
        let mut out = vec![vec![0.0f32; frames]; layout.channels()];
        let ours: Vec<ObjectBlock> = blocks.iter().map(|(b, _)| *b).collect();
        render_object(layout, &signal, &ours, &mut out).unwrap();
        let case = json!({
            "layout": layout.bs2051_name(),
            "rate": rate,
            "signal": signal.iter().map(|&x| f64::from(x)).collect::<Vec<_>>(),
            "blocks": blocks.iter().map(|(b, interpolation)| json!({
                "start": b.start,
                "duration": b.duration,
                "position": [b.position.x, b.position.y, b.position.z],
                "gain": b.gain,
                "jump": b.jump,
                "interpolation": interpolation,
            })).collect::<Vec<_>>(),
        });
        let theirs = ear_object_render(&case);
        let mut compared = 0usize;
        for (speaker, channel) in layout.speakers().iter().zip(&out) {
            let e = theirs
                .get(speaker.bs2051)
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("ear has no {}", speaker.bs2051));
            assert_eq!(e.len(), frames);
            for (n, (g, e)) in channel.iter().zip(e).enumerate() {
                let e = e.as_f64().unwrap();
                assert!(
                    (f64::from(*g) - e).abs() < 1e-6,
                    "{} {} frame {n}: {g} here, {e} in ear",
                    layout.name(),
                    speaker.label
                );
                if e != 0.0 {
                    compared += 1;
                }
            }
        }
        assert!(
            compared > frames,
            "{}: the render is not silent",
            layout.name()
        );
    }
}
