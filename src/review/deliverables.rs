//! Which deliverables a change alters, and why, in the recipe's words.
//!
//! A deliverable is `changed` when its deep key differs (its rendered bytes
//! would differ), `unchanged` when it agrees. `because` names the changed
//! declarations it depends on (its own, what it names, what those name)
//! and the source files it reads whose bytes differ.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::{
    review::{
        declarations::DeclarationId,
        side::{Deliverable, Side},
    },
    syntax::ast::DeclarationKind,
};

/// What happened to one deliverable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One deliverable's row of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverableChange {
    pub name: String,
    pub kind: &'static str,
    pub change: Change,
    /// For a changed deliverable, what reaches it: `stem dialog: gain`,
    /// `source stems/dx.wav`.
    pub because: Vec<String>,
}

/// Properties that are paperwork: the cue sheet's and the rights' business,
/// never part of a render stage's key, so never why a deliverable's bytes
/// change (a deliverable that changes for another reason does not list them).
const PAPERWORK: &[&str] = &[
    "writer",
    "publisher",
    "usage",
    "artist",
    "label",
    "isrc",
    "type",
    "source",
    "media",
    "territory",
    "release",
    "due",
];

fn declaration_of(deliverable: &Deliverable) -> DeclarationId {
    DeclarationId {
        kind: if deliverable.kind == "target" {
            DeclarationKind::Target
        } else {
            DeclarationKind::Album
        },
        name: deliverable.name.clone(),
    }
}

/// Compares every deliverable of either side.
pub fn compare(
    base: &Side,
    head: &Side,
    changed: &BTreeMap<DeclarationId, Vec<String>>,
) -> Vec<DeliverableChange> {
    // Targets first, in the order the head declares them, then albums.
    let mut ordered: Vec<&Deliverable> = head.deliverables.iter().collect();
    ordered.extend(
        base.deliverables
            .iter()
            .filter(|deliverable| !head.deliverables.contains(deliverable)),
    );
    ordered.sort_by_key(|deliverable| deliverable.kind != "target");
    let mut seen = BTreeSet::new();
    ordered.retain(|deliverable| seen.insert(*deliverable));
    ordered
        .into_iter()
        .map(|deliverable| {
            let in_base = base.deliverables.contains(deliverable);
            let in_head = head.deliverables.contains(deliverable);
            let reasons = || because(base, head, deliverable, changed);
            let (change, because) = match (in_base, in_head) {
                (false, _) => (Change::Added, Vec::new()),
                (_, false) => (Change::Removed, Vec::new()),
                _ => match (base.key_of(deliverable), head.key_of(deliverable)) {
                    (Some(before), Some(after)) if before == after => {
                        (Change::Unchanged, Vec::new())
                    }
                    (Some(_), Some(_)) => {
                        let mut because = reasons();
                        if because.is_empty() {
                            because.push("the engine's key format".to_owned());
                        }
                        (Change::Changed, because)
                    }
                    // One side does not lower (it has errors): judged by
                    // what changed in what it depends on.
                    _ => {
                        let because = reasons();
                        let change = if because.is_empty() {
                            Change::Unchanged
                        } else {
                            Change::Changed
                        };
                        (change, because)
                    }
                },
            };
            DeliverableChange {
                name: deliverable.name.clone(),
                kind: deliverable.kind,
                change,
                because,
            }
        })
        .collect()
}

fn because(
    base: &Side,
    head: &Side,
    deliverable: &Deliverable,
    changed: &BTreeMap<DeclarationId, Vec<String>>,
) -> Vec<String> {
    let id = declaration_of(deliverable);
    let reached: BTreeSet<DeclarationId> = base
        .declarations
        .closure(&id)
        .into_iter()
        .chain(head.declarations.closure(&id))
        .collect();
    let mut because: Vec<String> = changed
        .iter()
        .filter(|(declaration, _)| reached.contains(declaration))
        .flat_map(|(declaration, changes)| {
            changes
                .iter()
                .filter(|change| !PAPERWORK.contains(&change.as_str()))
                .map(move |change| format!("{declaration}: {change}"))
        })
        .collect();
    let before: BTreeMap<String, _> = base.files_of(deliverable).into_iter().collect();
    for (path, digest) in head.files_of(deliverable) {
        if before.get(&path).is_some_and(|old| *old != digest) {
            because.push(format!("source {path}"));
        }
    }
    because
}
