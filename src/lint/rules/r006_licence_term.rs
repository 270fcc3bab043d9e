//! R006 `licence-term`.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::clearance::{kind_name, Gap},
    syntax::ast::Date,
};

use super::shared::{describe_contexts, uncovered};

declare_rule! {
    /// ## What it checks
    /// An executed licence that a target or an album relies on whose `term`
    /// does not include the release date: the target's own `release`, else
    /// the album's, else the project's. A term `to perpetuity` never ends.
    ///
    /// One diagnostic per licence, at its `term`, naming every target or
    /// album whose release falls outside it.
    ///
    /// ## Why
    /// A licence that has expired (or not yet begun) on the day of release
    /// clears nothing on that day.
    ///
    /// ## Example
    /// ```text
    /// project "Night Harbor" { … release 2027-03-14 }
    /// license master_2M3 { kind master cue 2M3 term 2025-01-01 to 2026-12-31 … }
    /// // R006 at the term: it ends before the 2027-03-14 release
    /// ```
    pub static RULE {
        code: R006,
        name: "licence-term",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let found = uncovered(checker, |gap| match gap {
        Gap::Term(date) => Some(*date),
        _ => None,
    });
    for (license_index, contexts) in found {
        let license = &model.licenses[license_index];
        let Some(term) = license.term else {
            continue;
        };
        let mut dates: Vec<Date> = contexts.iter().map(|(_, date)| *date).collect();
        dates.sort();
        dates.dedup();
        let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
            continue;
        };
        let start = term.start.min(first);
        let end = term.end.map(|end| end.max(last));
        let written =
            |end: Option<Date>| end.map_or("perpetuity".to_owned(), |end| end.to_string());
        let listed = dates
            .iter()
            .map(Date::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let kind = license.kind.map_or("", |kind| kind_name(kind.value));
        let cue = license.cue.as_ref().map_or("", |cue| cue.name.as_str());
        diagnostics.push(
            Diagnostic::error(
                RULE.code,
                format!(
                    "the term of {kind} licence `{}` for {cue} does not include the release {} {listed} of {}",
                    license.name.name,
                    if dates.len() == 1 { "date" } else { "dates" },
                    describe_contexts(checker, &contexts),
                ),
            )
            .at(
                term.span,
                format!("{} to {}", term.start, written(term.end)),
            )
            .help(format!(
                "extend the term to include the release: `term {start} to {}`",
                written(end)
            )),
        );
    }
}
