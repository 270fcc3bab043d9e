//! What `sndtrk build` delivers (`docs/build.md`): the checks of `sndtrk
//! check` block the targets and albums an error points at, a deliverable
//! that clips (D007), misses its spec (D004) or fails to render is not
//! delivered, none of them is left in `out/` by an earlier build, the rest
//! is delivered, and the summary says which and why, as lines or as the
//! last JSON object.

use std::{fs, path::Path};

use sndtrk::audio::{ChannelLayout, SampleFormat};

use crate::{
    audio_support::{test_signal, write_wav},
    outputs::outputs,
    test::{Ran, Test},
};

/// The parties and codes every cue needs to check clean.
const PARTIES: &str = r#"    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbor Music" society ASCAP share 100%"#;

/// A project with a song: `clean` hears dialogue, effects and score only;
/// `song` hears the song through `MX` (`cues`), `nested` through `RADIO`,
/// which holds `MX`; the album holds the score and the song.
fn songs_recipe(licensed: bool) -> String {
    let licences = if licensed {
        r#"
license sync_2M1 {
    kind sync
    cue 2M1
    licensor "Harbor Music"
    term 2026-01-01 to perpetuity
    status executed
}

license master_2M1 {
    kind master
    cue 2M1
    licensor "Blue Label"
    term 2026-01-01 to perpetuity
    status executed
}

license album_2M1 {
    kind album
    cue 2M1
    licensor "Blue Label"
    term 2026-01-01 to perpetuity
    status executed
}
"#
    } else {
        ""
    };
    format!(
        r#"import "std/layouts"
import "std/delivery/ebu"

project "Deliveries" {{
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
    release 2027-03-14
}}

stem dx {{
    role dialogue
    layout 1.0
    file "stems/dx.wav"
    at 01:00:00:00
}}

stem fx {{
    role effects
    layout 2.0
    file "stems/fx.wav"
    at 01:00:00:00
}}

cue 1M1 "Theme" {{
    type score
    usage BI
    tone 220Hz -24dBFS for 2s
    at 01:00:00:12
{PARTIES}
}}

cue 2M1 "Radio" {{
    type song
    usage VV
    tone 440Hz -26dBFS for 2s
    at 01:00:01:00
    isrc "USRC17607839"
{PARTIES}
}}
{licences}
bus DX 2.0 {{ dx }}
bus FX 2.0 {{ fx }}
bus SCORE 2.0 {{ 1M1 }}
bus MX 2.0 {{ cues }}
bus RADIO 2.0 {{ MX }}

target clean {{
    from DX FX SCORE
    layout 2.0
    format wav 48kHz 24bit
    spec ebu.r128
}}

target song {{
    from DX MX
    layout 2.0
    format wav 48kHz 24bit
}}

target nested {{
    from FX RADIO
    layout 2.0
    format wav 48kHz 24bit
}}

album ost "Deliveries (Soundtrack)" {{
    kind soundtrack
    track 1M1
    track 2M1
    format wav 44.1kHz 16bit
}}
"#
    )
}

/// A project directory holding `recipe` and the stems it may use, written
/// here: 3 s of mono dialogue and of stereo effects, a second of effects
/// (`sfx`), and a second of mono silence with one click at -3 dBFS in its
/// middle (`click`).
fn project(recipe: &str) -> Test {
    let test = Test::new().recipe(recipe);
    let dir = test.path();
    fs::create_dir_all(dir.join("stems")).unwrap();
    let mut click = vec![0.0f32; 48_000];
    click[24_000] = 0.7;
    for (file, samples, layout) in [
        (
            "dx.wav",
            test_signal(1, 144_000, 48_000),
            ChannelLayout::mono(),
        ),
        (
            "fx.wav",
            test_signal(2, 144_000, 48_000),
            ChannelLayout::stereo(),
        ),
        (
            "sfx.wav",
            test_signal(2, 48_000, 48_000),
            ChannelLayout::stereo(),
        ),
        ("click.wav", click, ChannelLayout::mono()),
    ] {
        write_wav(
            &dir.join("stems").join(file),
            &samples,
            layout,
            SampleFormat::Int24,
            48_000,
            None,
        );
    }
    test
}

/// `sndtrk ARGS` in `dir`, any status and output, for the test to examine.
fn sndtrk(dir: &Path, args: &[&str]) -> Ran {
    Test::at(dir)
        .args(args.iter().copied())
        .status_any()
        .stdout_any()
        .stderr_any()
        .run()
}

fn files(dir: &Path) -> Vec<String> {
    outputs(dir)
        .into_keys()
        .map(|path| path.to_string_lossy().replace('\\', "/"))
        .collect()
}

const REPORTS: [&str; 4] = [
    "reports/cuesheet.csv",
    "reports/cuesheet.json",
    "reports/index.html",
    "reports/rights.json",
];

/// The file names in `out/`: `deliverables` and the reports, sorted.
fn with_reports(deliverables: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = deliverables
        .iter()
        .chain(REPORTS.iter())
        .map(|name| (*name).to_owned())
        .collect();
    names.sort();
    names
}

/// A song without licences: the targets it reaches and the album holding
/// it are not rendered, and the copies an earlier (licensed) build left in
/// `out/` are removed; the clean target is delivered; exit 1. Licensed
/// again, everything is delivered again without rendering a deliverable.
#[test]
fn a_song_without_licences_blocks_its_targets_and_album_only() {
    let test = project(&songs_recipe(true));
    let dir = test.path();
    let first = sndtrk(&dir, &["build"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(
        first.stderr.ends_with(
            "delivered out/clean.wav\n\
             delivered out/song.wav\n\
             delivered out/nested.wav\n\
             delivered out/ost/01 Theme.wav\n\
             delivered out/ost/02 Radio.wav\n\
             5 delivered, 0 not delivered\n"
        ),
        "{}",
        first.stderr
    );
    let licensed = outputs(&dir);
    assert_eq!(
        files(&dir),
        with_reports(&[
            "clean.wav",
            "nested.wav",
            "ost/01 Theme.wav",
            "ost/02 Radio.wav",
            "song.wav"
        ])
    );

    fs::write(dir.join("soundtrack.sndtrk"), songs_recipe(false)).unwrap();
    let blocked = sndtrk(&dir, &["build"]);
    assert_eq!(blocked.status, 1, "{}", blocked.stderr);
    let stderr = &blocked.stderr;
    for expected in [
        "R001\n\n  × song 2M1 reaches target `song` without an executed sync licence",
        "R002\n\n  × song 2M1 reaches target `song` without an executed master licence",
        "R001\n\n  × song 2M1 reaches target `nested` without an executed sync licence",
        "R002\n\n  × song 2M1 reaches target `nested` without an executed master licence",
        "R003\n\n  × song 2M1 is on album `ost` without an executed album licence",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // The blocked deliverables are not rendered: only the reports, whose
    // rights changed, run.
    let ran: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("ran "))
        .collect();
    assert!(
        ran.iter().all(|line| line.starts_with("ran report:")),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "delivered out/clean.wav\n\
             not delivered out/song.wav: blocked by R001, R002; the earlier file was removed\n\
             not delivered out/nested.wav: blocked by R001, R002; the earlier file was removed\n\
             not delivered out/ost/01 Theme.wav: blocked by R003; the earlier file was removed\n\
             not delivered out/ost/02 Radio.wav: blocked by R003; the earlier file was removed\n\
             1 delivered, 4 not delivered\n"
        ),
        "{stderr}"
    );
    assert_eq!(files(&dir), with_reports(&["clean.wav"]));
    assert!(!dir.join("out/ost").exists());
    assert_eq!(
        outputs(&dir)[Path::new("clean.wav")],
        licensed[Path::new("clean.wav")]
    );
    // A second build still delivers nothing blocked and removes nothing.
    let again = sndtrk(&dir, &["build"]);
    assert_eq!(again.status, 1);
    assert!(
        again
            .stderr
            .contains("not delivered out/song.wav: blocked by R001, R002\n"),
        "{}",
        again.stderr
    );

    // Licensed again: the deliverables come back from the cache, fresh.
    fs::write(dir.join("soundtrack.sndtrk"), songs_recipe(true)).unwrap();
    let restored = sndtrk(&dir, &["build", "--format", "json"]);
    assert_eq!(restored.status, 0, "{}", restored.stderr);
    let statuses = crate::audio_support::project::statuses(&restored.stdout);
    for deliverable in [
        "target:song",
        "target:nested",
        "album:ost/01",
        "album:ost/02",
    ] {
        assert_eq!(statuses[deliverable], "fresh", "{deliverable}");
    }
    assert_eq!(outputs(&dir), licensed);
}

/// A command line that names a target builds it; a blocked deliverable it
/// does not name is still kept out of `out/`, and one named is not built.
#[test]
fn a_blocked_deliverable_stays_out_whatever_the_command_line_names() {
    let test = project(&songs_recipe(true));
    let dir = test.path();
    assert_eq!(sndtrk(&dir, &["build"]).status, 0);
    fs::write(dir.join("soundtrack.sndtrk"), songs_recipe(false)).unwrap();
    let named = sndtrk(&dir, &["build", "clean"]);
    assert_eq!(named.status, 1, "{}", named.stderr);
    assert!(
        named.stderr.ends_with(
            "delivered out/clean.wav\n\
             not delivered out/song.wav: blocked by R001, R002; the earlier file was removed\n\
             not delivered out/nested.wav: blocked by R001, R002; the earlier file was removed\n\
             not delivered out/ost/01 Theme.wav: blocked by R003; the earlier file was removed\n\
             not delivered out/ost/02 Radio.wav: blocked by R003; the earlier file was removed\n\
             1 delivered, 4 not delivered\n"
        ),
        "{}",
        named.stderr
    );
    // Only blocked ones named: nothing renders.
    let only = sndtrk(&dir, &["build", "song"]);
    assert_eq!(only.status, 1);
    assert!(!only.stderr.contains("\nran "), "{}", only.stderr);
    assert!(
        only.stderr.contains("0 ran, 0 fresh in 0.00s\n"),
        "{}",
        only.stderr
    );
    assert_eq!(files(&dir), with_reports(&["clean.wav"]));
}

/// The clipping project: `clean` (normalised to EBU R128), `loud` (no
/// spec, its effects raised by 48 dB a second after picture start), and
/// an album whose second track, a cue raised by 30 dB, clips too.
const CLIPPING: &str = r#"import "std/layouts"
import "std/delivery/ebu"

project "Clipping" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

stem dx {
    role dialogue
    layout 1.0
    file "stems/dx.wav"
    at 01:00:00:00
}

stem sfx {
    role effects
    layout 2.0
    file "stems/sfx.wav"
    at 01:00:01:00
}

cue 1M1 "Theme" {
    type score
    usage BI
    tone 220Hz -24dBFS for 2s
    at 01:00:00:12
PARTIES
}

cue 3M1 "Storm" {
    type score
    usage BI
    tone 100Hz -20dBFS for 1s
    at 01:00:00:00
    gain 30dB
PARTIES
}

bus DX 2.0 { dx }
bus LOUD 2.0 { sfx 48dB }
bus STORM 2.0 { 3M1 }
bus SCORE 2.0 { 1M1 }

target clean {
    from DX SCORE
    layout 2.0
    format wav 48kHz 24bit
    spec ebu.r128
}

target loud {
    from LOUD
    layout 2.0
    format wav 48kHz 24bit
}

album ost "Clipping (Score)" {
    kind score
    track 1M1
    track 3M1 edit film
    format wav 44.1kHz 16bit
}
"#;

fn clipping_recipe() -> String {
    CLIPPING.replace("PARTIES", PARTIES)
}

/// D007: a target without a spec raised by 48 dB, and an album track, clip;
/// the message counts the samples at full scale and gives the first one's
/// timecode; neither is delivered, the others are.
#[test]
fn a_clipping_deliverable_is_d007_and_not_delivered() {
    let test = project(&clipping_recipe());
    let dir = test.path();
    let ran = sndtrk(&dir, &["build"]);
    assert_eq!(ran.status, 1, "{}", ran.stderr);
    let stderr = &ran.stderr;
    let start = stderr.find("D007").expect("a D007 diagnostic");
    let end = stderr.find("delivered out/clean.wav").expect("the summary");
    let rendered = &stderr[start..end];
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codes/D007-clipping.stderr");
    if std::env::var_os("SNDTRK_BLESS").is_some() {
        fs::write(&fixture, rendered).unwrap();
    }
    assert_eq!(rendered, fs::read_to_string(&fixture).unwrap());
    // The effects enter at 01:00:01:00; the album track counts from its start.
    assert!(rendered.contains("the first at 01:00:01:00"), "{rendered}");
    assert!(
        rendered.contains("track 02 \"Storm\" of album `ost` clips:"),
        "{rendered}"
    );
    assert!(
        stderr.ends_with(
            "delivered out/clean.wav\n\
             not delivered out/loud.wav: fails D007\n\
             delivered out/ost/01 Theme.wav\n\
             not delivered out/ost/02 Storm.wav: fails D007\n\
             2 delivered, 2 not delivered\n"
        ),
        "{stderr}"
    );
    assert_eq!(
        files(&dir),
        with_reports(&["clean.wav", "ost/01 Theme.wav"])
    );
    // `warn D007` delivers them, with the warning.
    fs::write(
        dir.join("soundtrack.sndtrk"),
        format!("{}\nlint {{\n    warn D007\n}}\n", clipping_recipe()),
    )
    .unwrap();
    let warned = sndtrk(&dir, &["build"]);
    assert_eq!(warned.status, 0, "{}", warned.stderr);
    assert!(warned.stderr.contains("D007"), "{}", warned.stderr);
    assert!(
        warned.stderr.ends_with("4 delivered, 0 not delivered\n"),
        "{}",
        warned.stderr
    );
}

/// A project with two targets normalised to EBU R128: `broadcast`, and
/// `tv` (quiet dialogue raised to -23 LUFS; with the click it cannot be:
/// the gain would take the click over the true-peak ceiling, E0605); and
/// `sync`, the 2-pop (the click's bus is only there so the click is used).
fn spec_recipe(broadcast: &str, tv_bus: &str) -> String {
    format!(
        r#"import "std/layouts"
import "std/delivery/ebu"

project "Specs" {{
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}}

stem dx {{
    role dialogue
    layout 1.0
    file "stems/dx.wav"
    at 01:00:00:00
}}

stem fx {{
    role effects
    layout 2.0
    file "stems/fx.wav"
    at 01:00:00:00
}}

stem pop {{
    role sync
    layout 1.0
    tone 1kHz -20dBFS for 1f
    at 01:00:00:12
}}

stem click {{
    role effects
    layout 1.0
    file "stems/click.wav"
    at 01:00:01:00
}}

bus DX 2.0 {{ dx }}
bus FX 2.0 {{ fx }}
bus POP 2.0 {{ pop }}
bus CLICK 2.0 {{ click }}
bus TV 2.0 {{ {tv_bus} }}

target broadcast {{
    from DX FX
    layout 2.0
    format wav 48kHz 24bit
    spec ebu.r128{broadcast}
}}

target tv {{
    from TV
    layout 2.0
    format wav 48kHz 24bit
    spec ebu.r128
}}

target sync {{
    from POP
    layout 2.0
    format wav 48kHz 24bit
}}
"#
    )
}

/// A deliverable that passes, then fails after an edit (D004: `normalize
/// off` and 6 dB more effects; a render error: a click the normaliser cannot
/// raise without breaking the true-peak ceiling), loses its file in `out/`;
/// reverting the edit delivers it again, its stage fresh in the cache.
#[test]
fn a_deliverable_that_fails_after_an_edit_leaves_out_and_returns_when_fixed() {
    let good = spec_recipe("", "dx -30dB");
    let test = project(&good);
    let dir = test.path();
    let first = sndtrk(&dir, &["build"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let passed = outputs(&dir);
    assert_eq!(
        files(&dir),
        with_reports(&["broadcast.wav", "sync.wav", "tv.wav"])
    );

    let bad = spec_recipe("\n    normalize off", "dx -30dB click")
        .replace("bus FX 2.0 { fx }", "bus FX 2.0 { fx 6dB }");
    fs::write(dir.join("soundtrack.sndtrk"), &bad).unwrap();
    let failed = sndtrk(&dir, &["build"]);
    assert_eq!(failed.status, 1, "{}", failed.stderr);
    let stderr = &failed.stderr;
    assert!(stderr.contains("target:tv failed:"), "{stderr}");
    assert!(
        stderr.contains("above the ceiling of -1.0 dBTP"),
        "{stderr}"
    );
    assert!(stderr.contains("× target `broadcast` measures"), "{stderr}");
    assert!(
        stderr.ends_with(
            "not delivered out/broadcast.wav: fails D004; the earlier file was removed\n\
             not delivered out/tv.wav: target:tv failed; the earlier file was removed\n\
             delivered out/sync.wav\n\
             1 delivered, 2 not delivered\n"
        ),
        "{stderr}"
    );
    assert_eq!(files(&dir), with_reports(&["sync.wav"]));

    // Fixed: the stages' earlier outputs are in the cache under the old
    // keys, so they are fresh, and delivered again.
    fs::write(dir.join("soundtrack.sndtrk"), &good).unwrap();
    let fixed = sndtrk(&dir, &["build", "--format", "json"]);
    assert_eq!(fixed.status, 0, "{}", fixed.stderr);
    let statuses = crate::audio_support::project::statuses(&fixed.stdout);
    assert_eq!(statuses["target:broadcast"], "fresh");
    assert_eq!(statuses["target:tv"], "fresh");
    assert_eq!(outputs(&dir), passed);
}

/// `build --format json` ends with one summary object: the totals, every
/// deliverable with its measurement, diagnostics and verdict, and the
/// diagnostics that point at no deliverable.
#[test]
fn the_json_summary_gives_every_deliverable_its_measurement_and_verdict() {
    // The songs project without licences, `nested` raised by 48 dB, a
    // writer without a society (C005, a warning at 1M1), a target whose
    // spec gates on dialogue, and a suppression without a reason (E0221,
    // at no deliverable); `RADIO`, which nothing reads once `nested` is
    // rendered from `LOUD`, is D005 (warned).
    let recipe = songs_recipe(false)
        .replacen(
            r#"writer "Ana Ruiz" society ASCAP"#,
            r#"writer "Ana Ruiz""#,
            1,
        )
        .replace(
            "import \"std/delivery/ebu\"",
            "import \"std/delivery/ebu\"\nimport \"std/delivery/netflix\"",
        )
        .replace(
            "bus RADIO 2.0 { MX }",
            "bus RADIO 2.0 { MX }\nbus LOUD 2.0 { fx 48dB }",
        )
        .replace("    from FX RADIO", "    from LOUD");
    let recipe = format!(
        "{recipe}\ntarget streaming {{\n    from DX FX SCORE\n    layout 2.0\n    format wav 48kHz 24bit\n    spec netflix.stereo\n}}\n\n// sndtrk: allow(C005)\nlint {{\n    warn D005\n    allow C006\n}}\n"
    );
    let test = project(&recipe);
    let dir = test.path();
    let ran = sndtrk(&dir, &["build", "--format", "json"]);
    assert_eq!(ran.status, 1, "{}", ran.stderr);
    // Every line is a stage's but the last, the summary.
    let lines: Vec<serde_json::Value> = ran
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let (summary, stages) = lines.split_last().unwrap();
    assert!(stages.iter().all(|line| line.get("stage").is_some()));
    assert!(summary.get("stage").is_none());
    let mut summary = summary.clone();
    summary["summary"]["seconds"] = serde_json::json!(0.0);
    let expected: serde_json::Value = serde_json::from_str(JSON_SUMMARY).unwrap();
    assert_eq!(
        summary,
        expected,
        "{}",
        serde_json::to_string_pretty(&summary).unwrap()
    );
    // Only what is not blocked was built (the song's bus `MX` was not).
    assert!(!stages.iter().any(|line| line["stage"] == "bus:MX"));
    assert_eq!(files(&dir), with_reports(&["clean.wav", "streaming.wav"]));
}

/// The summary object of `the_json_summary_…` (its `seconds` zeroed), in
/// the order sndtrk prints its keys.
const JSON_SUMMARY: &str = r#"{
  "deliverables": [
    {
      "deliverable": "target:clean",
      "delivered": true,
      "diagnostics": [
        {
          "code": "C005",
          "column": 5,
          "end_column": 33,
          "end_line": 31,
          "file": "soundtrack.sndtrk",
          "help": "add the writer's performing-rights society, such as `society ASCAP`",
          "line": 31,
          "message": "writer \"Ana Ruiz\" of cue 1M1 has no society",
          "severity": "warning"
        }
      ],
      "file": "out/clean.wav",
      "measurement": {
        "clipped_samples": 0,
        "dialogue_gated_lufs": null,
        "first_clip": null,
        "integrated_lufs": -22.98,
        "lra_lu": 0.0,
        "sample_peak_dbfs": -18.13,
        "true_peak_dbtp": -17.82
      },
      "reason": null,
      "verdict": "delivered"
    },
    {
      "deliverable": "target:song",
      "delivered": false,
      "diagnostics": [
        {
          "code": "C005",
          "column": 5,
          "end_column": 33,
          "end_line": 31,
          "file": "soundtrack.sndtrk",
          "help": "add the writer's performing-rights society, such as `society ASCAP`",
          "line": 31,
          "message": "writer \"Ana Ruiz\" of cue 1M1 has no society",
          "severity": "warning"
        },
        {
          "code": "R001",
          "column": 13,
          "end_column": 15,
          "end_line": 60,
          "file": "soundtrack.sndtrk",
          "help": "add an executed sync licence for 2M1 covering 2027-03-14",
          "line": 60,
          "message": "song 2M1 reaches target `song` without an executed sync licence",
          "severity": "error"
        },
        {
          "code": "R002",
          "column": 13,
          "end_column": 15,
          "end_line": 60,
          "file": "soundtrack.sndtrk",
          "help": "add an executed master licence for 2M1 covering 2027-03-14",
          "line": 60,
          "message": "song 2M1 reaches target `song` without an executed master licence",
          "severity": "error"
        }
      ],
      "file": "out/song.wav",
      "measurement": null,
      "reason": "blocked by R001, R002",
      "verdict": "blocked"
    },
    {
      "deliverable": "target:nested",
      "delivered": false,
      "diagnostics": [
        {
          "code": "D007",
          "column": 8,
          "end_column": 14,
          "end_line": 65,
          "file": "soundtrack.sndtrk",
          "help": "lower what feeds it (a bus member's or a clip's `gain`) until it peaks under 0 dBTP, or normalise it to a spec with a true-peak ceiling",
          "line": 65,
          "message": "target `nested` clips: 283117 samples at full scale, the first at 01:00:00:00",
          "severity": "error"
        }
      ],
      "file": "out/nested.wav",
      "measurement": {
        "clipped_samples": 283117,
        "dialogue_gated_lufs": null,
        "first_clip": "01:00:00:00",
        "integrated_lufs": 2.53,
        "lra_lu": 0.0,
        "sample_peak_dbfs": 0.0,
        "true_peak_dbtp": 6.66
      },
      "reason": "fails D007",
      "verdict": "rejected"
    },
    {
      "deliverable": "target:streaming",
      "delivered": true,
      "diagnostics": [
        {
          "code": "C005",
          "column": 5,
          "end_column": 33,
          "end_line": 31,
          "file": "soundtrack.sndtrk",
          "help": "add the writer's performing-rights society, such as `society ASCAP`",
          "line": 31,
          "message": "writer \"Ana Ruiz\" of cue 1M1 has no society",
          "severity": "warning"
        }
      ],
      "file": "out/streaming.wav",
      "measurement": {
        "clipped_samples": 0,
        "dialogue_gated_lufs": -26.98,
        "first_clip": null,
        "integrated_lufs": -26.98,
        "lra_lu": 0.0,
        "sample_peak_dbfs": -22.13,
        "true_peak_dbtp": -21.82
      },
      "reason": null,
      "verdict": "delivered"
    },
    {
      "deliverable": "album:ost/01",
      "delivered": false,
      "diagnostics": [
        {
          "code": "C005",
          "column": 5,
          "end_column": 33,
          "end_line": 31,
          "file": "soundtrack.sndtrk",
          "help": "add the writer's performing-rights society, such as `society ASCAP`",
          "line": 31,
          "message": "writer \"Ana Ruiz\" of cue 1M1 has no society",
          "severity": "warning"
        },
        {
          "code": "R003",
          "column": 11,
          "end_column": 14,
          "end_line": 74,
          "file": "soundtrack.sndtrk",
          "help": "add an executed album licence for 2M1 covering 2027-03-14",
          "line": 74,
          "message": "song 2M1 is on album `ost` without an executed album licence",
          "severity": "error"
        }
      ],
      "file": "out/ost/01 Theme.wav",
      "measurement": null,
      "reason": "blocked by R003",
      "verdict": "blocked"
    },
    {
      "deliverable": "album:ost/02",
      "delivered": false,
      "diagnostics": [
        {
          "code": "R003",
          "column": 11,
          "end_column": 14,
          "end_line": 74,
          "file": "soundtrack.sndtrk",
          "help": "add an executed album licence for 2M1 covering 2027-03-14",
          "line": 74,
          "message": "song 2M1 is on album `ost` without an executed album licence",
          "severity": "error"
        }
      ],
      "file": "out/ost/02 Radio.wav",
      "measurement": null,
      "reason": "blocked by R003",
      "verdict": "blocked"
    }
  ],
  "diagnostics": [
    {
      "code": "D005",
      "column": 5,
      "end_column": 10,
      "end_line": 49,
      "file": "soundtrack.sndtrk",
      "help": "add `RADIO` to a target's `from` or to another bus, or remove the bus",
      "line": 49,
      "message": "bus `RADIO` is used by no target, no other bus and no dialogue gate",
      "severity": "warning"
    },
    {
      "code": "E0221",
      "column": 1,
      "end_column": 23,
      "end_line": 85,
      "file": "soundtrack.sndtrk",
      "help": "say why after the parenthesis: `// sndtrk: allow(C005) the reason it is acceptable here`; a suppression without a reason silences nothing",
      "line": 85,
      "message": "the suppression of C005 gives no reason",
      "severity": "error"
    }
  ],
  "summary": {
    "delivered": 2,
    "errors": 5,
    "failed": 0,
    "fetched": 0,
    "fresh": 0,
    "not_delivered": 4,
    "ran": 15,
    "seconds": 0.0,
    "skipped": 0,
    "warnings": 2
  }
}"#;
