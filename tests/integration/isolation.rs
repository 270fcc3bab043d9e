//! A broken source fails only what reads it (issue 10, item 9): a missing
//! file, a truncated WAV or a text file named `.wav` fails the buses that
//! use it (with the file's own error, once), and through them the
//! deliverables that depend on those buses; the timeline is computed
//! without the clip, every other deliverable is rendered and delivered, and
//! when the file is mended the next build equals a clean one byte for byte.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use sndtrk::audio::{ChannelLayout, SampleFormat, WavReader};

use crate::{
    audio_support::{test_signal, write_wav},
    outputs::outputs,
    test::Test,
};

/// A reel with dialogue, effects and music buses, a print master, two stem
/// deliverables and a score album. The effects stem starts a second before
/// picture and so sets the programme's start; without it the programme is
/// 3 s from 01:00:00:00, with it 4 s from 00:59:59:00.
const RECIPE: &str = r#"import "std/layouts"
import "std/delivery/netflix"
import "std/delivery/album"

project "Isolation" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

// The stems render at their mixed level on purpose: a stem that matched
// the print master would read the whole mix.
lint { allow D008 }

stem dx { role dialogue layout 1.0 pan C file "stems/dx.wav" at 01:00:00:00 }
stem fx { role effects layout 5.1 file "stems/fx.wav" at 00:59:59:00 }
stem amb { role ambience layout 5.1 noise pink -44dBFS for 3s at 01:00:00:00 }

cue 1M1 "Harbor Lights" {
    type score
    usage BI
    file "music/1M1.wav"
    at 01:00:00:12
    fade in 500ms out 500ms
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Night Harbor Music" society ASCAP share 100%
}

cue 1M2 "Ocean Drive" {
    type score
    usage BI
    tone 440Hz -26dBFS for 2s
    at 01:00:01:00
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Night Harbor Music" society ASCAP share 100%
}

bus DX 5.1 { dx }
bus MX 5.1 { cues }
bus FX 5.1 { fx amb }
bus PM 5.1 { DX MX FX }

target pm { from PM layout 5.1 format wav 48kHz 24bit spec netflix.surround }
target dx_stem { from DX layout 5.1 format wav 48kHz 24bit }
target mx_stem { from MX layout 5.1 format wav 48kHz 24bit }

album ost "Isolation (Original Score)" {
    kind score
    track 1M1
    track 1M2
    format wav 44.1kHz 16bit
    spec album.streaming
}
"#;

/// The same reel without the effects stem.
fn without_fx() -> String {
    RECIPE
        .replace(
            "stem fx { role effects layout 5.1 file \"stems/fx.wav\" at 00:59:59:00 }\n",
            "",
        )
        .replace("bus FX 5.1 { fx amb }", "bus FX 5.1 { amb }")
}

const SOURCES: [&str; 3] = ["stems/dx.wav", "stems/fx.wav", "music/1M1.wav"];

/// The bytes of a good source file (`stems/dx.wav`, `stems/fx.wav` or
/// `music/1M1.wav`).
fn source(name: &str) -> Vec<u8> {
    let (channels, layout, seconds) = match name {
        "stems/dx.wav" => (1, ChannelLayout::mono(), 3),
        "stems/fx.wav" => (6, ChannelLayout::surround_5_1(), 4),
        _ => (2, ChannelLayout::stereo(), 2),
    };
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("source.wav");
    let mut samples = test_signal(channels, seconds * 48_000, 48_000);
    // Quieter than the test signal, as effects and music sit under speech.
    samples.iter_mut().for_each(|sample| *sample *= 0.5);
    write_wav(&path, &samples, layout, SampleFormat::Int24, 48_000, None);
    fs::read(path).unwrap()
}

/// A project directory with `recipe` and the sources named in `sources`.
fn project(recipe: &str, sources: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("sndtrk-isolation")
        .tempdir()
        .unwrap();
    fs::write(dir.path().join("soundtrack.sndtrk"), recipe).unwrap();
    for name in sources {
        put(dir.path(), name, &source(name));
    }
    dir
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Builds `dir`; its exit status and standard error.
fn build(dir: &Path) -> (i32, String) {
    let ran = Test::at(dir).arg("build").status_any().stderr_any().run();
    (ran.status, ran.stderr)
}

/// A progress line without its seconds: `ran bus:DX (0.25s)` is
/// `ran bus:DX`, `3 ran, 0 fresh in 0.50s` is `3 ran, 0 fresh`.
fn untimed(line: &str) -> String {
    if let Some(open) = line.find(" (") {
        if let Some(close) = line[open..].find("s)") {
            let seconds = &line[open + 2..open + close];
            if seconds.parse::<f64>().is_ok() {
                return format!("{}{}", &line[..open], &line[open + close + 2..]);
            }
        }
    }
    match line.rfind(" in ") {
        Some(at) if line.ends_with('s') && line.contains(" fresh") => line[..at].to_owned(),
        _ => line.to_owned(),
    }
}

/// The files of `out/`, by name.
fn names(outputs: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    outputs
        .keys()
        .map(|path| path.to_string_lossy().into_owned())
        .collect()
}

/// What `out/` holds when the effects stem cannot be read: everything that
/// does not hear it.
const WITHOUT_FX: [&str; 8] = [
    "dx_stem.wav",
    "mx_stem.wav",
    "ost/01 Harbor Lights.wav",
    "ost/02 Ocean Drive.wav",
    "reports/cuesheet.csv",
    "reports/cuesheet.json",
    "reports/index.html",
    "reports/rights.json",
];

/// Builds the reel with `stems/fx.wav` holding `broken` (absent when
/// `None`): only bus:FX fails, with `error` (the whole report), and the
/// print master with it; the rest is delivered, and equals the reel built
/// without the effects stem at all. Then the good file is written: the
/// next build equals a clean build of the whole reel, byte for byte.
fn effects_stem_broken(broken: Option<&[u8]>, failed: &str, error: &str, clean: &Path) {
    let reel = project(RECIPE, &["stems/dx.wav", "music/1M1.wav"]);
    let dir = reel.path();
    if let Some(bytes) = broken {
        put(dir, "stems/fx.wav", bytes);
    }
    let (status, stderr) = build(dir);
    assert_eq!(status, 1, "{stderr}");
    // The build's checks read the file first: its error, at the recipe's
    // line, blocks what the stem reaches (the print master), so the effects
    // bus is not even rendered; everything else is.
    assert_once(&stderr, error);
    assert!(
        stderr.contains(&format!(
            "not delivered out/pm.wav: blocked by {}\n",
            code_of(error)
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("bus:FX"), "{failed}\n{stderr}");
    assert!(
        untimed_text(&stderr)
            .contains("ran timeline\ntimeline left out stem fx, whose audio cannot be read\n"),
        "the note follows its stage's line\n{stderr}"
    );
    let broken_out = outputs(dir);
    assert_eq!(names(&broken_out), WITHOUT_FX);

    // What was delivered is what a reel without the effects stem delivers:
    // the programme starts at picture, 3 s long.
    let alone = project(&without_fx(), &["stems/dx.wav", "music/1M1.wav"]);
    let (status, stderr) = build(alone.path());
    assert_eq!(status, 0, "{stderr}");
    let alone_out = outputs(alone.path());
    // (The QC report tells the two builds apart: it lists the blocked ones.)
    for name in WITHOUT_FX
        .iter()
        .filter(|name| **name != "reports/index.html")
    {
        let name = Path::new(name);
        assert!(
            broken_out[name] == alone_out[name],
            "{} differs from the reel without fx",
            name.display()
        );
    }
    let stem = WavReader::open(dir.join("out/dx_stem.wav")).unwrap();
    assert_eq!(stem.format().time_reference, Some(3600 * 48_000));
    assert_eq!(stem.format().frames, 3 * 48_000);

    // The file is mended: the timeline's key changes, and everything is
    // rendered as a clean build renders it.
    put(dir, "stems/fx.wav", &source("stems/fx.wav"));
    let (status, stderr) = build(dir);
    assert_eq!(status, 0, "{stderr}");
    let mended = outputs(dir);
    let clean_out = outputs(clean);
    assert_eq!(names(&mended), names(&clean_out));
    for (name, bytes) in &clean_out {
        assert!(
            mended[name] == *bytes,
            "{} differs from a clean build",
            name.display()
        );
    }
    let stem = WavReader::open(dir.join("out/dx_stem.wav")).unwrap();
    assert_eq!(stem.format().time_reference, Some(3599 * 48_000));
    assert_eq!(stem.format().frames, 4 * 48_000);
}

/// The code an error's report starts with (`E0501` of `E0501\n\n  × …`).
fn code_of(error: &str) -> &str {
    error.lines().next().unwrap_or_default()
}

/// `error` (a whole rendered report) is in `stderr`, and its code only once.
fn assert_once(stderr: &str, error: &str) {
    assert!(stderr.contains(error), "{error}\nnot in\n{stderr}");
    assert_eq!(
        stderr.matches(code_of(error)).count(),
        2,
        "the code, and the summary's `blocked by`\n{stderr}"
    );
}

fn untimed_text(stderr: &str) -> String {
    stderr.lines().map(|line| untimed(line) + "\n").collect()
}

/// A clean build of the whole reel, every source in place.
fn clean_reel() -> tempfile::TempDir {
    let clean = project(RECIPE, &SOURCES);
    let (status, stderr) = build(clean.path());
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        names(&outputs(clean.path())),
        [
            "dx_stem.wav",
            "mx_stem.wav",
            "ost/01 Harbor Lights.wav",
            "ost/02 Ocean Drive.wav",
            "pm.wav",
            "reports/cuesheet.csv",
            "reports/cuesheet.json",
            "reports/index.html",
            "reports/rights.json",
        ]
    );
    clean
}

#[test]
fn a_missing_stem_fails_only_what_hears_it_until_it_is_found() {
    let clean = clean_reel();
    effects_stem_broken(
        None,
        "failed bus:FX: stem fx: cannot open `./stems/fx.wav`: No such file or directory (os error 2)",
        "E0501\n\n  × cannot open `stems/fx.wav`: No such file or directory (os error 2)\n",
        clean.path(),
    );
}

#[test]
fn a_truncated_stem_or_a_text_file_fails_the_same_way_until_it_is_mended() {
    let clean = clean_reel();
    let good = source("stems/fx.wav");
    let truncated = &good[..good.len() / 2];
    // 4 s of 6 channels of 24-bit samples, after a header.
    let claimed = 4 * 48_000 * 6 * 3;
    let available = truncated.len() - (good.len() - claimed);
    effects_stem_broken(
        Some(truncated),
        &format!(
            "failed bus:FX: stem fx: `./stems/fx.wav` is truncated: its data chunk claims {claimed} bytes but the file ends after {available}"
        ),
        &format!(
            "E0503\n\n  × `stems/fx.wav` is truncated: its data chunk claims {claimed} bytes but the\n  │ file ends after {available}\n"
        ),
        clean.path(),
    );
    effects_stem_broken(
        Some(b"These are the effects, in words.\n"),
        "failed bus:FX: stem fx: `./stems/fx.wav` is not a WAV file (it starts with `Thes`, not `RIFF….WAVE`)",
        "E0502\n\n  × `stems/fx.wav` is not a WAV file",
        clean.path(),
    );
}

/// The dialogue stem is read by its bus and by the print master's dialogue
/// gate: both fail, with one error printed once for the two.
#[test]
fn a_missing_dialogue_stem_is_one_error_for_its_bus_and_its_gate() {
    let reel = project(RECIPE, &["stems/fx.wav", "music/1M1.wav"]);
    let dir = reel.path();
    let (status, stderr) = build(dir);
    assert_eq!(status, 1, "{stderr}");
    // The build's checks find the file missing, once, at the recipe's
    // line, and block what the stem reaches: its stem target and the print
    // master (whose dialogue gate reads it too).
    let missing =
        "E0501\n\n  × cannot open `stems/dx.wav`: No such file or directory (os error 2)\n";
    assert!(stderr.contains(missing), "{stderr}");
    assert_eq!(stderr.matches("× cannot open").count(), 1, "{stderr}");
    for blocked in ["dx_stem", "pm"] {
        assert!(
            stderr.contains(&format!(
                "not delivered out/{blocked}.wav: blocked by E0501\n"
            )),
            "{stderr}"
        );
    }
    assert!(!stderr.contains("bus:DX"), "{stderr}");
    assert_eq!(
        names(&outputs(dir)),
        [
            "mx_stem.wav",
            "ost/01 Harbor Lights.wav",
            "ost/02 Ocean Drive.wav",
            "reports/cuesheet.csv",
            "reports/cuesheet.json",
            "reports/index.html",
            "reports/rights.json",
        ]
    );
}

/// A cue's file is read by the music bus and by its album track: what the
/// cue reaches is blocked, once; the dialogue stem is delivered.
/// The cue sheet needs the cue's length, so it is not written (its stages
/// are not made, see `stages/report.rs`); the rights matrix is.
#[test]
fn a_missing_cue_fails_its_bus_and_its_album_track_alone() {
    let reel = project(RECIPE, &["stems/dx.wav", "stems/fx.wav"]);
    let dir = reel.path();
    let (status, stderr) = build(dir);
    assert_eq!(status, 1, "{stderr}");
    // Found by the checks, once: what the cue reaches is blocked (the
    // music stem, the print master and the cue's album track).
    let missing =
        "E0501\n\n  × cannot open `music/1M1.wav`: No such file or directory (os error 2)\n";
    assert!(stderr.contains(missing), "{stderr}");
    assert_eq!(stderr.matches("× cannot open").count(), 1, "{stderr}");
    for blocked in ["mx_stem.wav", "pm.wav"] {
        assert!(
            stderr.contains(&format!("not delivered out/{blocked}: blocked by E0501\n")),
            "{stderr}"
        );
    }
    assert_eq!(
        names(&outputs(dir)),
        // The album is one deliverable (one gain for all its tracks): a
        // track that cannot be made blocks all of it.
        ["dx_stem.wav", "reports/index.html", "reports/rights.json"]
    );
}

/// A stem that goes missing after a build and comes back: the build
/// without it renders what does not hear it on the shorter programme; put
/// back, the file's old identity keys every stage as before, and all
/// comes back from the cache as a clean build made it.
#[test]
fn a_stem_that_goes_missing_and_comes_back_restores_the_earlier_build() {
    let reel = project(RECIPE, &SOURCES);
    let dir = reel.path();
    let (status, stderr) = build(dir);
    assert_eq!(status, 0, "{stderr}");
    let first = outputs(dir);
    let fx = fs::read(dir.join("stems/fx.wav")).unwrap();
    fs::remove_file(dir.join("stems/fx.wav")).unwrap();
    let (status, stderr) = build(dir);
    assert_eq!(status, 1, "{stderr}");
    assert!(
        untimed_text(&stderr)
            .contains("ran timeline\ntimeline left out stem fx, whose audio cannot be read\n"),
        "{stderr}"
    );
    let stem = WavReader::open(dir.join("out/dx_stem.wav")).unwrap();
    assert_eq!(stem.format().frames, 3 * 48_000);
    put(dir, "stems/fx.wav", &fx);
    let (status, stderr) = build(dir);
    assert_eq!(status, 0, "{stderr}");
    assert!(!stderr.contains("ran "), "nothing renders again\n{stderr}");
    assert!(outputs(dir) == first, "the earlier build is back");
}
