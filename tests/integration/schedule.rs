//! `sndtrk schedule` and the rules on due dates: the days left and each
//! deliverable's status (not built, ready, stale after an edit, failing its
//! spec, blocked by an error), as a table, JSON and an iCalendar file;
//! S001 and S002 through `sndtrk check`.

use crate::{lint::fixture, test::Test};

/// Two targets and an album from generators (no audio files): `stereo`
/// meets EBU R128, `loud` does not (`normalize off`), `ost` is the score.
const RECIPE: &str = r#"import "std/layouts"
import "std/delivery/ebu"
project "Due & <Dates>" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 release 2099-03-14 }
stem dx { role dialogue layout 1.0 pan C tone 440Hz -20dBFS for 4s at 01:00:00:00 }
cue 1M1 "Harbor Lights" { type score usage BI tone 220Hz -30dBFS for 4s at 01:00:00:00
    writer "A" society ASCAP share 100% publisher "P" society ASCAP share 100% }
bus PM 2.0 { dx cues }
bus LOUD 2.0 { PM 8dB }
target stereo { from PM layout 2.0 format wav 48kHz 24bit spec ebu.r128 due 2099-03-01 }
target loud { from LOUD layout 2.0 format wav 48kHz 24bit spec ebu.r128 normalize off due 2099-03-10 }
target undated { from PM layout 2.0 format wav 48kHz 24bit }
album ost "OST" { kind score track 1M1 format wav 44.1kHz 16bit due 2099-02-20 }
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("soundtrack.sndtrk"), RECIPE).unwrap();
    dir
}

fn schedule(dir: &std::path::Path, format: &str) -> String {
    Test::at(dir)
        .args(["schedule", "--today", "2099-02-26", "--format", format])
        .stdout_any()
        .run()
        .stdout
}

/// (deliverable, status) of each row of `--format json`, and the rows.
fn statuses(dir: &std::path::Path) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(&schedule(dir, "json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["deliverable"].as_str().unwrap().to_owned(),
                row["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn before_a_build_nothing_is_built_and_rows_come_by_due_date() {
    let dir = project();
    assert_eq!(
        schedule(dir.path(), "human"),
        "deliverable  kind    due         days left  status\n\
         ost          album   2099-02-20         -6  not built\n\
         stereo       target  2099-03-01          3  not built\n\
         loud         target  2099-03-10         12  not built\n\
         undated      target  -                   -  not built\n"
    );
    // Asking creates no build state.
    assert!(!dir.path().join(".sndtrk").exists());
    let json: serde_json::Value = serde_json::from_str(&schedule(dir.path(), "json")).unwrap();
    assert_eq!(
        json[1],
        serde_json::json!({
            "deliverable": "stereo", "kind": "target", "due": "2099-03-01",
            "days_left": 3, "status": "not built"
        })
    );
    assert_eq!(json[0]["kind"], "album");
    assert_eq!(json[3]["due"], serde_json::Value::Null);
    assert_eq!(json[3]["days_left"], serde_json::Value::Null);
    for row in json.as_array().unwrap() {
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5, "{row}");
    }
}

#[test]
fn a_build_makes_them_ready_or_failing_and_an_edit_stale() {
    let dir = project();
    Test::at(dir.path())
        .arg("build")
        .status(1)
        .stderr_any()
        .run();
    assert_eq!(
        statuses(dir.path()),
        pairs(&[
            ("ost", "ready"),
            ("stereo", "ready"),
            ("loud", "failing"),
            ("undated", "ready"),
        ])
    );
    // The cue changes: every deliverable that hears it is stale.
    let edited = RECIPE.replace("220Hz -30dBFS", "220Hz -31dBFS");
    std::fs::write(dir.path().join("soundtrack.sndtrk"), &edited).unwrap();
    assert_eq!(
        statuses(dir.path()),
        pairs(&[
            ("ost", "stale"),
            ("stereo", "stale"),
            ("loud", "stale"),
            ("undated", "stale"),
        ])
    );
    // Reverted, the build state holds them again.
    std::fs::write(dir.path().join("soundtrack.sndtrk"), RECIPE).unwrap();
    assert_eq!(statuses(dir.path())[1], pairs(&[("stereo", "ready")])[0]);
}

#[test]
fn an_error_at_a_deliverable_blocks_it() {
    let dir = project();
    let recipe = RECIPE.replace(
        "type score usage BI",
        "type song usage BI isrc \"USRC17607839\"",
    );
    std::fs::write(dir.path().join("soundtrack.sndtrk"), recipe).unwrap();
    // The song has no sync or master licence (R001, R002) in the targets,
    // and sits on a score album (R009).
    let found = statuses(dir.path());
    assert!(
        found.iter().all(|(_, status)| status == "blocked"),
        "{found:?}"
    );
}

#[test]
fn the_calendar_has_one_all_day_event_per_due_date() {
    let dir = project();
    let ics = schedule(dir.path(), "ics");
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"),
        "{ics}"
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT\r\n").count(), 3);
    assert_eq!(ics.matches("END:VEVENT\r\n").count(), 3);
    assert!(ics.contains("\r\nDTSTART;VALUE=DATE:20990301\r\nDTEND;VALUE=DATE:20990302\r\n"));
    assert!(ics.contains("\r\nSUMMARY:Due & <Dates>: target stereo due\r\n"));
    assert!(ics.contains("\r\nUID:album-ost-"));
    assert!(!ics.contains("undated"));
    assert!(ics.replace("\r\n", "").find('\n').is_none());
    assert!(ics.split("\r\n").all(|line| line.len() <= 75));
}

#[test]
fn a_bad_day_is_a_usage_error() {
    Test::new()
        .recipe(RECIPE)
        .args(["schedule", "--today", "2099-02-30"])
        .status(2)
        .stderr_contains("`2099-02-30` is not a date")
        .run();
}

mod s002 {
    use super::*;

    /// Before a build, what is due within the week (or overdue) and not
    /// built; nothing when nothing is due this week.
    #[test]
    fn fires_for_what_is_due_soon_and_not_ready() {
        let recipe = fixture("lint/S002/fires.sndtrk");
        Test::new()
            .recipe(&recipe)
            .args(["check", "--today", "2099-02-26"])
            .stderr(&fixture("lint/S002/fires.stderr"))
            .run();
        Test::new()
            .recipe(&recipe)
            .args(["check", "--today", "2099-01-01"])
            .run();
    }

    /// Built and fresh, nothing is said; an edit makes them stale again.
    #[test]
    fn keeps_quiet_once_they_are_ready() {
        let dir = tempfile::tempdir().unwrap();
        let recipe = fixture("lint/S002/fires.sndtrk");
        std::fs::write(dir.path().join("soundtrack.sndtrk"), &recipe).unwrap();
        Test::at(dir.path()).arg("build").stderr_any().run();
        Test::at(dir.path())
            .args(["check", "--today", "2099-02-26"])
            .run();
        let edited = recipe.replace("-30dBFS", "-29dBFS");
        std::fs::write(dir.path().join("soundtrack.sndtrk"), edited).unwrap();
        Test::at(dir.path())
            .args(["check", "--today", "2099-02-26"])
            .stderr_contains("target `stereo` is due 2099-03-01 (in 3 days) and is stale")
            .stderr_contains("album `ost` is due 2099-02-25 (1 day overdue) and is stale")
            .run();
    }

    /// `allow S002` in the `lint` block silences it.
    #[test]
    fn the_lint_block_configures_it() {
        let recipe = format!(
            "{}\nlint {{ allow S002 }}\n",
            fixture("lint/S002/fires.sndtrk")
        );
        Test::new()
            .recipe(&recipe)
            .args(["check", "--today", "2099-02-26"])
            .run();
    }
}

/// (deliverable, status) of each row of the QC report's schedule.
fn qc_statuses(dir: &std::path::Path) -> Vec<(String, String)> {
    let html = std::fs::read_to_string(dir.join("out/reports/index.html")).unwrap();
    let start = html.find("<section id=\"schedule\">").unwrap();
    let section = &html[start..];
    let section = &section[..section.find("</section>").unwrap()];
    let body = &section[section.find("<tbody>").unwrap()..];
    body.lines()
        .filter(|line| line.starts_with("<tr>"))
        .map(|line| {
            let cells: Vec<&str> = line
                .split("<td>")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap())
                .collect();
            (cells[0].to_owned(), cells[4].to_owned())
        })
        .collect()
}

/// Builds with `args` and checks that the QC report's schedule (taken from
/// the build's own judgement when it covers every deliverable) says what
/// `sndtrk schedule` finds afterwards from the build state.
fn build_and_compare(dir: &std::path::Path, args: &[&str]) -> Vec<(String, String)> {
    Test::at(dir)
        .arg("build")
        .args(args.iter().copied())
        .args(["--today", "2099-02-26"])
        .status_any()
        .stderr_any()
        .run();
    let from_report = qc_statuses(dir);
    assert_eq!(from_report, statuses(dir), "after `build {args:?}`");
    from_report
}

#[test]
fn the_qc_report_after_a_build_has_the_schedule_of_the_build_state() {
    let dir = project();
    // Part of the project: the others are not built yet.
    assert_eq!(
        build_and_compare(dir.path(), &["stereo"]),
        pairs(&[
            ("ost", "not built"),
            ("stereo", "ready"),
            ("loud", "not built"),
            ("undated", "not built"),
        ])
    );
    // All of it: ready, failing its spec.
    let all = pairs(&[
        ("ost", "ready"),
        ("stereo", "ready"),
        ("loud", "failing"),
        ("undated", "ready"),
    ]);
    assert_eq!(build_and_compare(dir.path(), &[]), all);
    // Nothing to do: the same.
    assert_eq!(build_and_compare(dir.path(), &[]), all);
    // An edit, one deliverable rebuilt: the others are stale.
    let edited = RECIPE.replace("220Hz -30dBFS", "220Hz -31dBFS");
    std::fs::write(dir.path().join("soundtrack.sndtrk"), &edited).unwrap();
    assert_eq!(
        build_and_compare(dir.path(), &["undated"]),
        pairs(&[
            ("ost", "stale"),
            ("stereo", "stale"),
            ("loud", "stale"),
            ("undated", "ready"),
        ])
    );
    // Blocked, all of it.
    let recipe = RECIPE.replace(
        "type score usage BI",
        "type song usage BI isrc \"USRC17607839\"",
    );
    std::fs::write(dir.path().join("soundtrack.sndtrk"), recipe).unwrap();
    let found = build_and_compare(dir.path(), &[]);
    assert!(
        found.iter().all(|(_, status)| status == "blocked"),
        "{found:?}"
    );
}
