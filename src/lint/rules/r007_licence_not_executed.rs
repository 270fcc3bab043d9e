//! R007 `licence-not-executed`.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::clearance::{kind_name, status_name},
    model::LicenseStatus,
};

declare_rule! {
    /// ## What it checks
    /// A licence whose `status` is `quoted` or `pending`.
    ///
    /// ## Why
    /// Only an executed licence clears a use. A quote or a licence in
    /// negotiation is a reminder that delivery is blocked until it is signed;
    /// `lint { deny R007 }` makes it an error for a final delivery.
    ///
    /// ## Example
    /// ```text
    /// license master_2M3 { kind master cue 2M3 … status pending }   // R007
    /// ```
    pub static RULE {
        code: R007,
        name: "licence-not-executed",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for license in &checker.model.licenses {
        let Some(status) = license.status else {
            continue;
        };
        if status.value == LicenseStatus::Executed {
            continue;
        }
        let state = status_name(status.value);
        let kind = license.kind.map_or("", |kind| kind_name(kind.value));
        let cue = license.cue.as_ref().map_or("", |cue| cue.name.as_str());
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                format!(
                    "{kind} licence `{}` for {cue} is {state}, not executed",
                    license.name.name
                ),
            )
            .at(status.span, state)
            .help(format!(
                "a {state} licence clears nothing; once it is signed, write `status executed`"
            )),
        );
    }
}
