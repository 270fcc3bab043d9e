//! C003 `missing-usage`.

use crate::{diagnostic::Diagnostic, lint::Checker};

declare_rule! {
    /// ## What it checks
    /// A cue without a `usage` code: BI (background instrumental), BV
    /// (background vocal), VI (visual instrumental), VV (visual vocal), MT
    /// (main title) or ET (end title). Also a cue heard in a target's mix
    /// without a placement (`at`), which leaves its cue sheet line without
    /// timing.
    ///
    /// ## Why
    /// The societies weight royalties by usage and duration; a cue sheet
    /// line without them is returned to the production.
    ///
    /// ## Example
    /// ```text
    /// cue 1M1 "Harbor Lights" { type score … }   // C003: add `usage BI`
    /// ```
    pub static RULE {
        code: C003,
        name: "missing-usage",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (index, cue) in checker.model.cues.iter().enumerate() {
        let in_picture = checker.mixes.iter().any(|mix| mix.contains_cue(index));
        if in_picture && cue.clip.uses.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!("cue {} is in the picture but has no placement", cue.id.name),
                )
                .at(cue.id.span, "no `at`")
                .help("add `at TIMECODE` (and `to TIMECODE` if the cue is cut short): the cue sheet lists its in, out and duration"),
            );
        }
        if cue.usage.is_some() {
            continue;
        }
        let example = if cue.is_song() { "VV" } else { "BI" };
        diagnostics.push(
            Diagnostic::error(RULE.code, format!("cue {} has no usage code", cue.id.name))
                .at(cue.id.span, "no `usage`")
                .help(format!(
                    "add `usage {example}`; the codes are BI, BV, VI, VV (background or visual, instrumental or vocal), MT (main title) and ET (end title)"
                )),
        );
    }
}
