//! C001 `writer-shares`.

use crate::{diagnostic::Diagnostic, lint::Checker};

declare_rule! {
    /// ## What it checks
    /// A cue whose writers' shares do not sum to 100%, one of several writers
    /// without a `share`, or a cue with no `writer` at all. A lone writer
    /// without a share holds 100%.
    ///
    /// ## Why
    /// The performing-rights societies pay writer royalties by the shares on
    /// the cue sheet; shares that do not add up are rejected or misallocated.
    ///
    /// ## Example
    /// ```text
    /// cue 2M3 "Ocean Drive" {
    ///     writer "J. Smith" society BMI share 50%
    ///     writer "K. Lee" society ASCAP share 40%    // C001: 90%
    /// }
    /// ```
    pub static RULE {
        code: C001,
        name: "writer-shares",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    super::shared::shares(
        checker,
        RULE.code,
        "writer",
        |cue| &cue.writers,
        diagnostics,
    );
    for cue in &checker.model.cues {
        if cue.writers.is_empty() {
            diagnostics.push(
                Diagnostic::error(RULE.code, format!("cue {} has no writer", cue.id.name))
                    .at(cue.id.span, "no writer")
                    .help("add `writer \"Name\" society SOCIETY share 100%`: every cue on the cue sheet has its writers"),
            );
        }
    }
}
