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
    assert_eq!(expected.len(), 16);
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
        let d004 = &stderr[stderr.find("D004").expect("a D004 diagnostic")..];
        assert_eq!(d004, fixture("lint/D004/fires.stderr"));
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
