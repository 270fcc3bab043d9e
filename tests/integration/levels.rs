//! Deliverables that agree: stems and the M&E that `match` the print
//! master sum to it and null against it, sample by sample; a dialogue-gated
//! spec gates on the dialogue stems wherever they are mixed. Levels are
//! measured with the meter written in `reference.rs`.

use std::path::Path;

use crate::{
    audio_support::hound_ints,
    reference,
    test::{Ran, Test},
};

const HEAD: &str = r#"import "std/layouts"
import "std/delivery/netflix"

project "Levels" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}
"#;

const STEMS: &str = r#"
stem dx { role dialogue layout 1.0 pan C noise pink -24dBFS for 4s at 01:00:00:00 }
stem mx { role music layout 2.0 tone 220Hz -26dBFS for 3s at 01:00:00:12 }
stem fx { role effects layout 5.1 noise pink -34dBFS for 4s at 01:00:00:00 }

bus DX 5.1 { dx }
bus MX 5.1 { mx }
bus FX 5.1 { fx }
bus ME 5.1 { MX FX }
bus PM 5.1 { DX ME }

target pm { from PM layout 5.1 format wav 48kHz 24bit spec netflix.surround }
target dx_stem { from DX layout 5.1 format wav 48kHz 24bit match pm }
target mx_stem { from MX layout 5.1 format wav 48kHz 24bit match pm }
target fx_stem { from FX layout 5.1 format wav 48kHz 24bit match pm }
target me { kind me from ME layout 5.1 format wav 48kHz 24bit spec netflix.me match pm }
"#;

/// Builds `recipe` in a fresh project; the run keeps the directory.
fn build(recipe: &str) -> Ran {
    Test::new().recipe(recipe).arg("build").stderr_any().run()
}

fn samples(dir: &Path, name: &str) -> Vec<f64> {
    let full = f64::from(1u32 << 23);
    hound_ints(&dir.join("out").join(name))
        .into_iter()
        .map(|sample| f64::from(sample) / full)
        .collect()
}

/// The largest difference between `a` and the sum of `parts`, in dBFS.
fn residue_dbfs(a: &[f64], parts: &[&[f64]]) -> f64 {
    for part in parts {
        assert_eq!(part.len(), a.len(), "deliverables of different lengths");
    }
    let worst = (0..a.len())
        .map(|i| (a[i] - parts.iter().map(|part| part[i]).sum::<f64>()).abs())
        .fold(0.0f64, f64::max);
    20.0 * worst.log10()
}

fn lufs_5_1(samples: &[f64], rate: u32) -> f64 {
    let floats: Vec<f32> = samples.iter().map(|&s| s as f32).collect();
    reference::integrated_lufs(&floats, &[1.0, 1.0, 1.0, 0.0, 1.41, 1.41], rate)
}

#[test]
fn stems_and_the_m_and_e_that_match_the_print_master_null_against_it() {
    let ran = build(&format!("{HEAD}{STEMS}"));
    let dir = ran.path();
    let pm = samples(dir, "pm.wav");
    let (dx, mx, fx, me) = (
        samples(dir, "dx_stem.wav"),
        samples(dir, "mx_stem.wav"),
        samples(dir, "fx_stem.wav"),
        samples(dir, "me.wav"),
    );
    // The print master was normalised (by several dB: the mix sits well
    // above -27), so a stem rendered at its own level could not null.
    let measured = lufs_5_1(&pm, 48_000);
    assert!((measured - -27.0).abs() < 2.0, "pm at {measured:.2} LUFS");
    let stems = residue_dbfs(&pm, &[&dx, &mx, &fx]);
    let dx_me = residue_dbfs(&pm, &[&dx, &me]);
    // Each file is dithered on its own: what is left is a few LSB of
    // 24-bit dither, far below -90 dBFS.
    assert!(
        stems < -110.0,
        "DX + MX + FX against the print master: {stems:.1} dBFS"
    );
    assert!(
        dx_me < -110.0,
        "DX + M&E against the print master: {dx_me:.1} dBFS"
    );
    // And the stems are not silence.
    assert!(residue_dbfs(&pm, &[&dx]) > -40.0);
}

#[test]
fn a_stem_that_does_not_match_is_at_its_own_level() {
    let recipe = format!("{HEAD}{STEMS}").replace(
        "target dx_stem { from DX layout 5.1 format wav 48kHz 24bit match pm }",
        "target dx_stem { from DX layout 5.1 format wav 48kHz 24bit }",
    );
    let ran = build(&recipe);
    let dir = ran.path();
    let (pm, dx, me) = (
        samples(dir, "pm.wav"),
        samples(dir, "dx_stem.wav"),
        samples(dir, "me.wav"),
    );
    assert!(residue_dbfs(&pm, &[&dx, &me]) > -60.0);
}

/// A mix without a dialogue bus: `bus MIX { dx gun }`. Dialogue for the
/// first 3 s, then, after half a second (more than a 400 ms gating block),
/// a loud effect for 2 s; the dialogue must land on the spec's -27 LKFS,
/// not the whole programme.
const MIXED: &str = r#"
stem dx { role dialogue layout 1.0 pan C noise pink -30dBFS for 3s at 01:00:00:00 }
stem gun { role effects layout 5.1 noise pink -20dBFS for 2s at 01:00:03:12 }
bus MIX 5.1 { dx gun }
target pm { from MIX layout 5.1 format wav 48kHz 24bit spec netflix.surround limiter on }
"#;

#[test]
fn a_dialogue_gated_spec_gates_on_the_dialogue_stems_in_any_bus() {
    for recipe in [
        format!("{HEAD}{MIXED}"),
        // Naming the stem is the same gate.
        format!("{HEAD}{MIXED}").replace("limiter on }", "limiter on dialogue_gate dx }"),
    ] {
        let ran = build(&recipe);
        let pm = samples(ran.path(), "pm.wav");
        // The dialogue alone: the first 2.5 s (6 channels).
        let dialogue = &pm[..48_000 * 5 / 2 * 6];
        let measured = lufs_5_1(dialogue, 48_000);
        assert!(
            (measured - -27.0).abs() < 1.0,
            "the dialogue measures {measured:.2} LUFS"
        );
        // The whole programme is far louder than the dialogue.
        assert!(lufs_5_1(&pm, 48_000) > -22.0);
    }
}

/// An album of two score cues recorded at different levels, one of them
/// 5.1: with `spec album.streaming` the album as one lands on -14 LUFS and
/// the tracks keep their levels relative to each other.
fn album(spec: &str, edit: &str) -> String {
    format!(
        r#"import "std/layouts"
import "std/delivery/album"

project "Levels" {{
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}}

cue 1M1 "Harbour Lights" {{
    type score
    usage BI
    layout 5.1
    noise pink -30dBFS for 4s
    at 01:00:00:00
    trim head 1s
    fade out 1s
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbor Music" society ASCAP share 100%
}}

cue 2M1 "Night Drive" {{
    type score
    usage BI
    tone 440Hz -20dBFS for 3s
    at 01:00:05:00
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbor Music" society ASCAP share 100%
}}

album ost "Levels (Original Score)" {{
    kind score
    track 1M1{edit}
    track 2M1
    format wav 44.1kHz 24bit
    {spec}
}}
"#
    )
}

fn lufs_stereo(samples: &[f64], rate: u32) -> f64 {
    let floats: Vec<f32> = samples.iter().map(|&s| s as f32).collect();
    reference::integrated_lufs(&floats, &[1.0, 1.0], rate)
}

#[test]
fn an_album_with_a_loudness_spec_is_normalised_as_one_keeping_its_track_levels() {
    let plain = build(&album("", ""));
    let normalised = build(&album("spec album.streaming", ""));
    let tracks = |ran: &Ran| {
        [
            samples(ran.path(), "ost/01 Harbour Lights.wav"),
            samples(ran.path(), "ost/02 Night Drive.wav"),
        ]
    };
    let [plain_1, plain_2] = tracks(&plain);
    let [track_1, track_2] = tracks(&normalised);
    // The 5.1 cue is folded to stereo (Lo/Ro), not dropped; the album
    // version is the whole 4 s recording (no trim), at 44.1 kHz.
    assert_eq!(track_1.len(), 4 * 44_100 * 2);
    assert_eq!(plain_1.len(), track_1.len());
    let whole: Vec<f64> = track_1.iter().chain(&track_2).copied().collect();
    let album = lufs_stereo(&whole, 44_100);
    assert!(
        (album - -14.0).abs() < 1.0,
        "the album measures {album:.2} LUFS"
    );
    // One gain for both tracks: their difference is as recorded.
    let recorded = lufs_stereo(&plain_1, 44_100) - lufs_stereo(&plain_2, 44_100);
    let delivered = lufs_stereo(&track_1, 44_100) - lufs_stereo(&track_2, 44_100);
    assert!(
        (recorded - delivered).abs() < 0.1,
        "tracks {recorded:.2} LU apart as recorded, {delivered:.2} LU as delivered"
    );
    assert!(recorded.abs() > 1.0, "the test's tracks differ in level");
}

#[test]
fn edit_film_takes_the_films_edit_of_the_cue() {
    let ran = build(&album("", " edit film"));
    let track = samples(ran.path(), "ost/01 Harbour Lights.wav");
    // 4 s trimmed by 1 s at the head.
    assert_eq!(track.len(), 3 * 44_100 * 2);
}

/// D004 for an album: its tracks as delivered, measured as one, against
/// its spec. A spec whose ceiling the limiter must hold far under the
/// loudness it asks cannot be met: the album is not delivered.
#[test]
fn an_album_that_misses_its_spec_as_one_is_d004_at_its_spec() {
    let recipe = album("spec squeezed", "").replace(
        "import \"std/delivery/album\"",
        "import \"std/delivery/album\"\n\nspec squeezed {\n    layout 2.0\n    loudness -14LUFS tolerance 1LU gate programme\n    true_peak -30dBTP\n    limiter on\n}",
    );
    let ran = Test::new()
        .recipe(&recipe)
        .arg("build")
        .status(1)
        .stderr_any()
        .run();
    assert!(
        ran.stderr.contains("× album `ost` measures ")
            && ran
                .stderr
                .contains(" LUFS as one, outside squeezed (-14 LUFS ±1 LU)"),
        "{}",
        ran.stderr
    );
    assert!(!ran.path().join("out/ost").exists(), "{}", ran.stderr);
}
