//! C003 `missing-usage`.

use crate::{diagnostic::Diagnostic, lint::Checker};

declare_rule! {
    /// ## What it checks
    /// A cue without a `usage` code: BI (background instrumental), BV
    /// (background vocal), VI (visual instrumental), VV (visual vocal), MT
    /// (main title) or ET (end title).
    ///
    /// ## Why
    /// The societies weight royalties by usage; a cue sheet line without one
    /// is returned to the production.
    ///
    /// ## Example
    /// ```text
    /// cue 1M1 "Harbor Lights" { type score … }   // C003: add `usage BI`
    /// ```
    pub static RULE {
        code: "C003",
        name: "missing-usage",
        severity: Error,
        summary: "A cue has no usage code.",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for cue in &checker.model.cues {
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
