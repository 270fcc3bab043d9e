//! D006 `album-breaks-spec`.

use crate::{diagnostic::Diagnostic, lint::Checker};

use super::d001_target_breaks_spec::{fixed_format, hertz};

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
        code: "D006",
        name: "album-breaks-spec",
        severity: Error,
        summary: "An album's format breaks its spec.",
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
        let fixed = fixed_format(spec, format);
        if let Some(rate) = spec.sample_rate {
            if rate.value != format.sample_rate {
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        format!(
                            "album `{}` is {} but spec {} requires {}",
                            album.name.name,
                            hertz(format.sample_rate),
                            spec.name.name,
                            hertz(rate.value)
                        ),
                    )
                    .at(
                        format.span,
                        format!("{} breaks {}", hertz(format.sample_rate), spec.name.name),
                    )
                    .help(format!("write the album at {}: {fixed}", hertz(rate.value))),
                );
            }
        }
        if let Some(bits) = spec.bits {
            if bits.value != format.bits {
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        format!(
                            "album `{}` is {}-bit but spec {} requires {}-bit",
                            album.name.name, format.bits, spec.name.name, bits.value
                        ),
                    )
                    .at(
                        format.span,
                        format!("{}-bit breaks {}", format.bits, spec.name.name),
                    )
                    .help(format!("write the album at {} bits: {fixed}", bits.value)),
                );
            }
        }
    }
}
