//! What a change does to the rights: each cue whose clearance in a target
//! or album changes (cleared to blocked, or back), or that starts or stops
//! playing there.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::rights::RightsEntry;

/// One cue in one deliverable whose clearance changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightsChange {
    pub cue: String,
    /// The deliverable, `target stereo` or `album ost`.
    #[serde(rename = "in")]
    pub context: String,
    /// `cleared`, `blocked`, or `None` where the cue does not play there.
    pub before: Option<&'static str>,
    pub after: Option<&'static str>,
    /// What the licences do not cover at the head (`missing sync`,
    /// `master: territory DE`).
    pub gaps: Vec<String>,
}

fn status(entry: &RightsEntry) -> &'static str {
    if entry.cleared {
        "cleared"
    } else {
        "blocked"
    }
}

fn gaps(entry: &RightsEntry) -> Vec<String> {
    entry
        .clearances
        .iter()
        .filter(|clearance| clearance.status != "cleared")
        .flat_map(|clearance| {
            let mut gaps: Vec<String> = clearance
                .gaps
                .iter()
                .map(|gap| format!("{}: {gap}", clearance.kind))
                .collect();
            if gaps.is_empty() {
                gaps.push(format!("{} {}", clearance.status, clearance.kind));
            }
            gaps
        })
        .collect()
}

fn keyed(entries: &[RightsEntry]) -> BTreeMap<(String, String), &RightsEntry> {
    entries
        .iter()
        .map(|entry| {
            let context = format!("{} {}", entry.context.kind, entry.context.name);
            ((entry.cue.clone(), context), entry)
        })
        .collect()
}

/// Every cue and deliverable whose clearance differs, cue by cue.
pub fn compare(base: &[RightsEntry], head: &[RightsEntry]) -> Vec<RightsChange> {
    let (before, after) = (keyed(base), keyed(head));
    let mut keys: Vec<&(String, String)> = after.keys().chain(before.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (was, is) = (before.get(key).copied(), after.get(key).copied());
            let (old, new) = (was.map(status), is.map(status));
            (old != new).then(|| RightsChange {
                cue: key.0.clone(),
                context: key.1.clone(),
                before: old,
                after: new,
                gaps: is.map(gaps).unwrap_or_default(),
            })
        })
        .collect()
}
