//! R005 `licence-territory`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::clearance::Gap};

use super::shared::{coverage_gap, CoverageGap};

declare_rule! {
    /// ## What it checks
    /// An executed sync or master licence that a target relies on (the one
    /// licence of its kind for a song in the target's mix, or the closest of
    /// several) does not cover the territory the target is released in.
    /// `territory world` covers everything; a list covers what it names; a
    /// target with `territory world` needs a licence for the world.
    ///
    /// One diagnostic per licence, at its `territory`, naming every target it
    /// fails.
    ///
    /// ## Why
    /// Rights are granted territory by territory; a mix released where the
    /// song is not licensed cannot be distributed there.
    ///
    /// ## Example
    /// ```text
    /// license master_2M3 { kind master cue 2M3 territory [US, CA] … }
    /// target broadcast { from PM territory [GB, DE, FR] … }   // R005 at master_2M3's territory
    /// ```
    pub static RULE {
        code: R005,
        name: "licence-territory",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    coverage_gap(
        checker,
        CoverageGap {
            code: RULE.code,
            dimension: "territory",
            everything: "world",
            select: |gap| match gap {
                Gap::Territory(shortfall) => Some(shortfall.clone()),
                _ => None,
            },
            licensed: |license| license.territory.as_ref(),
        },
        diagnostics,
    );
}
