//! Music heard through an object (`object NAME { role music cue 1M3 … }`):
//! the object plays the cue's clip, counts its path from the cue's start,
//! and the cue sheet, the rights matrix and the rights rules count the cue
//! in every deliverable of the scene.

use std::fs;

use crate::{
    adm::{signal, wav},
    audio_support::project::build,
    test::Test,
};

const HEAD: &str = r#"project "Harbor" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }

import "std/layouts"

bus BED 7.1.2 { }
immersive harbor { bed BED objects [flute] }
target atmos { from harbor format adm 48kHz 24bit }
target home { from harbor layout 5.1 format wav 48kHz 24bit }
"#;

const CUE: &str = r#"
cue 1M3 "Gulls Theme (flute)" {
    type score
    usage BI
    layout 1.0
    file "flute.wav"
    at 01:00:01:00
    gain -3dB
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbour Music" society ASCAP share 100%
}
"#;

const PATH: &str = "path [01:00:01:00 -1 1 0, 01:00:02:00 1 1 0.5, 01:00:02:12 jump 0 -1 1]";

/// Builds `recipe` with the flute's file; `out/`'s deliverables.
fn deliverables(recipe: &str) -> (Vec<u8>, Vec<u8>, String) {
    let test = Test::new()
        .recipe(recipe)
        .write("flute.wav", wav(1, 96_000, |f, c| signal(5, f, c)));
    let statuses = build(&test.path(), &[]);
    assert!(statuses.contains_key("object:flute"), "{statuses:?}");
    let read = |name: &str| fs::read(test.path().join("out").join(name)).unwrap();
    let cue_sheet = String::from_utf8(read("reports/cuesheet.csv")).unwrap();
    (read("atmos.wav"), read("home.wav"), cue_sheet)
}

#[test]
fn an_object_that_plays_a_cue_is_the_cue_s_clip_on_its_path() {
    let through_cue = format!("{HEAD}{CUE}\nobject flute {{ role music cue 1M3 {PATH} }}\n");
    let own_clip = format!(
        "{HEAD}\nobject flute {{ role music file \"flute.wav\" at 01:00:01:00 gain -3dB {PATH} }}\n"
    );
    let (master, home, cue_sheet) = deliverables(&through_cue);
    let (own_master, own_home, own_sheet) = deliverables(&own_clip);
    // The same audio, placement, gain and path: the same bytes.
    assert!(master == own_master, "the masters differ");
    assert!(home == own_home, "the re-renders differ");
    // Only the cue's object is music on the cue sheet.
    assert!(
        cue_sheet.contains("1M3,Gulls Theme (flute),score,BI,01:00:01:00,01:00:03:00"),
        "{cue_sheet}"
    );
    assert!(!own_sheet.contains("1M3"), "{own_sheet}");
}

#[test]
fn a_song_heard_through_an_object_needs_its_licences() {
    let recipe = format!(
        "{HEAD}{}\nobject flute {{ role music cue 1M3 position 0 1 0 }}\n",
        CUE.replace("type score", "type song")
            .replace("usage BI", "usage VV")
    );
    let test = Test::new()
        .recipe(&recipe)
        .write("flute.wav", wav(1, 96_000, |f, c| signal(5, f, c)));
    let ran = test.arg("check").status(1).stderr_any().run();
    for target in ["atmos", "home"] {
        assert!(
            ran.stderr.contains(&format!(
                "song 1M3 reaches target `{target}` without an executed sync licence"
            )),
            "{}",
            ran.stderr
        );
    }
    assert!(
        ran.stderr
            .contains("1M3 reaches this mix through object `flute`"),
        "{}",
        ran.stderr
    );
}
