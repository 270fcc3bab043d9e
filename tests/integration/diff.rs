//! `sndtrk diff`: two revisions of a project in a real git repository,
//! compared deliverable by deliverable (by stage keys), cue use by cue use
//! and diagnostic by diagnostic.

use std::{fs, path::Path, process::Command};

use serde_json::Value;
use sndtrk::audio::{ChannelLayout, SampleFormat};

use crate::audio_support::{project::sndtrk, test_signal, write_wav};
use crate::test::Test;

const RECIPE: &str = r#"project "Harbour Lights" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
    release 2027-03-14
}

import "std/layouts"

stem dialog {
    role dialogue
    layout 1.0
    file "stems/dx.wav"
    at 01:00:00:00
    gain -2dB
}

stem effects {
    role effects
    layout 2.0
    file "stems/fx.wav"
    at 01:00:00:00
}

cue 1M1 "Opening" {
    type score
    usage BI
    file "music/1M1.wav"
    at 01:00:00:12
    writer "Ana Ruiz" society ASCAP share 50%
    writer "Ben Okafor" society BMI share 50%
    publisher "Harbour Music" society ASCAP share 100%
}

cue 2M1 "Chase" {
    type score
    usage BI
    file "music/2M1.wav"
    at 01:00:02:00
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbour Music" society ASCAP share 100%
}

bus DX 2.0 { dialog }
bus MX 2.0 { cues }
bus FX 2.0 { effects }
bus PM 2.0 { DX MX FX }

target print_master {
    from PM
    layout 2.0
    format wav 48kHz 24bit
}

target dialogue_stem {
    from DX
    layout 2.0
    format wav 48kHz 24bit
}

target me {
    from MX FX
    layout 2.0
    format wav 48kHz 24bit
}

target music_stem {
    from MX
    layout 2.0
    format wav 48kHz 24bit
}
"#;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Assistant",
            "-c",
            "user.email=assistant@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn wav(path: &Path, channels: usize, seconds: f64, seed_frames: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let frames = (seconds * 48_000.0) as usize;
    let mut signal = test_signal(channels, frames + seed_frames, 48_000);
    signal.drain(..seed_frames * channels);
    let layout = if channels == 1 {
        ChannelLayout::mono()
    } else {
        ChannelLayout::stereo()
    };
    write_wav(path, &signal, layout, SampleFormat::Int24, 48_000, None);
}

/// A committed project: the recipe, the effects stem and the cues in git;
/// the dialogue stem kept out of git (`.gitignore`), as large stems often are.
fn repository() -> Test {
    let test = Test::new()
        .recipe(RECIPE)
        .write(".gitignore", "stems/dx.wav\nout/\n.sndtrk/\n");
    let dir = test.path();
    wav(&dir.join("stems/dx.wav"), 1, 4.0, 0);
    wav(&dir.join("stems/fx.wav"), 2, 4.0, 0);
    wav(&dir.join("music/1M1.wav"), 2, 1.0, 0);
    wav(&dir.join("music/2M1.wav"), 2, 1.5, 0);
    git(&dir, &["init", "-q"]);
    commit(&dir, "the first cut");
    test
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("soundtrack.sndtrk");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "the recipe has {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn diff(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (status, stdout, stderr) = sndtrk(dir, &all);
    assert_eq!(status, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

fn changes(report: &Value) -> Vec<(String, String, Vec<String>)> {
    report["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|deliverable| {
            (
                deliverable["name"].as_str().unwrap().to_owned(),
                deliverable["change"].as_str().unwrap().to_owned(),
                deliverable["because"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|why| why.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Each cue change as (cue, change).
fn cue_changes(report: &Value) -> Vec<(String, String)> {
    report["cues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cue| {
            (
                cue["cue"].as_str().unwrap().to_owned(),
                cue["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &[&str])]) -> Vec<(String, String, Vec<String>)> {
    rows.iter()
        .map(|(name, change, because)| {
            (
                (*name).to_owned(),
                (*change).to_owned(),
                because.iter().map(|why| (*why).to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn a_working_tree_like_its_commit_changes_nothing() {
    let test = repository();
    let report = diff(&test.path(), &[]);
    assert_eq!(report["base"], "HEAD");
    assert_eq!(report["head"], "working tree");
    assert_eq!(report["head_commit"], Value::Null);
    assert_eq!(report["base_commit"].as_str().unwrap().len(), 40);
    assert_eq!(
        changes(&report),
        owned(&[
            ("print_master", "unchanged", &[]),
            ("dialogue_stem", "unchanged", &[]),
            ("me", "unchanged", &[]),
            ("music_stem", "unchanged", &[]),
        ])
    );
    assert_eq!(report["cues"], serde_json::json!([]));
    assert_eq!(
        report["diagnostics"],
        serde_json::json!({"new": [], "fixed": []})
    );
}

#[test]
fn a_dialogue_gain_changes_exactly_what_hears_the_dialogue() {
    let test = repository();
    let dir = test.path();
    edit(&dir, "gain -2dB", "gain -1dB");
    let report = diff(&dir, &[]);
    assert_eq!(
        changes(&report),
        owned(&[
            ("print_master", "changed", &["stem dialog: gain"]),
            ("dialogue_stem", "changed", &["stem dialog: gain"]),
            ("me", "unchanged", &[]),
            ("music_stem", "unchanged", &[]),
        ])
    );
    assert_eq!(report["cues"], serde_json::json!([]));
    // The same, committed, between two revisions.
    commit(&dir, "dialogue up a dB");
    let between = diff(&dir, &["HEAD~1", "HEAD"]);
    assert_eq!(changes(&between), changes(&report));
    assert_eq!(between["head"], "HEAD");
    assert_ne!(between["base_commit"], between["head_commit"]);
}

#[test]
fn a_cue_moved_by_twelve_frames_is_moved_with_both_timecodes() {
    let test = repository();
    let dir = test.path();
    edit(&dir, "at 01:00:02:00", "at 01:00:02:12");
    let report = diff(&dir, &[]);
    assert_eq!(
        report["cues"],
        serde_json::json!([{
            "cue": "2M1",
            "use": 1,
            "change": "moved",
            "before": {"in": "01:00:02:00", "out": "01:00:03:12"},
            "after": {"in": "01:00:02:12", "out": "01:00:04:00"},
            "changes": ["cue 2M1: at"],
            "cue_sheet": ["in 01:00:02:00 → 01:00:02:12, out 01:00:03:12 → 01:00:04:00"],
        }])
    );
    assert_eq!(
        changes(&report),
        owned(&[
            ("print_master", "changed", &["cue 2M1: at"]),
            ("dialogue_stem", "unchanged", &[]),
            ("me", "changed", &["cue 2M1: at"]),
            ("music_stem", "changed", &["cue 2M1: at"]),
        ])
    );
}

#[test]
fn a_cue_edited_or_added_says_what_changed_on_the_cue_sheet() {
    let test = repository();
    let dir = test.path();
    edit(
        &dir,
        "usage BI\n    file \"music/2M1.wav\"",
        "usage BV\n    file \"music/2M1.wav\"",
    );
    edit(
        &dir,
        "bus DX 2.0",
        "cue 3M1 \"Coda\" {\n    type score\n    usage BI\n    file \"music/1M1.wav\"\n    at 01:00:03:00\n    writer \"Ana Ruiz\" society ASCAP share 100%\n    publisher \"Harbour Music\" society ASCAP share 100%\n}\n\nbus DX 2.0",
    );
    let report = diff(&dir, &[]);
    let cues = cue_changes(&report);
    assert_eq!(
        cues,
        [
            ("2M1".into(), "edited".into()),
            ("3M1".into(), "added".into())
        ]
    );
    assert_eq!(
        report["cues"][0]["cue_sheet"],
        serde_json::json!(["usage BI → BV"])
    );
    assert_eq!(
        report["cues"][1]["after"],
        serde_json::json!({"in": "01:00:03:00", "out": "01:00:04:00"})
    );
    assert_eq!(report["cues"][1]["before"], Value::Null);
}

#[test]
fn a_share_mistake_is_new_and_its_revert_fixed() {
    let test = repository();
    let dir = test.path();
    edit(&dir, "society BMI share 50%", "society BMI share 40%");
    let report = diff(&dir, &[]);
    let new = report["diagnostics"]["new"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["code"], "C001");
    assert_eq!(new[0]["file"], "soundtrack.sndtrk");
    assert!(new[0]["line"].as_u64().is_some());
    assert_eq!(report["diagnostics"]["fixed"], serde_json::json!([]));
    // No audio changes: shares are paperwork.
    assert!(changes(&report)
        .iter()
        .all(|(_, change, _)| change == "unchanged"));
    commit(&dir, "the wrong shares");
    // Moving the declaration down the file neither fixes nor brings it.
    let text = fs::read_to_string(dir.join("soundtrack.sndtrk")).unwrap();
    fs::write(
        dir.join("soundtrack.sndtrk"),
        text.replace("import \"std/layouts\"\n", "import \"std/layouts\"\n\n\n\n"),
    )
    .unwrap();
    let moved = diff(&dir, &[]);
    assert_eq!(
        moved["diagnostics"],
        serde_json::json!({"new": [], "fixed": []})
    );
    edit(&dir, "society BMI share 40%", "society BMI share 50%");
    commit(&dir, "the shares put right");
    let reverted = diff(&dir, &["HEAD~1", "HEAD"]);
    let fixed = reverted["diagnostics"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["code"], "C001");
    assert_eq!(reverted["diagnostics"]["new"], serde_json::json!([]));
    let both = diff(&dir, &["HEAD~2", "HEAD~1"]);
    assert_eq!(both["diagnostics"]["new"][0]["code"], "C001");
}

#[test]
fn a_source_whose_bytes_change_is_named() {
    let test = repository();
    let dir = test.path();
    wav(&dir.join("stems/fx.wav"), 2, 4.0, 100);
    let report = diff(&dir, &[]);
    assert_eq!(
        changes(&report),
        owned(&[
            ("print_master", "changed", &["source stems/fx.wav"]),
            ("dialogue_stem", "unchanged", &[]),
            ("me", "changed", &["source stems/fx.wav"]),
            ("music_stem", "unchanged", &[]),
        ])
    );
    // A source git does not track is read from disk on both sides: the
    // same bytes, no change.
    commit(&dir, "new effects");
    wav(&dir.join("stems/dx.wav"), 1, 4.0, 100);
    let between = diff(&dir, &["HEAD~1", "HEAD"]);
    assert_eq!(
        changes(&between),
        owned(&[
            ("print_master", "changed", &["source stems/fx.wav"]),
            ("dialogue_stem", "unchanged", &[]),
            ("me", "changed", &["source stems/fx.wav"]),
            ("music_stem", "unchanged", &[]),
        ])
    );
}

#[test]
fn deliverables_added_and_removed() {
    let test = repository();
    let dir = test.path();
    edit(&dir, "target music_stem", "target score_stem");
    let report = diff(&dir, &[]);
    let rows: Vec<(String, String)> = changes(&report)
        .into_iter()
        .map(|(name, change, _)| (name, change))
        .collect();
    assert_eq!(
        rows,
        [
            ("print_master", "unchanged"),
            ("dialogue_stem", "unchanged"),
            ("me", "unchanged"),
            ("score_stem", "added"),
            ("music_stem", "removed"),
        ]
        .map(|(name, change)| (name.to_owned(), change.to_owned()))
    );
}

#[test]
fn the_markdown_is_a_pull_request_comment() {
    let test = repository();
    let dir = test.path();
    edit(&dir, "gain -2dB", "gain -1dB");
    edit(&dir, "at 01:00:02:00", "at 01:00:02:12");
    edit(&dir, "society BMI share 50%", "society BMI share 40%");
    Test::at(&dir)
        .args(["diff", "--format", "markdown"])
        .stdout(
            "### sndtrk diff: `HEAD` → `working tree`

| deliverable | kind | change | because |
|---|---|---|---|
| `print_master` | target | changed | `stem dialog: gain`<br>`cue 2M1: at` |
| `dialogue_stem` | target | changed | `stem dialog: gain` |
| `me` | target | changed | `cue 2M1: at` |
| `music_stem` | target | changed | `cue 2M1: at` |

#### Cue sheet

| cue | use | change | before | after | what changed |
|---|---|---|---|---|---|
| `1M1` | 1 | edited | 01:00:00:12 – 01:00:01:12 | 01:00:00:12 – 01:00:01:12 | cue 1M1: writer<br>writers Ana Ruiz (ASCAP) 50%; Ben Okafor (BMI) 50% → Ana Ruiz (ASCAP) 50%; Ben Okafor (BMI) 40% |
| `2M1` | 1 | moved | 01:00:02:00 – 01:00:03:12 | 01:00:02:12 – 01:00:04:00 | cue 2M1: at<br>in 01:00:02:00 → 01:00:02:12, out 01:00:03:12 → 01:00:04:00 |

#### Diagnostics

| | code | severity | where | message |
|---|---|---|---|---|
| new | `C001` | error | soundtrack.sndtrk:30 | the writer shares of cue 1M1 sum to 90%, not 100% |
",
        )
        .run();
}

#[test]
fn the_human_text_names_changes_and_lists_the_rest() {
    let test = repository();
    let dir = test.path();
    edit(&dir, "gain -2dB", "gain -1dB");
    Test::at(&dir)
        .arg("diff")
        .stdout(
            "HEAD → working tree

deliverables:
  changed   target print_master   because stem dialog: gain
  changed   target dialogue_stem  because stem dialog: gain
  unchanged me, music_stem

cues:
  none changed

diagnostics:
  none new, none fixed
",
        )
        .run();
}

#[test]
fn outside_git_or_with_an_unknown_revision_it_says_so() {
    let test = Test::new().recipe(RECIPE);
    let outside = test.path();
    // A directory that is not in any repository (temporary directories
    // are not, unless TMPDIR is inside one).
    let (status, _, stderr) = sndtrk(&outside, &["diff"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("E0930"), "{stderr}");
    let repository = repository();
    let (status, _, stderr) = sndtrk(&repository.path(), &["diff", "origin/mian"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("E0931"), "{stderr}");
    assert!(
        stderr.contains("`origin/mian` is not a revision"),
        "{stderr}"
    );
}

#[test]
fn the_shipped_workflow_posts_the_markdown() {
    let workflow = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github/sndtrk-diff.yml"),
    )
    .unwrap();
    assert!(workflow.contains("pull_request"));
    assert!(workflow.contains("fetch-depth: 0"));
    assert!(workflow.contains("sndtrk diff"));
    assert!(workflow.contains("--format markdown"));
    assert!(workflow.contains("gh pr comment"));
}

#[test]
fn a_project_in_a_subdirectory_with_its_cues_in_an_import() {
    let test = repository();
    let root = test.path();
    // Move the project into film/, its cues into film/music.sndtrk.
    let film = root.join("film");
    fs::create_dir_all(&film).unwrap();
    for entry in ["soundtrack.sndtrk", "stems", "music"] {
        fs::rename(root.join(entry), film.join(entry)).unwrap();
    }
    let text = fs::read_to_string(film.join("soundtrack.sndtrk")).unwrap();
    let start = text.find("cue 1M1").unwrap();
    let end = text.find("bus DX").unwrap();
    fs::write(film.join("music.sndtrk"), &text[start..end]).unwrap();
    let recipe = format!(
        "{}import \"music.sndtrk\"\n\n{}",
        &text[..start],
        &text[end..]
    );
    fs::write(film.join("soundtrack.sndtrk"), recipe).unwrap();
    fs::write(root.join(".gitignore"), "film/stems/dx.wav\n").unwrap();
    commit(&root, "the project in film/");
    let music = film.join("music.sndtrk");
    let cues = fs::read_to_string(&music).unwrap();
    fs::write(
        &music,
        cues.replacen("at 01:00:02:00", "at 01:00:02:00\n    gain -3dB", 1)
            .replacen("society BMI share 50%", "society BMI share 40%", 1),
    )
    .unwrap();
    let ran = Test::at(&root)
        .args(["-C", "film", "diff", "--format", "json"])
        .stdout_any()
        .run();
    let report: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(
        changes(&report),
        owned(&[
            ("print_master", "changed", &["cue 2M1: gain"]),
            ("dialogue_stem", "unchanged", &[]),
            ("me", "changed", &["cue 2M1: gain"]),
            ("music_stem", "changed", &["cue 2M1: gain"]),
        ])
    );
    let new = report["diagnostics"]["new"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["code"], "C001");
    assert_eq!(new[0]["file"], "film/music.sndtrk");
    let cues = cue_changes(&report);
    assert_eq!(
        cues,
        [
            ("1M1".into(), "edited".into()),
            ("2M1".into(), "edited".into())
        ]
    );
    assert_eq!(
        report["cues"][1]["changes"],
        serde_json::json!(["cue 2M1: gain"])
    );
    assert_eq!(report["cues"][1]["cue_sheet"], serde_json::json!([]));
}

#[test]
fn a_recipe_new_at_the_head_adds_every_deliverable() {
    let test = Test::new().write("README.md", "A film.\n");
    let dir = test.path();
    git(&dir, &["init", "-q"]);
    commit(&dir, "an empty repository");
    fs::write(dir.join("soundtrack.sndtrk"), RECIPE).unwrap();
    wav(&dir.join("stems/dx.wav"), 1, 4.0, 0);
    wav(&dir.join("stems/fx.wav"), 2, 4.0, 0);
    wav(&dir.join("music/1M1.wav"), 2, 1.0, 0);
    wav(&dir.join("music/2M1.wav"), 2, 1.5, 0);
    let report = diff(&dir, &[]);
    assert!(changes(&report)
        .iter()
        .all(|(_, change, _)| change == "added"));
    assert_eq!(report["diagnostics"]["fixed"], serde_json::json!([]));
    let added: Vec<&str> = report["cues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cue| cue["change"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["added", "added"]);
}

#[test]
fn a_score_cue_turned_song_is_blocked_where_it_plays() {
    let test = repository();
    let dir = test.path();
    edit(
        &dir,
        "type score\n    usage BI\n    file \"music/2M1.wav\"",
        "type song\n    usage BI\n    file \"music/2M1.wav\"",
    );
    let report = diff(&dir, &[]);
    let rights: Vec<(String, String, String, String)> = report["rights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            let text = |key: &str| change[key].as_str().unwrap_or("-").to_owned();
            (text("cue"), text("in"), text("before"), text("after"))
        })
        .collect();
    let blocked = |target: &str| {
        (
            "2M1".to_owned(),
            format!("target {target}"),
            "cleared".to_owned(),
            "blocked".to_owned(),
        )
    };
    assert_eq!(
        rights,
        [
            blocked("me"),
            blocked("music_stem"),
            blocked("print_master")
        ]
    );
    assert!(report["rights"][0]["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|gap| gap.as_str().unwrap().contains("sync")));
    let new: Vec<&str> = report["diagnostics"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap())
        .collect();
    assert!(new.contains(&"R001"), "{new:?}");
    // Paperwork: no deliverable's audio changes.
    assert!(changes(&report)
        .iter()
        .all(|(_, change, _)| change == "unchanged"));
}
