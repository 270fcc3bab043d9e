//! D005 `unused-stem-cue-or-bus`.

use std::collections::HashSet;

use crate::{diagnostic::Diagnostic, lint::Checker, model::MemberRef};

declare_rule! {
    /// ## What it checks
    /// A stem that no bus lists; a cue that no bus lists (directly or
    /// through `cues`) and no album holds; a bus that no target takes
    /// `from`, no other bus lists and no target's `dialogue_gate` names.
    /// Buses are checked only in a project that declares a target (until
    /// the first one, the buses are where the mix ends), and not while a
    /// target or a bus has an error of its own (what it meant to use is
    /// unknown).
    ///
    /// ## Why
    /// Audio that reaches no deliverable is either a leftover or a mistake:
    /// a stem that was meant to be in the mix and is silently missing, a
    /// stem bus that the print master was meant to sum.
    ///
    /// ## Example
    /// ```text
    /// stem walla { role walla … }
    /// bus FX 5.1 { fx foley }      // D005 at walla: in no bus
    /// bus BG 5.1 { amb }           // D005 at BG: no target, bus or gate uses it
    /// bus PM 5.1 { DX MX FX }
    /// target print_master { from PM … }
    /// ```
    pub static RULE {
        code: D005,
        name: "unused-stem-cue-or-bus",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let mut stems = HashSet::new();
    let mut cues = HashSet::new();
    let mut all_cues = false;
    let mut buses = HashSet::new();
    for bus in &model.buses {
        for member in &bus.members {
            match member.target {
                Some(MemberRef::Bus(index)) => {
                    buses.insert(index);
                }
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
    // Where the resolver rejected part of a target or a bus, or a target
    // names something that is no bus, what it meant to use is unknown.
    let mut known = !model.targets.is_empty();
    for target in &model.targets {
        known &= !model.rejected.contains(&target.span);
        for name in target.from.iter().chain(&target.dialogue_gate) {
            // A scene's target uses its bed, and the cues its objects play.
            let scene = model.scene(&name.name);
            if let Some(scene) = &scene {
                cues.extend(scene.cues().map(|(_, cue)| cue));
            }
            match scene
                .map(|scene| scene.bed)
                .or_else(|| model.buses.index(&name.name))
            {
                Some(index) => {
                    buses.insert(index);
                }
                None => known = false,
            }
        }
    }
    known &= model
        .buses
        .iter()
        .all(|bus| !model.rejected.contains(&bus.span));
    if known {
        for (index, bus) in model.buses.iter().enumerate() {
            if !buses.contains(&index) && !model.meant.contains(&bus.name.name) {
                diagnostics.push(
                    Diagnostic::warning(
                        RULE.code,
                        format!(
                            "bus `{}` is used by no target, no other bus and no dialogue gate",
                            bus.name.name
                        ),
                    )
                    .at(bus.name.span, "unused bus")
                    .help(format!(
                        "add `{}` to a target's `from` or to another bus, or remove the bus",
                        bus.name.name
                    )),
                );
            }
        }
    }
    for album in &model.albums {
        for track in &album.tracks {
            if let Some(index) = model.cues.index(&track.cue.name) {
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
                    format!(
                        "cue {} is used by no bus, no object and no album",
                        cue.id.name
                    ),
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
