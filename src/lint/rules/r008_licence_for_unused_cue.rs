//! R008 `licence-for-unused-cue`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::clearance::kind_name};

declare_rule! {
    /// ## What it checks
    /// A licence for a cue that no target's mix reaches and no album lists.
    ///
    /// ## Why
    /// Either the cue was cut from the film and the licence (and its fee) is
    /// no longer needed, or the cue was meant to be in a bus or on the album
    /// and is missing there.
    ///
    /// ## Example
    /// ```text
    /// cue 3M1 "Last Call" { type song … }        // in no bus, on no album
    /// license sync_3M1 { kind sync cue 3M1 … }   // R008
    /// ```
    pub static RULE {
        code: R008,
        name: "licence-for-unused-cue",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for license in &model.licenses {
        let Some(cue_name) = &license.cue else {
            continue;
        };
        let Some(cue) = model.cues.index(&cue_name.name) else {
            continue;
        };
        if !checker.uses[cue].is_empty() {
            continue;
        }
        let kind = license.kind.map_or("", |kind| kind_name(kind.value));
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                format!(
                    "{kind} licence `{}` covers cue {}, which no target or album uses",
                    license.name.name, cue_name.name
                ),
            )
            .at(license.name.span, "licence for an unused cue")
            .related(cue_name.span, "in no target's mix and on no album")
            .help(format!(
                "add {} to a bus that a target is rendered from or to an album, or remove the licence",
                cue_name.name
            )),
        );
    }
}
