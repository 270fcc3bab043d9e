//! The lint rules through `sndtrk check`: per rule, a fixture that fires it
//! (with the whole rendered output) and one that does not; configuration,
//! suppression, and the example recipe.

use std::path::PathBuf;

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
    d001: "D001" exits 1;
    d002: "D002" exits 1;
    d005: "D005" exits 0;
    d006: "D006" exits 1;
}

#[test]
fn every_rule_has_a_fixture_and_a_doc() {
    for rule in sndtrk::lint::RULES {
        let help = rule.help_text();
        assert!(help.starts_with("## What it checks\n"), "{}", rule.code);
        assert!(help.contains("\n## Why\n"), "{}", rule.code);
        assert!(help.contains("\n## Example\n"), "{}", rule.code);
        if rule.code != "D003" {
            // D003 needs WAV files; its tests are in this file below.
            assert!(
                fixtures()
                    .join(format!("lint/{}/fires.sndtrk", rule.code))
                    .exists(),
                "{} has no fixture",
                rule.code
            );
        }
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
    assert_eq!(expected.len(), 16);
    assert_eq!(found, expected);
}

#[test]
fn no_false_alarms_on_clean_recipes() {
    let mut recipes = vec![example()];
    for rule in sndtrk::lint::RULES {
        if rule.code != "D003" {
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
    fn fires_when_the_file_has_other_channels_and_rate() {
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
