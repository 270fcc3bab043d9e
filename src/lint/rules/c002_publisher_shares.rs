//! C002 `publisher-shares`.

use crate::{diagnostic::Diagnostic, lint::Checker};

declare_rule! {
    /// ## What it checks
    /// A cue whose publishers' shares do not sum to 100%, or one of several
    /// publishers without a `share`. A lone publisher without a share holds
    /// 100%; a cue without publishers is not reported (a work may be
    /// unpublished).
    ///
    /// ## Why
    /// The performing-rights societies pay publisher royalties by the shares
    /// on the cue sheet; shares that do not add up are rejected.
    ///
    /// ## Example
    /// ```text
    /// cue 2M3 "Ocean Drive" {
    ///     publisher "Tidewater Songs" society BMI share 60%    // C002: 60%
    /// }
    /// ```
    pub static RULE {
        code: C002,
        name: "publisher-shares",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    super::shared::shares(
        checker,
        RULE.code,
        "publisher",
        |cue| &cue.publishers,
        diagnostics,
    );
}
