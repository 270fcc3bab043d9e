//! R004 `licence-media`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::clearance::Gap};

use super::shared::{coverage_gap, CoverageGap};

declare_rule! {
    /// ## What it checks
    /// An executed sync or master licence that a target relies on (the one
    /// licence of its kind for a song in the target's mix, or the closest of
    /// several) does not cover the media the target is released in. `media
    /// all` covers everything; a list covers what it names; a target with
    /// `media all` needs a licence with `media all`.
    ///
    /// One diagnostic per licence, at its `media`, naming every target it
    /// fails.
    ///
    /// ## Why
    /// A licence for streaming does not clear a broadcast: releasing the mix
    /// in a medium the licence does not grant infringes the rights holder's.
    ///
    /// ## Example
    /// ```text
    /// license sync_2M3 { kind sync cue 2M3 media [streaming] … }
    /// target broadcast { from PM media broadcast … }   // R004 at sync_2M3's media
    /// ```
    pub static RULE {
        code: R004,
        name: "licence-media",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    coverage_gap(
        checker,
        CoverageGap {
            code: RULE.code,
            dimension: "media",
            everything: "all",
            select: |gap| match gap {
                Gap::Media(shortfall) => Some(shortfall.clone()),
                _ => None,
            },
            licensed: |license| license.media.as_ref(),
        },
        diagnostics,
    );
}
