//! The projects the build tests render, and what their deliverables must
//! be: the small project of `build.rs` ([`RECIPE`]) and a copy of the
//! example project, built by the binary; the default tests read the
//! deliverables with the parser and meter of `reference.rs`,
//! `interop::build` with ffprobe, soxi and ffmpeg.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use sndtrk::audio::{ChannelLayout, SampleFormat};

use super::{s, test_signal, write_wav};
use crate::test::Test;

/// The small project: a mono dialogue stem from a file, generated effects
/// and two score cues, four 5.1 buses, a 5.1 and a stereo target to Netflix's
/// specs, a stereo target to EBU R128 and a score album at 44.1 kHz 16-bit.
pub const RECIPE: &str = r#"import "std/layouts"
import "std/delivery/netflix"
import "std/delivery/ebu"
import "std/delivery/album"

project "Small" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

stem dx {
    role dialogue
    layout 1.0
    pan C
    file "stems/dx.wav"
    at 01:00:00:00
}

stem fx {
    role effects
    layout 5.1
    noise pink -36dBFS for 3s
    at 01:00:00:00
}

cue 1M1 "Theme" {
    type score
    usage BI writer "Ana Ruiz" society ASCAP share 100% publisher "Small Music" society ASCAP share 100%
    tone 220Hz -24dBFS for 2s
    at 01:00:00:12
    fade in 500ms out 500ms
    gain 0dB
}

cue 2M1 "Coda" {
    type score
    usage BI writer "Ana Ruiz" society ASCAP share 100% publisher "Small Music" society ASCAP share 100%
    tone 440Hz -26dBFS for 2s
    at 01:00:01:00
}

bus DX 5.1 { dx }
bus MX 5.1 { cues }
bus FX 5.1 { fx }
bus PM 5.1 { DX MX FX }

target pm {
    from PM
    layout 5.1
    format wav 48kHz 24bit
    spec netflix.surround
}

target stereo {
    from PM
    layout 2.0 downmix loro
    format wav 48kHz 24bit
    spec netflix.stereo
}

target broadcast {
    from PM
    layout 2.0 downmix loro
    format wav 48kHz 24bit
    spec ebu.r128
}

album ost "Small (Original Score)" {
    kind score
    track 1M1 edit film
    track 2M1
    format wav 44.1kHz 16bit
    spec album.streaming
}
"#;

/// The small project: `recipe` (such as [`RECIPE`]) and a 3 s mono
/// dialogue stem.
pub fn project(recipe: &str) -> Test {
    let test = Test::new().recipe(recipe);
    let dx = test.path().join("stems/dx.wav");
    fs::create_dir_all(dx.parent().unwrap()).unwrap();
    write_wav(
        &dx,
        &test_signal(1, 144_000, 48_000),
        ChannelLayout::mono(),
        SampleFormat::Int24,
        48_000,
        None,
    );
    test
}

/// Runs `sndtrk ARGS` in `dir` and returns (status, stdout, stderr).
pub fn sndtrk(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let ran = Test::at(dir)
        .args(args.iter().copied())
        .status_any()
        .stdout_any()
        .stderr_any()
        .run();
    (ran.status, ran.stdout, ran.stderr)
}

/// Builds with JSON progress; returns each stage's status.
pub fn build(dir: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let mut args = vec!["build", "--format", "json"];
    args.extend_from_slice(extra);
    let (status, stdout, stderr) = sndtrk(dir, &args);
    assert_eq!(status, 0, "build failed\n{stdout}\n{stderr}");
    statuses(&stdout)
}

/// Every stage a JSON progress or plan listing gives, with its status (a
/// build's last line, its summary object, names no stage).
pub fn statuses(json_lines: &str) -> BTreeMap<String, String> {
    json_lines
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|value| value.get("summary").is_none())
        .map(|value| {
            (
                value["stage"].as_str().unwrap().to_owned(),
                value["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// [`RECIPE`] with a target `cd` resampled to 44.1 kHz 16-bit, to EBU R128.
pub fn recipe_with_cd() -> String {
    format!(
        "{RECIPE}\ntarget cd {{\n    from PM\n    layout 2.0 downmix loro\n    format wav 44.1kHz 16bit\n    spec ebu.r128\n}}\n"
    )
}

/// (file, channels, rate, bits, channel mask) of the deliverables of
/// [`RECIPE`] (one album track of two).
pub const DELIVERABLES: [(&str, usize, u32, u16, u32); 4] = [
    ("pm.wav", 6, 48_000, 24, 0x60F),
    ("stereo.wav", 2, 48_000, 24, 0x3),
    ("broadcast.wav", 2, 48_000, 24, 0x3),
    ("ost/01 Theme.wav", 2, 44_100, 16, 0x3),
];

/// A spec's loudness: integrated target (LUFS), tolerance (LU) and
/// true-peak ceiling (dBTP).
pub type Spec = (f64, f64, f64);

/// `std/delivery/ebu`'s `ebu.r128`: -23 LUFS ±0.5 LU, true peak -1 dBTP.
pub const EBU_R128: Spec = (-23.0, 0.5, -1.0);

/// `std/delivery/netflix`'s stereo and surround: -27 LUFS ±2 LU, -2 dBTP.
pub const NETFLIX: Spec = (-27.0, 2.0, -2.0);

/// Asserts that `what`, measured as (integrated LUFS, true peak dBTP),
/// meets `spec`.
pub fn assert_meets(
    what: &str,
    (integrated, peak): (f64, f64),
    (target, tolerance, ceiling): Spec,
) {
    assert!(
        (integrated - target).abs() <= tolerance,
        "{what} measures {integrated} LUFS"
    );
    assert!(peak <= ceiling, "{what} peaks at {peak} dBTP");
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "out" || name == ".sndtrk" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(name));
        } else {
            fs::copy(entry.path(), to.join(name)).unwrap();
        }
    }
}

/// (file, channels, rate, bits, channel mask) of every deliverable of the
/// example.
pub const EXPECTED: [(&str, usize, u32, u16, u32); 6] = [
    ("print_master.wav", 6, 48_000, 24, 0x60F),
    ("stereo.wav", 2, 48_000, 24, 0x3),
    ("broadcast.wav", 2, 48_000, 24, 0x3),
    ("me.wav", 6, 48_000, 24, 0x60F),
    ("ost/01 Harbor Lights.wav", 2, 44_100, 16, 0x3),
    ("ost/02 Ocean Drive.wav", 2, 44_100, 16, 0x3),
];

/// (file, spec) of the example's loudness-normalised deliverables.
pub const SPECS: [(&str, Spec); 3] = [
    ("print_master.wav", NETFLIX),
    ("stereo.wav", NETFLIX),
    ("broadcast.wav", EBU_R128),
];

/// Builds a copy of the example in `dir`; returns its `out/`.
pub fn build_example(dir: &Path) -> PathBuf {
    let project = dir.join("night-harbor");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/night-harbor"),
        &project,
    );
    let ran = Test::at(dir)
        .args(["-C", s(&project), "build"])
        .stderr_any()
        .run();
    let stderr = ran.stderr;
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("24 ran, 0 fresh in ")),
        "{stderr}"
    );
    project.join("out")
}

/// Asserts that the example's deliverables in `out` meet their specs as
/// `meter` measures them (integrated LUFS, true peak dBTP), and that the
/// M&E peaks under -1 dBTP.
pub fn assert_example_meets_its_specs(out: &Path, meter: impl Fn(&Path) -> (f64, f64)) {
    for (file, spec) in SPECS {
        assert_meets(file, meter(&out.join(file)), spec);
    }
    let (_, me_peak) = meter(&out.join("me.wav"));
    assert!(me_peak <= -1.0, "me.wav: {me_peak} dBTP");
}
