//! D006 `album-breaks-spec`.

use crate::{diagnostic::Diagnostic, lint::Checker};

use super::d001_target_breaks_spec::check_format;

declare_rule! {
    /// ## What it checks
    /// An album whose `format` has a sample rate or bit depth that its `spec`
    /// does not allow (the spec's `rate` and `depth`).
    ///
    /// ## Why
    /// A CD master must be 44.1 kHz, 16-bit (Red Book); a digital aggregator
    /// rejects files that break its spec.
    ///
    /// ## Example
    /// ```text
    /// album ost "…" {
    ///     format wav 48kHz 24bit
    ///     spec album.cd          // D006 twice: 44.1kHz and 16bit required
    /// }
    /// ```
    pub static RULE {
        code: D006,
        name: "album-breaks-spec",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for album in &model.albums {
        let (Some(spec_name), Some(format)) = (&album.spec, album.format) else {
            continue;
        };
        let Some(spec) = model.specs.get(&spec_name.name) else {
            continue;
        };
        check_format(
            RULE.code,
            "album",
            &album.name.name,
            format,
            spec,
            diagnostics,
        );
    }
}
