//! D008 `unmatched-stem`.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::{MemberRef, Model},
    resolve::levels::normalises,
};

declare_rule! {
    /// ## What it checks
    /// A target rendered from a bus that is part of a normalised target's
    /// mix (a sub-bus, at any depth, of a bus that target is rendered from)
    /// which neither normalises itself nor `match`es that target.
    ///
    /// ## Why
    /// The normalised target (the print master) is gained to its spec; a
    /// stem or M&E rendered at the level it was mixed at is off by that gain,
    /// so the stems no longer sum to the print master and DX + M&E do not
    /// null against it, which is the first thing a distributor's QC checks.
    /// `match` makes it take the print master's gain.
    ///
    /// ## Example
    /// ```text
    /// bus PM 5.1 { DX MX FX }
    /// target print_master { from PM … spec netflix.surround }
    /// target me { kind me from MX FX … }     // D008: add `match print_master`
    /// ```
    pub static RULE {
        code: D008,
        name: "unmatched-stem",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for target in &model.targets {
        if target.matches.is_some() || normalises(model, target) {
            continue;
        }
        for from in &target.from {
            let Some(bus) = model.buses.index(&from.name) else {
                continue;
            };
            // The first normalised target whose mix holds this bus.
            let holder = model.targets.iter().find(|other| {
                normalises(model, other)
                    && other.from.iter().any(|outer| {
                        model
                            .buses
                            .index(&outer.name)
                            .is_some_and(|outer| holds(model, outer, bus, 0))
                    })
            });
            let Some(holder) = holder else {
                continue;
            };
            let name = &holder.name.name;
            diagnostics.push(
                Diagnostic::warning(
                    RULE.code,
                    format!(
                        "target `{}` renders `{}` at its mixed level, but `{name}` normalises the mix that holds it",
                        target.name.name, from.name
                    ),
                )
                .at(from.span, format!("part of `{name}`'s mix"))
                .help(format!(
                    "add `match {name}` so that it takes `{name}`'s gain and nulls against it"
                )),
            );
            break;
        }
    }
}

/// Whether bus `outer` holds bus `inner` as a sub-bus, at any depth.
fn holds(model: &Model, outer: usize, inner: usize, depth: usize) -> bool {
    // The resolver rejects bus cycles; the bound keeps a slipped one finite.
    if depth > model.buses.len() {
        return false;
    }
    model.buses[outer]
        .members
        .iter()
        .any(|member| match member.target {
            Some(MemberRef::Bus(bus)) => bus == inner || holds(model, bus, inner, depth + 1),
            _ => false,
        })
}
