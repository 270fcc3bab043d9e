//! Every diagnostic code's rendered text, from the fixtures in
//! `tests/fixtures/check/`: each `NAME.sndtrk` (or directory `NAME/` holding
//! a `soundtrack.sndtrk`) is checked and the whole standard error compared
//! with `NAME.stderr`. Run with `SNDTRK_BLESS=1` to write the expected files
//! after a deliberate change, then review the diff.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::test::Test;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

fn copy_into(test: Test, directory: &Path) -> Test {
    let mut test = test;
    let mut entries: Vec<_> = fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        test = test.write(&name, fs::read(&path).unwrap());
    }
    test
}

fn run_fixture(path: &Path) -> (String, String) {
    let test = if path.is_dir() {
        copy_into(Test::new(), path)
    } else {
        Test::new().recipe(&fs::read_to_string(path).unwrap())
    };
    let ran = test.arg("check").status(1).stderr_any().run();
    let stderr = ran
        .stderr
        .replace(&ran.path().display().to_string(), "$DIR");
    (stderr, ran.stdout)
}

#[test]
fn every_fixture_renders_as_expected() {
    let bless = std::env::var_os("SNDTRK_BLESS").is_some();
    let mut failures = Vec::new();
    let mut paths: Vec<PathBuf> = fs::read_dir(fixtures())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|ext| ext == "sndtrk"))
        .collect();
    paths.sort();
    assert!(paths.len() > 20, "fixtures missing");
    for path in paths {
        let expected_path = path.with_extension("stderr");
        let (stderr, stdout) = run_fixture(&path);
        assert_eq!(stdout, "", "{}", path.display());
        if bless {
            fs::write(&expected_path, &stderr).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if stderr != expected {
            failures.push(format!(
                "--- {}\n--- expected:\n{expected}\n--- actual:\n{stderr}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const MISSING_RECIPE: &str = include_str!("../fixtures/codes/E0209-missing-recipe.stderr");

#[test]
fn a_missing_recipe_is_an_error_not_a_panic() {
    Test::new()
        .arg("check")
        .status(1)
        .stderr(MISSING_RECIPE)
        .run();
}

#[test]
fn json_reports_every_error_with_its_line_and_column() {
    let ran = Test::new()
        .recipe(
            &fs::read_to_string(fixtures().join("E0101-syntax-errors-everywhere.sndtrk")).unwrap(),
        )
        .args(["check", "--format", "json"])
        .status(1)
        .stdout_any()
        .stderr_any()
        .run();
    let value: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let found: Vec<(String, u64, u64)> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["code"].as_str().unwrap().to_owned(),
                item["line"].as_u64().unwrap(),
                item["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("E0208".to_owned(), 3, 1),
            ("E0101".to_owned(), 5, 8),
            ("E0101".to_owned(), 7, 15),
        ]
    );
    assert_eq!(ran.stderr, "");
}

#[test]
fn the_example_and_the_standard_library_check_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("examples/night-harbor/soundtrack.sndtrk")];
    for entry in walkdir::WalkDir::new(root.join("stdlib")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|ext| ext == "sndtrk") {
            files.push(entry.into_path());
        }
    }
    for entry in walkdir::WalkDir::new(root.join("examples")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|ext| ext == "sndtrk")
            && !files.contains(&entry.path().to_path_buf())
        {
            files.push(entry.into_path());
        }
    }
    assert!(files.len() >= 6);
    for file in files {
        Test::new()
            .arg("check")
            .arg(file.to_str().unwrap())
            .stderr("")
            .stdout("")
            .run();
    }
}

/// The issue's planted mistakes, all in one file: each is reported with its
/// code at its line and column, in one run.
#[test]
fn planted_mistakes_are_all_reported_in_one_run() {
    let recipe = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/planted-mistakes.sndtrk"),
    )
    .unwrap();
    let ran = Test::new()
        .recipe(&recipe)
        .args(["check", "--format", "json"])
        .status(1)
        .stdout_any()
        .run();
    let value: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let found: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            format!(
                "{} {}:{}",
                item["code"].as_str().unwrap(),
                item["line"],
                item["column"]
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "E0202 6:8",   // an import that does not exist
            "E0304 9:56",  // a unit in the wrong place
            "E0201 10:6",  // a duplicate
            "E0306 16:8",  // a bad timecode
            "E0305 19:39", // a share over 100%
            "E0308 22:61", // a generator without its duration
            "E0101 23:67", // a syntax error in the middle of the file
            "E0206 27:14", // a bus that contains itself through another bus
            "E0204 28:20", // an unknown name
        ]
    );
}

/// A name that does not resolve does not hide the lint findings elsewhere.
#[test]
fn lints_still_run_when_a_name_does_not_resolve() {
    let recipe = r#"import "std/layouts"
project "T" { frame_rate 24 sample_rate 48kHz }
cue 1M1 "T" {
    type score
    usage BI
    tone 440Hz -20dBFS for 2s
    at 01:00:00:00
    writer "A" society ASCAP share 60%
}
license sync_9M9 {
    kind sync
    cue 9M9
    status executed
}
bus MX 2.0 { cues }
"#;
    let ran = Test::new()
        .recipe(recipe)
        .args(["check", "--format", "json"])
        .status(1)
        .stdout_any()
        .run();
    let value: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let found: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|item| format!("{} {}", item["code"].as_str().unwrap(), item["line"]))
        .collect();
    // The shares sum to 60% (C001 at the writer) and the licence names a
    // cue that does not exist (E0204).
    assert_eq!(found, ["C001 8", "E0204 12"]);
}
