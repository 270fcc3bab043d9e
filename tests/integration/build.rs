//! `sndtrk build`, `plan` and `graph` on a small project: every deliverable
//! rendered with the header and loudness its spec asks for (read by the
//! parser and meter in `reference.rs`; `interop::build` repeats this with
//! sox and ffmpeg), incremental rebuilds that run exactly what is stale, cache
//! restores, determinism across `-j`, and recovery from a killed build.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use sndtrk::audio::WavReader;

use crate::{
    audio_support::{
        assert_deliverable,
        project::{
            assert_meets, build, project, recipe_with_cd, sndtrk, DELIVERABLES, EBU_R128, RECIPE,
        },
        reference_loudness,
    },
    outputs::outputs,
    test::Test,
};

fn ran(statuses: &BTreeMap<String, String>) -> Vec<&str> {
    statuses
        .iter()
        .filter(|(_, status)| *status == "ran")
        .map(|(id, _)| id.as_str())
        .collect()
}

const ALL_STAGES: [&str; 22] = [
    "album-level:ost",
    "album-measure:ost",
    "album:ost/01",
    "album:ost/02",
    "bus:DX",
    "bus:FX",
    "bus:MX",
    "bus:PM",
    "dialogue:pm",
    "dialogue:stereo",
    "measure:broadcast",
    "measure:ost/01",
    "measure:ost/02",
    "measure:pm",
    "measure:stereo",
    "report:cuesheet.csv",
    "report:cuesheet.json",
    "report:rights.json",
    "target:broadcast",
    "target:pm",
    "target:stereo",
    "timeline",
];

#[test]
fn every_deliverable_is_rendered_readable_and_within_spec() {
    let test = project(RECIPE);
    let dir = test.path();
    let statuses = build(&dir, &[]);
    assert_eq!(ran(&statuses), ALL_STAGES.to_vec());

    let files: Vec<PathBuf> = outputs(&dir).into_keys().collect();
    assert_eq!(
        files,
        [
            "broadcast.wav",
            "ost/01 Theme.wav",
            "ost/02 Coda.wav",
            "pm.wav",
            "reports/cuesheet.csv",
            "reports/cuesheet.json",
            "reports/index.html",
            "reports/rights.json",
            "stereo.wav"
        ]
        .map(PathBuf::from)
    );
    // The cue sheet report is what `sndtrk cuesheet` prints.
    let (status, cuesheet, _) = sndtrk(&dir, &["cuesheet"]);
    assert_eq!(status, 0);
    assert_eq!(
        fs::read_to_string(dir.join("out/reports/cuesheet.csv")).unwrap(),
        cuesheet
    );
    for (file, channels, rate, bits, mask) in DELIVERABLES {
        assert_deliverable(&dir.join("out").join(file), channels, rate, bits, mask);
    }
    // The programme starts at its earliest placement, carried in `bext`.
    let pm = WavReader::open(dir.join("out/pm.wav")).unwrap();
    assert_eq!(pm.format().time_reference, Some(3600 * 48_000));
    assert_eq!(pm.format().frames, 3 * 48_000);

    // The reference meter's measure of the EBU R128 target: -23 LUFS within
    // ±0.5 LU, true peak under -1 dBTP.
    assert_meets(
        "broadcast",
        reference_loudness(&dir.join("out/broadcast.wav")),
        EBU_R128,
    );
}

#[test]
fn a_second_build_and_a_touch_run_nothing() {
    let test = project(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    let before = outputs(&dir);
    let statuses = build(&dir, &[]);
    assert_eq!(ran(&statuses), Vec::<&str>::new());
    assert!(statuses.values().all(|status| status == "fresh"));
    // Touch the stem without changing it.
    let dx = dir.join("stems/dx.wav");
    let bytes = fs::read(&dx).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&dx, &bytes).unwrap();
    assert_eq!(ran(&build(&dir, &[])), Vec::<&str>::new());
    assert_eq!(outputs(&dir), before);
    // plan agrees: nothing is stale.
    let (status, stdout, _) = sndtrk(&dir, &["plan"]);
    assert_eq!(status, 0);
    assert!(stdout.ends_with("0 of 22 stages would run\n"), "{stdout}");
}

#[test]
fn keys_do_not_depend_on_where_sndtrk_runs_or_where_the_project_is() {
    let test = project(RECIPE);
    let dir = test.path();
    assert!(!ran(&build(&dir, &[])).is_empty());
    // The same project named from its parent, relatively and absolutely.
    let parent = dir.parent().unwrap();
    let name = dir.file_name().unwrap().to_str().unwrap();
    let absolute = dir.to_str().unwrap();
    for project in [name, absolute] {
        let (status, stdout, stderr) = sndtrk(parent, &["-C", project, "plan"]);
        assert_eq!(status, 0, "{stdout}\n{stderr}");
        assert!(stdout.ends_with("0 of 22 stages would run\n"), "{stdout}");
        let statuses = build(parent, &["-C", project]);
        assert_eq!(ran(&statuses), Vec::<&str>::new(), "-C {project}");
    }
    // A copy of the whole project elsewhere (its state and cache too) is
    // up to date: its sources are hashed again, at their new paths, and
    // nothing renders.
    let copy = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        let to = copy.path().join(entry.path().strip_prefix(&dir).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
    assert_eq!(ran(&build(copy.path(), &[])), Vec::<&str>::new());
}

#[test]
fn changing_one_cue_reruns_exactly_what_depends_on_it_and_reverting_restores() {
    let test = project(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    let first = outputs(&dir);
    let recipe_path = dir.join("soundtrack.sndtrk");
    fs::write(&recipe_path, RECIPE.replace("gain 0dB", "gain -6dB")).unwrap();
    let (_, plan, _) = sndtrk(&dir, &["plan", "--format", "json"]);
    assert!(
        plan.contains(r#""stage":"bus:MX","kind":"bus","status":"stale""#),
        "{plan}"
    );
    let statuses = build(&dir, &["--explain"]);
    assert_eq!(
        ran(&statuses),
        [
            "album-level:ost",
            "album-measure:ost",
            "album:ost/01",
            "album:ost/02",
            "bus:MX",
            "bus:PM",
            "measure:broadcast",
            "measure:ost/01",
            "measure:ost/02",
            "measure:pm",
            "measure:stereo",
            "target:broadcast",
            "target:pm",
            "target:stereo"
        ]
    );
    // The album is normalised as one: 1M1 (its film edit, `edit film`)
    // changes, so does the album's gain, and with it every track.
    let changed = outputs(&dir);
    assert_ne!(
        changed[Path::new("ost/01 Theme.wav")],
        first[Path::new("ost/01 Theme.wav")]
    );
    assert_ne!(
        changed[Path::new("ost/02 Coda.wav")],
        first[Path::new("ost/02 Coda.wav")]
    );
    // Revert: everything comes back from the cache, nothing renders.
    fs::write(&recipe_path, RECIPE).unwrap();
    assert_eq!(ran(&build(&dir, &[])), Vec::<&str>::new());
    assert_eq!(outputs(&dir), first);
}

#[test]
fn explain_says_which_parameter_changed() {
    let test = project(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    fs::write(
        dir.join("soundtrack.sndtrk"),
        RECIPE.replace("gain 0dB", "gain -6dB"),
    )
    .unwrap();
    let (status, _, stderr) = sndtrk(&dir, &["build", "--explain", "album:ost/01"]);
    assert_eq!(status, 0, "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.starts_with("ran album:ost/01"))
        .unwrap();
    // In the recipe's words and notation, not `clip.gain` and `-6.0`.
    assert!(line.contains("cue 1M1: gain 0dB → -6dB"), "{line}");
}

/// A bus's manifest names the clip by its declaration, so `--explain` says
/// `cue 1M1: gain …`, not `clip3.gain`; a report's text, too long to show,
/// is said to have changed without its digests.
#[test]
fn explain_speaks_in_the_recipes_words() {
    let test = project(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    fs::write(
        dir.join("soundtrack.sndtrk"),
        RECIPE.replace("gain 0dB", "gain -6dB"),
    )
    .unwrap();
    let (status, _, stderr) = sndtrk(&dir, &["build", "--explain"]);
    assert_eq!(status, 0, "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.starts_with("ran bus:MX"))
        .unwrap();
    assert!(line.contains("cue 1M1: gain 0dB → -6dB"), "{line}");
    assert!(!line.contains("clip"), "{line}");
    for line in stderr.lines().filter(|line| line.contains("report:")) {
        assert!(!line.contains(" to "), "{line}");
    }
}

#[test]
fn outputs_are_identical_whatever_the_job_count() {
    let one = project(RECIPE);
    let two = project(RECIPE);
    build(&one.path(), &["-j", "1"]);
    build(&two.path(), &["-j", "2"]);
    assert_eq!(outputs(&one.path()), outputs(&two.path()));
}

#[test]
fn a_killed_build_then_a_rebuild_equals_a_clean_build() {
    let clean = project(RECIPE);
    build(&clean.path(), &[]);
    let expected = outputs(&clean.path());
    for delay_ms in [30, 120, 400] {
        let test = project(RECIPE);
        let dir = test.path();
        let mut child = Test::at(&dir).args(["build", "--format", "json"]).spawn();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever was left, no deliverable is half-written (a hidden
        // temporary file may remain until the next build removes it).
        for (path, bytes) in outputs(&dir) {
            if path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(".sndtrk-tmp-"))
            {
                continue;
            }
            assert_eq!(
                Some(&bytes),
                expected.get(&path),
                "{} is not a finished output",
                path.display()
            );
        }
        build(&dir, &[]);
        assert_eq!(outputs(&dir), expected, "after a kill at {delay_ms} ms");
    }
}

#[test]
fn graph_lists_every_stage_with_its_inputs() {
    let test = project(RECIPE);
    let (status, stdout, stderr) = sndtrk(&test.path(), &["graph", "--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    let nodes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut ids: Vec<&str> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ALL_STAGES.to_vec());
    let pm = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["id"] == "bus:PM")
        .unwrap();
    assert_eq!(
        pm["inputs"],
        serde_json::json!(["timeline", "bus:DX", "bus:MX", "bus:FX"])
    );
    let (status, dot, _) = sndtrk(&test.path(), &["graph"]);
    assert_eq!(status, 0);
    assert!(dot.contains(r#""bus:MX" -> "bus:PM";"#), "{dot}");
}

/// `sndtrk graph` and `sndtrk graph --format json` on a small recipe,
/// whole: the engine's `StageGraph::to_dot` and `to_json`.
#[test]
fn graph_prints_the_stage_graph_as_dot_and_json() {
    let test = project(
        r#"import "std/layouts"
import "std/delivery/ebu"

project "Tiny" {
    frame_rate 24
    sample_rate 48kHz
}

stem dx {
    role dialogue
    layout 1.0
    pan L
    file "stems/dx.wav"
}

bus DX 2.0 { dx }

target stereo {
    from DX
    layout 2.0
    format wav 48kHz 24bit
    spec ebu.r128
}
"#,
    );
    let (status, dot, stderr) = sndtrk(&test.path(), &["graph"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        dot,
        r#"digraph sndtrk {
    rankdir=LR;
    "timeline" [label="timeline\ntimeline", shape=ellipse];
    "bus:DX" [label="bus:DX\nbus", shape=ellipse];
    "target:stereo" [label="target:stereo\ntarget", shape=box];
    "measure:stereo" [label="measure:stereo\nmeasure", shape=ellipse];
    "report:cuesheet.csv" [label="report:cuesheet.csv\nreport", shape=box];
    "report:cuesheet.json" [label="report:cuesheet.json\nreport", shape=box];
    "report:rights.json" [label="report:rights.json\nreport", shape=box];
    "timeline" -> "bus:DX";
    "bus:DX" -> "target:stereo";
    "timeline" -> "target:stereo";
    "target:stereo" -> "measure:stereo";
}
"#
    );
    let (status, json, stderr) = sndtrk(&test.path(), &["graph", "--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        json,
        r#"[
  {
    "id": "timeline",
    "kind": "timeline",
    "inputs": [],
    "files": [
      "stems/dx.wav"
    ],
    "output": null
  },
  {
    "id": "bus:DX",
    "kind": "bus",
    "inputs": [
      "timeline"
    ],
    "files": [
      "stems/dx.wav"
    ],
    "output": null
  },
  {
    "id": "target:stereo",
    "kind": "target",
    "inputs": [
      "bus:DX",
      "timeline"
    ],
    "files": [],
    "output": "out/stereo.wav"
  },
  {
    "id": "measure:stereo",
    "kind": "measure",
    "inputs": [
      "target:stereo"
    ],
    "files": [],
    "output": null
  },
  {
    "id": "report:cuesheet.csv",
    "kind": "report",
    "inputs": [],
    "files": [],
    "output": "out/reports/cuesheet.csv"
  },
  {
    "id": "report:cuesheet.json",
    "kind": "report",
    "inputs": [],
    "files": [],
    "output": "out/reports/cuesheet.json"
  },
  {
    "id": "report:rights.json",
    "kind": "report",
    "inputs": [],
    "files": [],
    "output": "out/reports/rights.json"
  }
]
"#
    );
}

#[test]
fn a_recipe_with_errors_builds_nothing() {
    let test = project(&RECIPE.replace("bus MX 5.1 { cues }", "bus MX 5.1 { cuez }"));
    let (status, _, stderr) = sndtrk(&test.path(), &["build"]);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("E0204") && stderr.contains("no stem, cue or bus is named `cuez`"),
        "{stderr}"
    );
    assert!(!test.path().join("out").exists());
}

#[test]
fn an_unknown_target_is_a_usage_error() {
    let test = project(RECIPE);
    let (status, _, stderr) = sndtrk(&test.path(), &["build", "stereoo"]);
    assert_eq!(status, 2);
    assert_eq!(
        stderr,
        "error: no target or album is named `stereoo`; did you mean `stereo`?\n"
    );
}

#[test]
fn a_target_at_another_rate_is_resampled_and_keeps_its_start() {
    let test = project(&recipe_with_cd());
    let dir = test.path();
    build(&dir, &["cd"]);
    let path = dir.join("out/cd.wav");
    let format = WavReader::open(&path).unwrap().format().clone();
    assert_eq!(
        (format.channels, format.sample_rate, format.bits()),
        (2, 44_100, 16)
    );
    assert_eq!(format.frames, 3 * 44_100);
    assert_eq!(format.time_reference, Some(3600 * 44_100));
    assert_meets("cd", reference_loudness(&path), EBU_R128);
}
