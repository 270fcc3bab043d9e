//! The clearance matrix: every cue against every context it is used in
//! (each target's mix, each album), cleared or blocked, and by which
//! licence or which missing clearance. It reads the same decisions as the
//! rights lint rules (`model/clearance.rs`).

use serde::Serialize;

use crate::{
    model::clearance::{
        self, contexts_of_cues, kind_name, status_name, Context, Gap, Outcome, Shortfall,
    },
    model::reach::Reach,
    model::Model,
};

/// A target or album, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextName {
    /// `target` or `album`.
    pub kind: &'static str,
    pub name: String,
}

/// One licence kind a song needs in one context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clearance {
    /// `sync`, `master` or `album`.
    pub kind: &'static str,
    /// `cleared`, `missing` or `uncovered`.
    pub status: &'static str,
    /// The licence that clears it, or the closest one that does not cover it.
    pub license: Option<String>,
    /// Licences of the kind that are not executed yet, as `name (status)`.
    pub not_executed: Vec<String>,
    /// What the closest licence does not cover.
    pub gaps: Vec<String>,
}

/// One cue in one context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightsEntry {
    pub cue: String,
    pub title: String,
    #[serde(rename = "type")]
    pub cue_type: &'static str,
    pub context: ContextName,
    pub cleared: bool,
    /// Empty for score, which the composer agreement covers.
    pub clearances: Vec<Clearance>,
}

/// The matrix, cue by cue (in declaration order), each cue's targets then
/// albums.
pub fn matrix(model: &Model) -> Vec<RightsEntry> {
    let mixes = Reach::of_all_targets(model);
    let uses = contexts_of_cues(model, mixes);
    let mut entries = Vec::new();
    for (cue_index, contexts) in uses.iter().enumerate() {
        let cue = &model.cues[cue_index];
        for &context in contexts {
            let clearances: Vec<Clearance> = clearance::needs(model, cue_index, context)
                .into_iter()
                .map(|need| describe(model, need.kind, need.outcome))
                .collect();
            entries.push(RightsEntry {
                cue: cue.id.name.clone(),
                title: cue.title.clone(),
                cue_type: if cue.is_song() { "song" } else { "score" },
                context: match context {
                    Context::Target(index) => ContextName {
                        kind: "target",
                        name: model.targets[index].name.name.clone(),
                    },
                    Context::Album(index) => ContextName {
                        kind: "album",
                        name: model.albums[index].name.name.clone(),
                    },
                },
                cleared: clearances
                    .iter()
                    .all(|clearance| clearance.status == "cleared"),
                clearances,
            });
        }
    }
    entries
}

fn describe(model: &Model, kind: crate::model::LicenseKind, outcome: Outcome) -> Clearance {
    let kind = kind_name(kind);
    let name = |index: usize| model.licenses[index].name.name.clone();
    match outcome {
        Outcome::Cleared(index) => Clearance {
            kind,
            status: "cleared",
            license: Some(name(index)),
            not_executed: Vec::new(),
            gaps: Vec::new(),
        },
        Outcome::Missing { unexecuted } => Clearance {
            kind,
            status: "missing",
            license: None,
            not_executed: unexecuted
                .into_iter()
                .map(|index| {
                    let status = model.licenses[index]
                        .status
                        .map_or("not executed", |status| status_name(status.value));
                    format!("{} ({status})", name(index))
                })
                .collect(),
            gaps: Vec::new(),
        },
        Outcome::Uncovered { license, gaps } => Clearance {
            kind,
            status: "uncovered",
            license: Some(name(license)),
            not_executed: Vec::new(),
            gaps: gaps.iter().map(gap_text).collect(),
        },
    }
}

fn gap_text(gap: &Gap) -> String {
    let shortfall = |shortfall: &Shortfall, everything: &str| match shortfall {
        Shortfall::Everything => everything.to_owned(),
        Shortfall::Only(items) => items.join(", "),
    };
    match gap {
        Gap::Media(missing) => format!("media {}", shortfall(missing, "all")),
        Gap::Territory(missing) => format!("territory {}", shortfall(missing, "world")),
        Gap::Term(date) => format!("release {date} outside its term"),
    }
}

/// "sync: sync_2M3; master: missing (master_2M3 is pending)"
fn clearance_text(entry: &RightsEntry) -> String {
    if entry.clearances.is_empty() {
        return "score: composer agreement".to_owned();
    }
    entry
        .clearances
        .iter()
        .map(|clearance| match clearance.status {
            "cleared" => format!(
                "{}: {}",
                clearance.kind,
                clearance.license.as_deref().unwrap_or_default()
            ),
            "missing" if clearance.not_executed.is_empty() => {
                format!("{}: missing", clearance.kind)
            }
            "missing" => format!(
                "{}: missing ({} not executed)",
                clearance.kind,
                clearance.not_executed.join(", ")
            ),
            _ => format!(
                "{}: {} does not cover {}",
                clearance.kind,
                clearance.license.as_deref().unwrap_or_default(),
                clearance.gaps.join("; ")
            ),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The matrix as an aligned table with a closing count.
pub fn to_human(entries: &[RightsEntry]) -> String {
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|entry| {
            [
                entry.cue.clone(),
                entry.title.clone(),
                format!("{} {}", entry.context.kind, entry.context.name),
                if entry.cleared { "cleared" } else { "blocked" }.to_owned(),
                clearance_text(entry),
            ]
        })
        .collect();
    let header = [
        "CUE".to_owned(),
        "TITLE".to_owned(),
        "CONTEXT".to_owned(),
        "STATUS".to_owned(),
        "CLEARANCE".to_owned(),
    ];
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (column, cell) in row.iter().enumerate() {
            if column + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[column] - cell.chars().count() + 2));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let blocked = entries.iter().filter(|entry| !entry.cleared).count();
    text.push_str(&format!(
        "\n{} use{}: {} cleared, {blocked} blocked\n",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        entries.len() - blocked
    ));
    text
}

/// The matrix as pretty-printed JSON.
pub fn to_json(entries: &[RightsEntry]) -> String {
    let mut text = serde_json::to_string_pretty(entries).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}
