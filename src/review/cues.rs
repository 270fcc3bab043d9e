//! What a change does to the music: each cue use added, removed, moved or
//! edited, with its cue-sheet consequences in the recipe's words.
//!
//! Uses are matched by cue and, for a cue used more than once, by their
//! order on the cue sheet. A use whose in and out both shift by the same
//! amount is `moved`; one whose cue-sheet row changes otherwise (its
//! length, usage, writers…) or whose declaration changes (its gain, say)
//! is `edited`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::{
    report::cuesheet::{parties_text, CueSheetRow},
    review::declarations::DeclarationId,
    syntax::ast::DeclarationKind,
};

/// Where a use sits on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    #[serde(rename = "in")]
    pub start: Option<String>,
    #[serde(rename = "out")]
    pub end: Option<String>,
}

/// One cue use's row of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct CueChange {
    pub cue: String,
    /// Which use of the cue (1 for the first on the cue sheet).
    #[serde(rename = "use")]
    pub number: usize,
    /// `added`, `removed`, `moved` or `edited`.
    pub change: &'static str,
    pub before: Option<Span>,
    pub after: Option<Span>,
    /// What changed in the cue's declaration, in the recipe's words
    /// (`cue 2M1: gain`).
    pub changes: Vec<String>,
    /// What the cue sheet says differently (`duration 00:00:20:00 →
    /// 00:00:18:00`, `usage BI → BV`).
    pub cue_sheet: Vec<String>,
}

impl Span {
    /// `01:00:02:00–01:00:03:12` with `separator` between in and out, or
    /// `untimed`.
    pub fn shown(&self, separator: &str) -> String {
        match (&self.start, &self.end) {
            (Some(start), Some(end)) => format!("{start}{separator}{end}"),
            _ => "untimed".to_owned(),
        }
    }
}

/// A use's span, or a dash where there is none (an added or removed use).
pub fn shown(span: Option<&Span>, separator: &str) -> String {
    span.map_or_else(|| "—".to_owned(), |span| span.shown(separator))
}

fn span_of(row: &CueSheetRow) -> Span {
    Span {
        start: row.start.clone(),
        end: row.end.clone(),
    }
}

fn or_none(value: Option<&str>) -> String {
    value.unwrap_or("none").to_owned()
}

/// The cue-sheet fields that differ between two rows of one use, other
/// than its in and out.
fn row_changes(before: &CueSheetRow, after: &CueSheetRow) -> Vec<String> {
    let text = |row: &CueSheetRow| -> [(&'static str, String); 9] {
        [
            ("title", row.title.clone()),
            ("type", row.cue_type.to_owned()),
            ("usage", or_none(row.usage.as_deref())),
            ("duration", or_none(row.duration.as_deref())),
            ("writers", parties_text(&row.writers)),
            ("publishers", parties_text(&row.publishers)),
            ("artist", or_none(row.artist.as_deref())),
            ("label", or_none(row.label.as_deref())),
            ("isrc", or_none(row.isrc.as_deref())),
        ]
    };
    text(before)
        .into_iter()
        .zip(text(after))
        .filter(|((_, old), (_, new))| old != new)
        .map(|((name, old), (_, new))| format!("{name} {old} → {new}"))
        .collect()
}

fn by_cue(rows: &[CueSheetRow]) -> BTreeMap<&str, Vec<&CueSheetRow>> {
    let mut uses: BTreeMap<&str, Vec<&CueSheetRow>> = BTreeMap::new();
    for row in rows {
        uses.entry(row.cue.as_str()).or_default().push(row);
    }
    uses
}

/// Every cue use that differs, in the head's cue-sheet order (removed uses
/// after, in the base's).
pub fn compare(
    base: &[CueSheetRow],
    head: &[CueSheetRow],
    changed: &BTreeMap<DeclarationId, Vec<String>>,
) -> Vec<CueChange> {
    let (before, after) = (by_cue(base), by_cue(head));
    let declaration_changes = |cue: &str| -> Vec<String> {
        let id = DeclarationId {
            kind: DeclarationKind::Cue,
            name: cue.to_owned(),
        };
        changed
            .get(&id)
            .map(|changes| {
                changes
                    .iter()
                    .filter(|change| !matches!(change.as_str(), "added" | "removed"))
                    .map(|change| format!("{id}: {change}"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut order: Vec<&str> = head.iter().map(|row| row.cue.as_str()).collect();
    order.extend(base.iter().map(|row| row.cue.as_str()));
    // Cues whose declaration changed but that are on neither cue sheet.
    order.extend(
        changed
            .keys()
            .filter(|id| id.kind == DeclarationKind::Cue)
            .map(|id| id.name.as_str()),
    );
    let mut seen = BTreeSet::new();
    order.retain(|cue| seen.insert(*cue));
    let mut result = Vec::new();
    for cue in order {
        let old = before.get(cue).cloned().unwrap_or_default();
        let new = after.get(cue).cloned().unwrap_or_default();
        let changes = declaration_changes(cue);
        let uses = old.len().max(new.len());
        if uses == 0 && !changes.is_empty() {
            result.push(CueChange {
                cue: cue.to_owned(),
                number: 1,
                change: "edited",
                before: None,
                after: None,
                changes,
                cue_sheet: Vec::new(),
            });
            continue;
        }
        for number in 0..uses {
            let entry = |change, before: Option<Span>, after: Option<Span>, cue_sheet| CueChange {
                cue: cue.to_owned(),
                number: number + 1,
                change,
                before,
                after,
                changes: changes.clone(),
                cue_sheet,
            };
            match (old.get(number), new.get(number)) {
                (None, Some(row)) => {
                    result.push(entry("added", None, Some(span_of(row)), Vec::new()))
                }
                (Some(row), None) => {
                    result.push(entry("removed", Some(span_of(row)), None, Vec::new()));
                }
                (Some(was), Some(is)) => {
                    let (from, to) = (span_of(was), span_of(is));
                    let fields = row_changes(was, is);
                    let moved = from != to;
                    let change = if moved && fields.is_empty() {
                        "moved"
                    } else if moved || !fields.is_empty() || !changes.is_empty() {
                        "edited"
                    } else {
                        continue;
                    };
                    let mut cue_sheet = Vec::new();
                    if moved {
                        cue_sheet.push(format!(
                            "in {} → {}, out {} → {}",
                            or_none(from.start.as_deref()),
                            or_none(to.start.as_deref()),
                            or_none(from.end.as_deref()),
                            or_none(to.end.as_deref())
                        ));
                    }
                    cue_sheet.extend(fields);
                    result.push(entry(change, Some(from), Some(to), cue_sheet));
                }
                (None, None) => {}
            }
        }
    }
    result
}
