//! C005 `missing-society`.

use crate::{diagnostic::Diagnostic, lint::Checker};

declare_rule! {
    /// ## What it checks
    /// A `writer` or `publisher` of a cue without a `society`.
    ///
    /// ## Why
    /// The cue sheet tells each performing-rights society (ASCAP, BMI, PRS,
    /// SACEM, GEMA, …) whom it pays; a party without one is not paid.
    ///
    /// ## Example
    /// ```text
    /// writer "Ana Ruiz" share 100%    // C005: add `society ASCAP`
    /// ```
    pub static RULE {
        code: C005,
        name: "missing-society",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for cue in &checker.model.cues {
        let parties = cue
            .writers
            .iter()
            .map(|party| ("writer", party))
            .chain(cue.publishers.iter().map(|party| ("publisher", party)));
        for (role, party) in parties {
            if party.society.is_some() {
                continue;
            }
            diagnostics.push(
                Diagnostic::warning(
                    RULE.code,
                    format!(
                        "{role} \"{}\" of cue {} has no society",
                        party.name, cue.id.name
                    ),
                )
                .at(party.span, "no `society`")
                .help(format!(
                    "add the {role}'s performing-rights society, such as `society ASCAP`"
                )),
            );
        }
    }
}
