//! The lint rules through `sndtrk check` (and D004 through `sndtrk build`):
//! per rule, a fixture that fires it (with the whole rendered output) and
//! one that does not; configuration, suppression, and the example recipe.

use std::path::PathBuf;

use sndtrk::lint::Check;

use crate::test::Test;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(fixtures().join(path)).unwrap()
}

pub fn example() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/night-harbor/soundtrack.sndtrk"),
    )
    .unwrap()
}

/// The codes of the diagnostics `sndtrk check` reports for `recipe`, with their lines.
pub fn codes(recipe: &str) -> Vec<(String, usize)> {
    let ran = Test::new()
        .recipe(recipe)
        .args(["check", "--format", "json"])
        .status_any()
        .stdout_any()
        .run();
    let diagnostics: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap().to_owned(),
                diagnostic["line"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}

/// The fixture `lint/CODE/fires.sndtrk` gives exactly `lint/CODE/fires.stderr`
/// and only diagnostics of `CODE`.
fn fires(code: &str, status: i32) {
    let recipe = fixture(&format!("lint/{code}/fires.sndtrk"));
    let expected = fixture(&format!("lint/{code}/fires.stderr"));
    Test::new()
        .recipe(&recipe)
        .arg("check")
        .status(status)
        .stderr(&expected)
        .run();
    let found = codes(&recipe);
    assert!(!found.is_empty());
    for (found, line) in found {
        assert_eq!(
            found, code,
            "fixture for {code} also fires {found} at line {line}"
        );
    }
}

/// The fixture `lint/CODE/clean.sndtrk` checks clean.
fn clean(code: &str) {
    Test::new()
        .recipe(&fixture(&format!("lint/{code}/clean.sndtrk")))
        .arg("check")
        .stderr("")
        .run();
}

macro_rules! rule_tests {
    ($($module:ident: $code:literal exits $status:literal;)*) => {
        $(
            mod $module {
                #[test]
                fn fires() {
                    super::fires($code, $status);
                }

                #[test]
                fn clean() {
                    super::clean($code);
                }
            }
        )*
    };
}

rule_tests! {
    r001: "R001" exits 1;
    r002: "R002" exits 1;
    r003: "R003" exits 1;
    r004: "R004" exits 1;
    r005: "R005" exits 1;
    r006: "R006" exits 1;
    r007: "R007" exits 0;
    r008: "R008" exits 0;
    r009: "R009" exits 1;
    c001: "C001" exits 1;
    c002: "C002" exits 1;
    c003: "C003" exits 1;
    c004: "C004" exits 0;
    c005: "C005" exits 0;
    c006: "C006" exits 0;
    c007: "C007" exits 0;
    d001: "D001" exits 1;
    d002: "D002" exits 1;
    d005: "D005" exits 0;
    d006: "D006" exits 1;
    d008: "D008" exits 0;
    d009: "D009" exits 1;
    d010: "D010" exits 0;
    s001: "S001" exits 1;
}

#[test]
fn every_rule_has_a_fixture_and_a_doc() {
    for rule in sndtrk::lint::RULES {
        let help = rule.help_text();
        assert!(help.starts_with("## What it checks\n"), "{}", rule.code);
        assert!(help.contains("\n## Why\n"), "{}", rule.code);
        assert!(help.contains("\n## Example\n"), "{}", rule.code);
        // D003 needs WAV files and D004 a build; their tests are in this
        // file below, each with its rendered `fires.stderr`.
        let fixture = match rule.check {
            Check::Model(_) if rule.code != "D003" => "fires.sndtrk",
            _ => "fires.stderr",
        };
        assert!(
            fixtures()
                .join(format!("lint/{}/{fixture}", rule.code))
                .exists(),
            "{} has no fixture",
            rule.code
        );
    }
}

#[test]
fn the_example_checks_clean() {
    Test::new().recipe(&example()).arg("check").stderr("").run();
}

/// Without `master_2M3`, R002 fires once per target whose mix 2M3 reaches,
/// at that target's `from` entry, and nothing else fires.
#[test]
fn the_example_without_its_master_licence() {
    let example = example();
    let start = example.find("license master_2M3").unwrap();
    let end = start + example[start..].find("}\n").unwrap() + 2;
    let recipe = format!("{}{}", &example[..start], &example[end..]);
    let line_of = |needle: &str| recipe[..recipe.find(needle).unwrap()].lines().count() + 1;
    let from_line = |target: &str| {
        let at = recipe.find(&format!("target {target} {{")).unwrap();
        let from = at + recipe[at..].find("from").unwrap();
        recipe[..from].lines().count()
    };
    assert_eq!(
        codes(&recipe),
        vec![
            ("R002".to_owned(), from_line("print_master")),
            ("R002".to_owned(), from_line("stereo")),
            ("R002".to_owned(), from_line("broadcast")),
            ("R002".to_owned(), from_line("me")),
        ]
    );
    assert!(line_of("target print_master") < from_line("print_master"));
    Test::new()
        .recipe(&recipe)
        .arg("check")
        .status(1)
        .stderr(&fixture("lint/example-without-master.stderr"))
        .run();
}

/// The (code, line) pairs a recipe announces in `// expect: CODE …` comments.
fn expected_codes(recipe: &str) -> Vec<(String, usize)> {
    let mut expected = Vec::new();
    for (index, line) in recipe.lines().enumerate() {
        if let Some((_, codes)) = line.split_once("// expect:") {
            for code in codes.split_whitespace() {
                expected.push((code.to_owned(), index + 1));
            }
        }
    }
    expected.sort();
    expected
}

#[test]
fn every_planted_mistake_is_found_at_its_line_and_nothing_else() {
    let recipe = fixture("lint/planted.sndtrk");
    let mut found = codes(&recipe);
    found.sort();
    let expected = expected_codes(&recipe);
    assert_eq!(expected.len(), 20);
    assert_eq!(found, expected);
}

#[test]
fn no_false_alarms_on_clean_recipes() {
    let mut recipes = vec![example()];
    for rule in sndtrk::lint::RULES {
        if matches!(rule.check, Check::Model(_)) && rule.code != "D003" {
            recipes.push(fixture(&format!("lint/{}/clean.sndtrk", rule.code)));
        }
    }
    for recipe in recipes {
        assert_eq!(codes(&recipe), Vec::new(), "{recipe}");
    }
}

mod d003 {
    use super::fixture;
    use crate::{cuesheet::wav, test::Test};

    #[test]
    fn fires_when_the_file_has_other_channels_not_another_rate() {
        Test::new()
            .recipe(&fixture("lint/D003/recipe.sndtrk"))
            .write("stems/fx.wav", wav(2, 44_100, 0.5))
            .arg("check")
            .status(1)
            .stderr(&fixture("lint/D003/fires.stderr"))
            .run();
    }

    #[test]
    fn clean_when_the_file_matches() {
        Test::new()
            .recipe(&fixture("lint/D003/recipe.sndtrk"))
            .write("stems/fx.wav", wav(6, 48_000, 0.5))
            .arg("check")
            .stderr("")
            .run();
    }

    #[test]
    fn a_missing_file_is_e0501() {
        Test::new()
            .recipe(&fixture("lint/D003/recipe.sndtrk"))
            .arg("check")
            .status(1)
            .stderr(&fixture("lint/D003/missing.stderr"))
            .run();
    }

    #[test]
    fn a_file_that_is_not_wav_is_e0502() {
        Test::new()
            .recipe(&fixture("lint/D003/recipe.sndtrk"))
            .write("stems/fx.wav", "ID3 this is an mp3, not a wav")
            .arg("check")
            .status(1)
            .stderr(&fixture("lint/D003/not-wav.stderr"))
            .run();
    }

    #[test]
    fn a_truncated_header_is_e0503() {
        let mut bytes = wav(6, 48_000, 0.5);
        bytes.truncate(30);
        Test::new()
            .recipe(&fixture("lint/D003/recipe.sndtrk"))
            .write("stems/fx.wav", bytes)
            .args(["check", "--format", "json"])
            .status(1)
            .stdout_contains("\"code\": \"E0503\"")
            .stdout_contains("stems/fx.wav")
            .run();
    }

    /// A cue's master may come at another rate (the build resamples it), but
    /// not with other channels than its layout.
    #[test]
    fn a_cue_file_is_checked_for_channels_not_rate() {
        let recipe = fixture("lint/D003/recipe.sndtrk").replace(
            "    type score\n    usage BI\n    silence for 2s",
            "    type score\n    usage BI\n    layout 2.0\n    file \"music/1M1.wav\"",
        );
        let check = |bytes: Vec<u8>| {
            let ran = Test::new()
                .recipe(&recipe)
                .write("stems/fx.wav", wav(6, 48_000, 0.5))
                .write("music/1M1.wav", bytes)
                .args(["check", "--format", "json"])
                .status_any()
                .stdout_any()
                .run();
            let found: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
            found
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["message"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(check(wav(2, 44_100, 0.5)), Vec::<String>::new());
        assert_eq!(
            check(wav(1, 44_100, 0.5)),
            vec!["`music/1M1.wav` has 1 channel, but cue `1M1` is declared 2.0 (2 channels)"]
        );
    }
}

/// D004 runs after a build: the small project of the build tests with its
/// EBU R128 target left unnormalised measures outside the spec.
mod d004 {
    use std::fs;

    use super::fixture;
    use crate::{
        audio_support::project::{project, RECIPE},
        test::{Ran, Test},
    };

    fn build_broadcast(dir: &std::path::Path, status: i32) -> Ran {
        Test::at(dir)
            .args(["build", "broadcast"])
            .status(status)
            .stderr_any()
            .run()
    }

    #[test]
    fn fires_at_the_targets_spec() {
        let recipe = RECIPE.replace(
            "    spec ebu.r128\n}",
            "    spec ebu.r128\n    normalize off\n}",
        );
        let test = project(&recipe);
        let stderr = build_broadcast(&test.path(), 1).stderr;
        let start = stderr.find("D004").expect("a D004 diagnostic");
        let end = stderr.find("not delivered").expect("the build's summary");
        assert_eq!(&stderr[start..end], fixture("lint/D004/fires.stderr"));
        assert!(
            stderr[end..].starts_with("not delivered out/broadcast.wav: fails D004\n"),
            "{stderr}"
        );
        // The lint block can lower it to a warning: the build then passes.
        let relaxed = format!("{recipe}\nlint {{\n    warn D004\n}}\n");
        fs::write(test.path().join("soundtrack.sndtrk"), relaxed).unwrap();
        let stderr = build_broadcast(&test.path(), 0).stderr;
        assert!(stderr.contains("D004"), "{stderr}");
        // Or silence it.
        let allowed = format!("{recipe}\nlint {{\n    allow D004\n}}\n");
        fs::write(test.path().join("soundtrack.sndtrk"), allowed).unwrap();
        let stderr = build_broadcast(&test.path(), 0).stderr;
        assert!(!stderr.contains("D004"), "{stderr}");
    }

    #[test]
    fn clean_when_the_target_is_normalised() {
        let test = project(RECIPE);
        let stderr = build_broadcast(&test.path(), 0).stderr;
        assert!(!stderr.contains("D004"), "{stderr}");
    }
}

/// D009 and D010 on a reel whose stems and cue masters are WAV files: the
/// length of each comes from its header, and the arithmetic is the build's.
mod clip_lengths {
    use super::{codes, fixture};
    use crate::{cuesheet::wav, test::Test};

    /// One frame at 23.976 fps in seconds: 2002 samples at 48 kHz.
    const FRAME: f64 = 2002.0 / 48_000.0;

    /// The reel with `stems/R1_DX.wav` and `music/1M1.wav` of these lengths
    /// in seconds, mono and stereo at 48 kHz.
    fn reel(dx: f64, cue: f64) -> Test {
        Test::new()
            .recipe(&fixture("lint/reel.sndtrk"))
            .write("stems/R1_DX.wav", wav(1, 48_000, dx))
            .write("music/1M1.wav", wav(2, 48_000, cue))
    }

    /// The (code, message) pairs `sndtrk check` reports for the reel.
    fn found(test: Test) -> Vec<(String, String)> {
        let ran = test
            .args(["check", "--format", "json"])
            .status_any()
            .stdout_any()
            .run();
        let found: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_owned(),
                    d["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn pair(code: &str, message: &str) -> (String, String) {
        (code.to_owned(), message.to_owned())
    }

    /// `trim head 30s tail 12s` of a 40-second dialogue stem: the build
    /// would stop at it (E0515), so `check` does.
    #[test]
    fn trims_past_the_end_of_a_file_are_d009() {
        reel(40.0, 15.015)
            .arg("check")
            .status(1)
            .stderr(&fixture("lint/D009/file.stderr"))
            .run();
    }

    /// Trims that remove exactly the whole file render an empty clip: D010;
    /// a sample more to keep, and the reel is clean.
    #[test]
    fn trims_exactly_to_the_end_leave_nothing_and_a_sample_less_is_clean() {
        assert_eq!(
            found(reel(42.0, 15.015)),
            vec![pair(
                "D010",
                "stem `dx` trims all 42s of `stems/R1_DX.wav`: nothing of it plays"
            )]
        );
        reel(42.0 + 1.0 / 48_000.0, 15.015)
            .arg("check")
            .stderr("")
            .run();
    }

    /// `at 01:00:20:00 to 01:00:35:00` at 23.976 fps is 360 frames, 15.015
    /// seconds. A master of exactly that length ends at `to`; one of 15
    /// seconds ends within the last frame, which is as close as a timecode
    /// can say; one a frame and a sample shorter leaves a frame of silence
    /// before `to`: D010.
    #[test]
    fn a_to_at_the_end_of_the_file_or_within_its_last_frame_is_clean() {
        for cue in [15.015, 15.0, 15.015 - FRAME + 1.0 / 48_000.0] {
            reel(42.5, cue).arg("check").stderr("").run();
        }
        reel(42.5, 15.015 - FRAME - 1.0 / 48_000.0)
            .arg("check")
            .stderr(&fixture("lint/D010/file.stderr"))
            .run();
    }

    /// The fades of 1M1 (in 2s, out 4s) against a shorter master: on 120
    /// frames (5.005 seconds) they overlap, D010; on 72 frames (3.003
    /// seconds) the fade out alone is longer than the clip, D009. Either
    /// way the master ends well before `to`, D010.
    #[test]
    fn fades_are_measured_against_the_clip_the_file_gives() {
        assert_eq!(
            found(reel(42.5, 120.0 * FRAME)),
            vec![
                pair(
                    "D010",
                    "cue 1M1 ends at 01:00:25:00, 10.01s (240 frames) before its \
                     `to 01:00:35:00`: 5.005s of audio from 01:00:20:00"
                ),
                pair(
                    "D010",
                    "cue 1M1 fades in over 2s and out over 4s but plays for only 5.005s: \
                     the fades overlap by 0.995s (23.86 frames), so it never plays at full level"
                ),
            ]
        );
        assert_eq!(
            found(reel(42.5, 72.0 * FRAME)),
            vec![
                pair(
                    "D010",
                    "cue 1M1 ends at 01:00:23:00, 12.012s (288 frames) before its \
                     `to 01:00:35:00`: 3.003s of audio from 01:00:20:00"
                ),
                pair(
                    "D009",
                    "cue 1M1 fades out over 4s but plays for only 3.003s"
                ),
            ]
        );
    }

    /// A cue master at another rate is counted by its length in seconds.
    #[test]
    fn a_cue_master_at_44_1_khz_is_counted_in_seconds() {
        let test = Test::new()
            .recipe(&fixture("lint/reel.sndtrk"))
            .write("stems/R1_DX.wav", wav(1, 48_000, 42.5))
            .write("music/1M1.wav", wav(2, 44_100, 12.0));
        let found = found(test);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "D010");
        assert_eq!(
            found[0].1,
            "cue 1M1 ends within frame 01:00:31:23, 3.015s (72.29 frames) before its \
             `to 01:00:35:00`: 12s of audio from 01:00:20:00"
        );
    }

    /// Missing files are E0501, once each: no length rule guesses at them.
    #[test]
    fn a_missing_file_is_reported_once_and_by_its_own_code() {
        let found = codes(&fixture("lint/reel.sndtrk"));
        let codes: Vec<&str> = found.iter().map(|(code, _)| code.as_str()).collect();
        assert_eq!(codes, ["E0501", "E0501"]);
    }
}

/// D005 for buses: a bus is used by a target's `from`, another bus or a
/// target's `dialogue_gate`; a project without a target has no unused bus.
mod d005_buses {
    use super::codes;

    const HEAD: &str = r#"
project "Night Harbor" { frame_rate 25 sample_rate 48kHz picture_start 01:00:00:00 }
import "std/layouts"
stem dx { role dialogue layout 1.0 pan C noise pink -30dBFS for 10s }
stem fx { role effects layout 5.1 noise pink -38dBFS for 10s }
"#;

    #[test]
    fn only_the_bus_that_nothing_uses_is_reported() {
        let recipe = format!(
            "{HEAD}bus DX 5.1 {{ dx }}\nbus FX 5.1 {{ fx }}\nbus STEMS 5.1 {{ DX FX }}\nbus PM 5.1 {{ DX FX }}\n\
             target pm {{ from PM layout 5.1 format wav 48kHz 24bit }}\n"
        );
        // STEMS (line 8) lists DX and FX, so they are used; STEMS is not.
        assert_eq!(codes(&recipe), vec![("D005".to_owned(), 8)]);
    }

    #[test]
    fn a_dialogue_gate_uses_its_bus() {
        let recipe = format!(
            "{HEAD}bus DX 5.1 {{ dx }}\nbus FX 5.1 {{ fx }}\nbus PM 5.1 {{ FX }}\n\
             target pm {{ from PM layout 5.1 format wav 48kHz 24bit dialogue_gate DX }}\n"
        );
        assert_eq!(codes(&recipe), Vec::new());
    }

    #[test]
    fn without_a_target_no_bus_is_reported() {
        let recipe = format!("{HEAD}bus DX 5.1 {{ dx }}\nbus FX 5.1 {{ fx }}\n");
        assert_eq!(codes(&recipe), Vec::new());
    }

    /// A target whose `from` names no bus may have meant any of them.
    #[test]
    fn a_target_that_names_no_bus_hides_the_unused_buses() {
        let recipe = format!(
            "{HEAD}bus DX 5.1 {{ dx }}\nbus FX 5.1 {{ fx }}\n\
             target pm {{ from dx layout 5.1 format wav 48kHz 24bit }}\n"
        );
        assert_eq!(codes(&recipe), vec![("E0205".to_owned(), 8)]);
    }
}

/// D009 is exactly what the build refuses (E0515), on the edges where
/// durations round to samples: a clip `check` passes or only warns about
/// renders, one it reports D009 for does not.
mod d009_agrees_with_the_build {
    use super::codes;
    use crate::test::Test;

    fn recipe(frame_rate: &str, clip: &str) -> String {
        format!(
            r#"project "Edges" {{ frame_rate {frame_rate} sample_rate 48kHz picture_start 01:00:00:00 }}
import "std/layouts"
stem fx {{ role effects layout 2.0 noise pink -38dBFS {clip} }}
bus FX 2.0 {{ fx }}
target fx {{ from FX layout 2.0 format wav 48kHz 24bit normalize off }}
"#
        )
    }

    #[test]
    fn on_every_edge() {
        let cases: &[(&str, &str, &[&str])] = &[
            // Trims that remove all 48 frames leave an empty clip.
            ("25", "for 48f trim head 24f tail 24f", &["D010"]),
            ("25", "for 48f trim head 24f tail 25f", &["D009"]),
            // At 29.97 a frame is 1601.6 samples: 48f rounds to 76877,
            // 24f to 38438, so these trims leave one sample.
            ("29.97", "for 48f trim head 24f tail 24f", &[]),
            ("29.97", "for 48f trim head 24f tail 25f", &["D009"]),
            ("23.976", "for 48f fade in 48f", &[]),
            ("23.976", "for 48f fade in 49f", &["D009"]),
            (
                "23.976",
                "for 10s at 01:00:00:00 to 01:00:05:00 fade out 120f",
                &[],
            ),
            (
                "23.976",
                "for 10s at 01:00:00:00 to 01:00:05:00 fade out 121f",
                &["D009"],
            ),
            ("24", "for 2s fade in 1s out 1s", &[]),
            ("24", "for 2s fade in 1.5s out 1.5s", &["D010"]),
            ("24", "for 2s at 01:00:00:00 to 01:00:03:00", &["D010"]),
            (
                "24",
                "for 48f trim head 24f tail 24f fade out 1f",
                &["D010", "D009"],
            ),
        ];
        for (frame_rate, clip, expected) in cases {
            let recipe = recipe(frame_rate, clip);
            let found: Vec<String> = codes(&recipe).into_iter().map(|(code, _)| code).collect();
            assert_eq!(&found, expected, "{frame_rate} fps: {clip}");
            let built = Test::new()
                .recipe(&recipe)
                .arg("build")
                .status_any()
                .stderr_any()
                .run();
            // The build runs the checks: D009 blocks the deliverable before
            // the renderer could refuse the clip (E0515).
            let refused =
                built.stderr.contains("blocked by D009") || built.stderr.contains("E0515");
            assert_eq!(
                refused,
                expected.contains(&"D009"),
                "{frame_rate} fps: {clip}: {}",
                built.stderr
            );
            assert_eq!(built.status, i32::from(refused), "{}", built.stderr);
        }
    }
}
