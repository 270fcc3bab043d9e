//! `sndtrk check --format sarif|github`, and the recipe's lint
//! configuration: `lint { … }` severities and inline suppressions.

use crate::{
    lint::{codes, example, fixture},
    test::Test,
};

/// The example with `master_2M3` pending: R007 at its status, R002 at the
/// four targets' use of 2M3.
fn pending_example() -> String {
    let example = example();
    let start = example.find("license master_2M3").unwrap();
    let status = start + example[start..].find("status executed").unwrap();
    format!(
        "{}status pending{}",
        &example[..status],
        &example[status + "status executed".len()..]
    )
}

/// Escapes the stray `]` in the schema's `language` patterns; returns how many.
fn escape_stray_bracket(value: &mut serde_json::Value) -> usize {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::Object(map) => {
            let mut count = 0;
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == STRAY {
                    *value = serde_json::json!("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                    count += 1;
                } else {
                    count += escape_stray_bracket(value);
                }
            }
            count
        }
        serde_json::Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

/// Parses a SARIF log and validates it against the vendored SARIF 2.1.0 schema.
fn validated_sarif(text: &str) -> serde_json::Value {
    let mut schema: serde_json::Value =
        serde_json::from_str(&fixture("sarif-schema-2.1.0.json")).unwrap();
    // The published schema's patterns for `language` have a stray `]` that
    // ECMA-262 regular expressions accept and the validator's engine rejects;
    // sndtrk never writes `language`, so those patterns are escaped here
    // rather than edited in the vendored file.
    assert_eq!(escape_stray_bracket(&mut schema), 2);
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let log: serde_json::Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    // The schema is not vacuous: a log without `version` is rejected.
    let mut broken = log.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&broken));
    log
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let ran = Test::new()
        .recipe(&pending_example())
        .args(["check", "--format", "sarif"])
        .status(1)
        .stderr("")
        .stdout_any()
        .run();
    let log = validated_sarif(&ran.stdout);

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = sndtrk::lint::RULES.iter().map(|rule| rule.code).collect();
    assert_eq!(ids, expected);
    for rule in rules {
        assert!(rule["help"]["text"].as_str().unwrap().contains("## Why"));
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    let results = run["results"].as_array().unwrap();
    let summary: Vec<(String, String, u64, u64)> = results
        .iter()
        .map(|result| {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            (
                result["ruleId"].as_str().unwrap().to_owned(),
                result["level"].as_str().unwrap().to_owned(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    let recipe = pending_example();
    let line = |needle: &str, nth: usize| {
        let mut at = 0;
        for _ in 0..=nth {
            at += recipe[at..].find(needle).unwrap() + 1;
        }
        recipe[..at].lines().count() as u64
    };
    assert_eq!(
        summary,
        vec![
            (
                "R007".into(),
                "warning".into(),
                line("status pending", 0),
                12
            ),
            ("R002".into(), "error".into(), line("from PM", 0), 10),
            ("R002".into(), "error".into(), line("from PM", 1), 10),
            ("R002".into(), "error".into(), line("from PM", 2), 10),
            ("R002".into(), "error".into(), line("from MX FX", 0), 10),
        ]
    );
    assert_eq!(
        results[1]["message"]["text"],
        "song 2M3 reaches target `print_master` without an executed master licence\nhelp: add an executed master licence for 2M3 covering streaming, world, 2027-03-14 (`master_2M3` is pending and clears nothing until executed)"
    );
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "soundtrack.sndtrk"
    );
}

#[test]
fn github_prints_workflow_commands() {
    let recipe = pending_example();
    let line = |needle: &str| recipe[..recipe.find(needle).unwrap()].matches('\n').count() + 1;
    let status = line("status pending");
    let from = line("from MX FX");
    let ran = Test::new()
        .recipe(&recipe)
        .args(["check", "--format", "github"])
        .status(1)
        .stderr("")
        .stdout_any()
        .run();
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        format!("::warning file=soundtrack.sndtrk,line={status},col=12,endLine={status},endColumn=19,title=R007::master licence `master_2M3` for 2M3 is pending, not executed%0Ahelp: a pending licence clears nothing; once it is signed, write `status executed`")
    );
    assert_eq!(
        lines[4],
        format!("::error file=soundtrack.sndtrk,line={from},col=10,endLine={from},endColumn=12,title=R002::song 2M3 reaches target `me` without an executed master licence%0Ahelp: add an executed master licence for 2M3 covering all media, world, 2027-03-14 (`master_2M3` is pending and clears nothing until executed)")
    );
}

#[test]
fn deny_makes_a_warning_an_error_and_allow_silences() {
    let recipe = format!(
        "{}\nlint {{\n    deny R007\n    allow R002\n}}\n",
        pending_example()
    );
    let ran = Test::new()
        .recipe(&recipe)
        .args(["check", "--format", "json"])
        .status(1)
        .stdout_any()
        .run();
    let diagnostics: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let found: Vec<(&str, &str)> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(found, vec![("R007", "error")]);

    let recipe = format!("{}\nlint {{ warn R002 allow R007 }}\n", pending_example());
    let ran = Test::new()
        .recipe(&recipe)
        .args(["check", "--format", "json"])
        .stdout_any()
        .run();
    let diagnostics: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert!(diagnostics
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["code"] == "R002" && d["severity"] == "warning"));
    assert_eq!(diagnostics.as_array().unwrap().len(), 4);
}

#[test]
fn an_unknown_lint_code_is_an_error() {
    Test::new()
        .recipe(&format!("{}\nlint {{ allow R010 D004 }}\n", example()))
        .arg("check")
        .status(1)
        .stderr(&fixture("lint/unknown-code.stderr"))
        .run();
}

#[test]
fn a_suppression_silences_its_code_in_the_next_declaration() {
    let recipe = fixture("lint/C004/fires.sndtrk").replace(
        "\ncue 2M3",
        "\n// sndtrk: allow(C004) the label has not assigned codes yet\ncue 2M3",
    );
    assert_eq!(codes(&recipe), Vec::new());
    // It silences only that code: C005 still fires in the same cue.
    let recipe = recipe.replace("writer \"K. Lee\" society ASCAP", "writer \"K. Lee\"");
    let line = recipe[..recipe.find("writer \"K. Lee\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(codes(&recipe), vec![("C005".to_owned(), line)]);
}

#[test]
fn a_suppression_without_a_reason_is_an_error_and_silences_nothing() {
    let recipe =
        fixture("lint/C004/fires.sndtrk").replace("\ncue 2M3", "\n// sndtrk: allow(C004)\ncue 2M3");
    Test::new()
        .recipe(&recipe)
        .arg("check")
        .status(1)
        .stderr(&fixture("lint/suppression-without-reason.stderr"))
        .run();
}

#[test]
fn a_misplaced_suppression_is_an_error() {
    let recipe = fixture("lint/C004/fires.sndtrk").replace(
        "\ncue 2M3",
        "\n// sndtrk: allow(C004) too far away\n\ncue 2M3",
    );
    let found: Vec<String> = codes(&recipe).into_iter().map(|(code, _)| code).collect();
    assert_eq!(found, vec!["E0221", "C004", "C004"]);
}

#[test]
fn sarif_describes_resolution_errors_too() {
    let recipe = example().replace("bus MX 5.1 { cues }", "bus MX 5.1 { cues 9M9 }");
    let ran = Test::new()
        .recipe(&recipe)
        .args(["check", "--format", "sarif"])
        .status(1)
        .stdout_any()
        .run();
    let log = validated_sarif(&ran.stdout);
    let run = &log["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0204");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "E0204");
    assert_eq!(run["results"].as_array().unwrap().len(), 1);
}

#[test]
fn a_suppression_may_list_codes_and_stack_on_the_line_above() {
    let fires = fixture("lint/C004/fires.sndtrk")
        .replace("writer \"K. Lee\" society ASCAP", "writer \"K. Lee\"");
    assert_eq!(
        codes(&fires)
            .into_iter()
            .map(|(code, _)| code)
            .collect::<Vec<_>>(),
        vec!["C005", "C004", "C004"]
    );
    let listed = fires.replace(
        "\ncue 2M3",
        "\n// sndtrk: allow(C004, C005) codes and society are being registered\ncue 2M3",
    );
    assert_eq!(codes(&listed), Vec::new());
    let stacked = fires.replace(
        "\ncue 2M3",
        "\n// sndtrk: allow(C004) codes are being registered\n    // sndtrk: allow(C005) so is K. Lee's society\ncue 2M3",
    );
    assert_eq!(codes(&stacked), Vec::new());
    // A suppression is for its own declaration only.
    let elsewhere = fires.replace(
        "\nlicense sync_2M3",
        "\n// sndtrk: allow(C004, C005) wrong place\nlicense sync_2M3",
    );
    assert_eq!(codes(&elsewhere).len(), 3);
}

#[test]
fn only_comments_on_their_own_line_suppress() {
    let fires = fixture("lint/C004/fires.sndtrk");
    // A trailing directive is misplaced; a `//` in a string is no comment.
    let trailing = fires.replace(
        "cue 2M3 \"Ocean Drive\" {",
        "cue 2M3 \"Ocean Drive\" { // sndtrk: allow(C004) trailing",
    );
    let found: Vec<String> = codes(&trailing).into_iter().map(|(code, _)| code).collect();
    assert_eq!(found, vec!["E0221", "C004", "C004"]);
    let in_string = fires.replace(
        "artist \"The Breakers\"",
        "artist \"// sndtrk: allow(C004) not a comment\"",
    );
    let found: Vec<String> = codes(&in_string)
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    assert_eq!(found, vec!["C004", "C004"]);
    let in_block = fires.replace(
        "\ncue 2M3",
        "\n/*\n// sndtrk: allow(C004) inside a block comment\n*/\ncue 2M3",
    );
    let found: Vec<String> = codes(&in_block).into_iter().map(|(code, _)| code).collect();
    assert_eq!(found, vec!["C004", "C004"]);
}

#[test]
fn a_clean_recipe_gives_a_valid_empty_sarif_log_and_no_annotations() {
    let ran = Test::new()
        .recipe(&example())
        .args(["check", "--format", "sarif"])
        .stdout_any()
        .run();
    let log = validated_sarif(&ran.stdout);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "sndtrk");
    Test::new()
        .recipe(&example())
        .args(["check", "--format", "github"])
        .stdout("")
        .stderr("")
        .run();
}
