//! The lint rules: rights (R), cue sheet (C), delivery (D) and schedule
//! (S) checks on a resolved [`Model`], in the manner of ruff.
//!
//! Every rule lives in its own file under `rules/` with a stable code, a
//! kebab-case name, a default severity and a doc comment (what it checks,
//! why, an example) that is also its help text in SARIF output. A rule
//! says when it runs ([`Check`]): [`check`] (`sndtrk check`) runs every
//! rule over the model, then applies the recipe's configuration: the
//! `lint { … }` block's severities (`config.rs`) and inline
//! `// sndtrk: allow(CODE) reason` comments (`suppression.rs`);
//! [`check_built`] (`sndtrk build`) runs the rules that read what a build
//! made (D004, the measured deliverables) and applies the `lint` block's
//! severities; [`check_schedule`] (`sndtrk check` on a project's recipe)
//! runs the rules on the delivery schedule (S002: what is due soon and not
//! ready) with the `lint` block and inline suppressions.

/// Declares a [`Rule`] whose doc comment is kept as its help text; its
/// code, default severity and summary come from the code table
/// ([`crate::diagnostic::codes`]). `check: f` declares a rule over the model
/// ([`Check::Model`]), `check_built: f` one over what a build made
/// ([`Check::Built`]).
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident {
            code: $code:ident,
            name: $name:literal,
            check: $check:path $(,)?
        }
    ) => {
        declare_rule!(@rule [$($doc)*] $id $code $name $crate::lint::Check::Model($check));
    };
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident {
            code: $code:ident,
            name: $name:literal,
            check_built: $check:path $(,)?
        }
    ) => {
        declare_rule!(@rule [$($doc)*] $id $code $name $crate::lint::Check::Built($check));
    };
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident {
            code: $code:ident,
            name: $name:literal,
            check_schedule: $check:path $(,)?
        }
    ) => {
        declare_rule!(@rule [$($doc)*] $id $code $name $crate::lint::Check::Schedule($check));
    };
    (@rule [$($doc:literal)*] $id:ident $code:ident $name:literal $check:expr) => {
        $(#[doc = $doc])*
        pub static $id: $crate::lint::Rule = $crate::lint::Rule {
            code: $crate::diagnostic::codes::$code.code,
            name: $name,
            default_severity: $crate::diagnostic::codes::$code.severity,
            summary: $crate::diagnostic::codes::$code.summary,
            doc: concat!($($doc, "\n"),*),
            file: file!(),
            check: $check,
        };
    };
}

mod built;
mod checker;
pub mod clipping;
pub(crate) mod config;
mod registry;
pub(crate) mod rules;
mod scene;
mod scheduled;
pub(crate) mod sources;
pub(crate) mod suppression;

pub use built::Built;
pub use checker::Checker;
pub use registry::{rule, Check, Rule, RULES};
pub use scheduled::Scheduled;

use rayon::prelude::*;

use crate::{diagnostic::Diagnostic, model::Model};

/// Runs every rule over the model ([`Check::Model`]) on `model` and applies
/// the recipe's configuration: the diagnostics that remain, with configured
/// severities, sorted by position.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    check_with(&Checker::new(model))
}

/// [`check`] with the rules' [`Checker`] made already (the build's checks
/// share one with the deliverables' blocking).
pub fn check_with(checker: &Checker<'_>) -> Vec<Diagnostic> {
    let model = checker.model;
    let rejected = rejected(model);
    let (settings, mut diagnostics) = config::Settings::from_model(model);
    let (suppressions, problems) = suppression::Suppressions::scan(model);
    diagnostics.extend(problems);
    // The rules read the checker only: they run in parallel, and what they
    // find is taken in the registry's order.
    let findings: Vec<(&&Rule, Vec<Diagnostic>)> = RULES
        .par_iter()
        .filter_map(|rule| match rule.check {
            Check::Model(check) => {
                let mut found = Vec::new();
                check(checker, &mut found);
                Some((rule, found))
            }
            _ => None,
        })
        .collect();
    for (rule, found) in findings {
        for mut diagnostic in found {
            if diagnostic.code == rule.code {
                match settings.severity(rule) {
                    Some(severity) => diagnostic.severity = severity,
                    None => continue,
                }
                if suppressions.silences(&diagnostic) {
                    continue;
                }
                let within = |span: &crate::syntax::span::Span, at: crate::syntax::span::Span| {
                    at.source == span.source && span.start <= at.start && at.end <= span.end
                };
                let inside = |(span, rights): &(crate::syntax::span::Span, bool)| {
                    if *rights {
                        // A rights finding names its cue as a related place.
                        rule.code.starts_with('R')
                            && (diagnostic.span.is_some_and(|at| within(span, at))
                                || diagnostic.related.iter().any(|(at, _)| within(span, *at)))
                    } else {
                        diagnostic.span.is_some_and(|at| within(span, at))
                    }
                };
                if rejected.iter().any(inside) {
                    continue;
                }
            }
            diagnostics.push(diagnostic);
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
    diagnostics
}

/// Runs every rule over what a build made ([`Check::Built`]) and applies
/// the `lint` block's severities (`allow D004` silences a rule, `warn D004`
/// lets the build pass); inline suppressions do not apply. The diagnostics
/// in rule order, each rule's in the order it found them.
pub fn check_built(built: &Built<'_>) -> Vec<Diagnostic> {
    let (settings, _) = config::Settings::from_model(built.model);
    let mut diagnostics = Vec::new();
    for rule in RULES {
        let Check::Built(check) = rule.check else {
            continue;
        };
        let mut found = Vec::new();
        check(built, &mut found);
        for diagnostic in found {
            if diagnostic.code != rule.code {
                diagnostics.push(diagnostic);
                continue;
            }
            if let Some(severity) = settings.severity(rule) {
                diagnostics.push(diagnostic.with_severity(severity));
            }
        }
    }
    diagnostics
}

/// Runs every rule over the delivery schedule ([`Check::Schedule`]) and
/// applies the recipe's `lint` severities and inline suppressions; the
/// diagnostics sorted by position.
pub fn check_schedule(scheduled: &Scheduled<'_>) -> Vec<Diagnostic> {
    let (settings, _) = config::Settings::from_model(scheduled.model);
    let (suppressions, _) = suppression::Suppressions::scan(scheduled.model);
    let mut diagnostics = Vec::new();
    for rule in RULES {
        let Check::Schedule(check) = rule.check else {
            continue;
        };
        let mut found = Vec::new();
        check(scheduled, &mut found);
        for diagnostic in found {
            let Some(severity) = settings.severity(rule) else {
                continue;
            };
            let diagnostic = diagnostic.with_severity(severity);
            if !suppressions.silences(&diagnostic) {
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// Where the lints keep quiet: each declaration the resolver rejected part
/// of (its findings there would only echo the resolver's error, such as a
/// missing usage code beside a rejected one), and, for the rights rules
/// only, each cue a rejected licence names (the licence may be the one the
/// cue needs). The flag marks the second kind.
fn rejected(model: &Model) -> Vec<(crate::syntax::span::Span, bool)> {
    let mut spans: Vec<(crate::syntax::span::Span, bool)> =
        model.rejected.iter().map(|span| (*span, false)).collect();
    for license in model.licenses.iter() {
        if !model.rejected.contains(&license.span) {
            continue;
        }
        let cue = license
            .cue
            .as_ref()
            .and_then(|cue| model.cues.get(&cue.name));
        if let Some(cue) = cue {
            spans.push((cue.span, true));
        }
    }
    spans
}
