//! D005 `unused-stem-or-cue`.

use std::collections::HashSet;

use crate::{diagnostic::Diagnostic, lint::Checker, model::MemberRef};

declare_rule! {
    /// ## What it checks
    /// A stem that no bus lists, or a cue that no bus lists (directly or
    /// through `cues`) and no album holds.
    ///
    /// ## Why
    /// Audio that reaches no deliverable is either a leftover or a mistake:
    /// a stem that was meant to be in the mix and is silently missing.
    ///
    /// ## Example
    /// ```text
    /// stem walla { role walla … }
    /// bus FX 5.1 { fx foley }      // D005 at walla: in no bus
    /// ```
    pub static RULE {
        code: D005,
        name: "unused-stem-or-cue",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let mut stems = HashSet::new();
    let mut cues = HashSet::new();
    let mut all_cues = false;
    for bus in &model.buses {
        for member in &bus.members {
            match member.target {
                Some(MemberRef::Stem(index)) => {
                    stems.insert(index);
                }
                Some(MemberRef::Cue(index)) => {
                    cues.insert(index);
                }
                Some(MemberRef::AllCues) => all_cues = true,
                _ => {}
            }
        }
    }
    for album in &model.albums {
        for track in &album.tracks {
            if let Some(index) = model.cues.index(&track.name) {
                cues.insert(index);
            }
        }
    }
    for (index, stem) in model.stems.iter().enumerate() {
        if !stems.contains(&index) && !model.meant.contains(&stem.name.name) {
            diagnostics.push(
                Diagnostic::warning(
                    RULE.code,
                    format!("stem `{}` is used by no bus", stem.name.name),
                )
                .at(stem.name.span, "unused stem")
                .help(format!(
                    "add `{}` to a bus, or remove the stem",
                    stem.name.name
                )),
            );
        }
    }
    if all_cues {
        return;
    }
    for (index, cue) in model.cues.iter().enumerate() {
        if !cues.contains(&index) && !model.meant.contains(&cue.id.name) {
            diagnostics.push(
                Diagnostic::warning(
                    RULE.code,
                    format!("cue {} is used by no bus and no album", cue.id.name),
                )
                .at(cue.id.span, "unused cue")
                .help(format!(
                    "add {} to a bus (or list `cues` in the music bus), or remove the cue",
                    cue.id.name
                )),
            );
        }
    }
}
