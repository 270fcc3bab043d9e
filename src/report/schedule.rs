//! The delivery schedule: one row per deliverable (every target and every
//! album) with its due date, the days left until it on a given day, and
//! its status from the last build ([`crate::project::status`]), for
//! `sndtrk schedule` (a table, JSON, or an iCalendar file of one all-day
//! event per due date), the S002 lint and the QC report.
//!
//! Rows come in order of their due date, the undated last; deliverables
//! due on one day (and the undated) keep the recipe's order, targets
//! before albums.

use serde::Serialize;

use crate::{model::Model, syntax::ast::Date};

/// A deliverable of the schedule: a target or an album.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Target,
    Album,
}

impl Kind {
    /// `target` or `album`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Target => "target",
            Kind::Album => "album",
        }
    }
}

/// Where a deliverable stands after the last build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Built, fresh (nothing it is made from changed since) and within its
    /// spec.
    #[serde(rename = "ready")]
    Ready,
    /// Built, but the recipe or a source changed since.
    #[serde(rename = "stale")]
    Stale,
    /// Built and fresh, but it misses its spec (D004) or clips (D007).
    #[serde(rename = "failing")]
    Failing,
    /// An error of the checks points at it: a build will not render it.
    #[serde(rename = "blocked")]
    Blocked,
    /// Never built.
    #[serde(rename = "not built")]
    NotBuilt,
}

impl Status {
    /// The word printed: `ready`, `stale`, `failing`, `blocked` or `not built`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::Stale => "stale",
            Status::Failing => "failing",
            Status::Blocked => "blocked",
            Status::NotBuilt => "not built",
        }
    }
}

/// One deliverable's line of the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The target's or album's name.
    pub deliverable: String,
    pub kind: Kind,
    pub due: Option<Date>,
    /// Days from the day asked about to `due`; negative when overdue.
    pub days_left: Option<i64>,
    pub status: Status,
}

/// The schedule on `today`: every target and album of `model` with its
/// status (`target_status` and `album_status` are indexed like
/// `model.targets` and `model.albums`; a missing one is not built).
pub fn rows(
    model: &Model,
    today: Date,
    target_status: &[Status],
    album_status: &[Status],
) -> Vec<Row> {
    let status = |list: &[Status], index: usize| list.get(index).copied();
    let mut rows: Vec<Row> = model
        .targets
        .iter()
        .enumerate()
        .map(|(index, target)| {
            row(
                &target.name.name,
                Kind::Target,
                target.due.map(|due| due.value),
                status(target_status, index),
                today,
            )
        })
        .chain(model.albums.iter().enumerate().map(|(index, album)| {
            row(
                &album.name.name,
                Kind::Album,
                album.due.map(|due| due.value),
                status(album_status, index),
                today,
            )
        }))
        .collect();
    // Stable: equal dates keep the recipe's order.
    rows.sort_by_key(|row| (row.due.is_none(), row.due));
    rows
}

fn row(name: &str, kind: Kind, due: Option<Date>, status: Option<Status>, today: Date) -> Row {
    Row {
        deliverable: name.to_owned(),
        kind,
        due,
        days_left: due.map(|due| today.days_until(due)),
        status: status.unwrap_or(Status::NotBuilt),
    }
}

/// An aligned table: a header, then one line per row (`-` for no due date).
pub fn to_human(rows: &[Row]) -> String {
    let header = ["deliverable", "kind", "due", "days left", "status"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.deliverable.clone(),
                row.kind.as_str().to_owned(),
                row.due
                    .map_or_else(|| "-".to_owned(), |due| due.to_string()),
                row.days_left
                    .map_or_else(|| "-".to_owned(), |days| days.to_string()),
                row.status.as_str().to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: [&str; 5]| {
        let mut out = String::new();
        for (column, cell) in cells.iter().enumerate() {
            if column + 1 == cells.len() {
                out.push_str(cell);
            } else if column == 3 {
                // Days are numbers: right-aligned.
                out.push_str(&format!("{cell:>width$}  ", width = widths[column]));
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[column]));
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    line(header);
    for cells in &cells {
        line([&cells[0], &cells[1], &cells[2], &cells[3], &cells[4]]);
    }
    text
}

/// A row as `sndtrk schedule --format json` prints it.
#[derive(Serialize)]
struct JsonRow<'a> {
    deliverable: &'a str,
    kind: Kind,
    due: Option<String>,
    days_left: Option<i64>,
    status: Status,
}

/// One JSON array of objects with the keys `deliverable`, `kind`, `due`
/// (`YYYY-MM-DD` or null), `days_left` (null without a due date) and
/// `status`, and a line break.
pub fn to_json(rows: &[Row]) -> String {
    let rows: Vec<JsonRow<'_>> = rows
        .iter()
        .map(|row| JsonRow {
            deliverable: &row.deliverable,
            kind: row.kind,
            due: row.due.map(|due| due.to_string()),
            days_left: row.days_left,
            status: row.status,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::resolve_text;

    const RECIPE: &str = r#"import "std/layouts"
project "T" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 release 2027-03-14 }
stem dx { role dialogue layout 2.0 tone 440Hz -20dBFS for 1s at 01:00:00:00 }
bus PM 2.0 { dx }
target late { from PM layout 2.0 format wav 48kHz 24bit due 2027-03-10 }
target early { from PM layout 2.0 format wav 48kHz 24bit due 2027-03-01 }
target someday { from PM layout 2.0 format wav 48kHz 24bit }
"#;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn rows_come_by_due_date_with_days_left() {
        let resolved = resolve_text("soundtrack.sndtrk", None, RECIPE);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let rows = rows(
            &resolved.model,
            date("2027-03-05"),
            &[Status::Ready, Status::Stale],
            &[],
        );
        let found: Vec<(&str, Option<i64>, Status)> = rows
            .iter()
            .map(|row| (row.deliverable.as_str(), row.days_left, row.status))
            .collect();
        assert_eq!(
            found,
            [
                ("early", Some(-4), Status::Stale),
                ("late", Some(5), Status::Ready),
                ("someday", None, Status::NotBuilt),
            ]
        );
        assert_eq!(
            to_human(&rows),
            "deliverable  kind    due         days left  status\n\
             early        target  2027-03-01         -4  stale\n\
             late         target  2027-03-10          5  ready\n\
             someday      target  -                   -  not built\n"
        );
        let json: serde_json::Value = serde_json::from_str(&to_json(&rows)).unwrap();
        assert_eq!(
            json[2],
            serde_json::json!({"deliverable": "someday", "kind": "target", "due": null, "days_left": null, "status": "not built"})
        );
        assert_eq!(json[0]["due"], "2027-03-01");
    }
}
