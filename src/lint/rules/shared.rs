//! Helpers shared by several rules.

use std::collections::BTreeMap;

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::clearance::{self, kind_name, status_name, Context, Gap, Outcome, Requirement},
    model::reach::describe_path,
    model::{Index, LicenseKind, Party},
};

/// R001 and R002: one diagnostic per (song, target) whose mix the song
/// reaches without an executed licence of `kind`, at the target's `from`
/// entry it arrives through.
pub fn song_without(
    checker: &Checker<'_>,
    kind: LicenseKind,
    code: &'static str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let model = checker.model;
    for (target_index, mix) in checker.mixes.iter().enumerate() {
        let target = &model.targets[target_index];
        let requirement = Requirement::of(model, Context::Target(target_index));
        for reached in &mix.cues {
            let cue = &model.cues[reached.index];
            if !cue.is_song() {
                continue;
            }
            let Outcome::Missing { unexecuted } = clearance::decide(model, cue, kind, &requirement)
            else {
                continue;
            };
            let kind = kind_name(kind);
            let from = &target.from[reached.from];
            let mut help = add_licence_help(kind, &cue.id.name, &requirement);
            help.push_str(&not_executed_note(checker, &unexecuted));
            diagnostics.push(
                Diagnostic::error(
                    code,
                    format!(
                        "song {} reaches target `{}` without an executed {kind} licence",
                        cue.id.name, target.name.name
                    ),
                )
                .at(
                    from.span,
                    format!(
                        "{} reaches this mix through {}",
                        cue.id.name,
                        describe_path(model, reached)
                    ),
                )
                .related(cue.id.span, "the song")
                .help(help),
            );
        }
    }
}

/// "add an executed master licence for 2M3 covering streaming, world, 2027-03-14"
pub fn add_licence_help(kind: &str, cue: &str, requirement: &Requirement) -> String {
    let covering = requirement.describe();
    if covering.is_empty() {
        format!("add an executed {kind} licence for {cue}")
    } else {
        format!("add an executed {kind} licence for {cue} covering {covering}")
    }
}

/// " (`master_2M3` is pending and clears nothing until executed)"
pub fn not_executed_note(checker: &Checker<'_>, unexecuted: &[Index]) -> String {
    let notes: Vec<String> = unexecuted
        .iter()
        .map(|&index| {
            let license = &checker.model.licenses[index];
            let status = license
                .status
                .map_or("not executed", |status| status_name(status.value));
            format!("`{}` is {status}", license.name.name)
        })
        .collect();
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({} and clears nothing until executed)", notes.join(", "))
    }
}

/// For R004–R006: every executed licence that is the closest match for a
/// song in some context but leaves a gap that `select` picks, with the
/// contexts and their gaps, in licence order.
pub fn uncovered<T>(
    checker: &Checker<'_>,
    select: impl Fn(&Gap) -> Option<T>,
) -> BTreeMap<Index, Vec<(Context, T)>> {
    let model = checker.model;
    let mut found: BTreeMap<Index, Vec<(Context, T)>> = BTreeMap::new();
    for (cue, contexts) in checker.uses.iter().enumerate() {
        for &context in contexts {
            for need in clearance::needs(model, cue, context) {
                if let Outcome::Uncovered { license, gaps } = need.outcome {
                    for gap in &gaps {
                        if let Some(item) = select(gap) {
                            found.entry(license).or_default().push((context, item));
                        }
                    }
                }
            }
        }
    }
    found
}

/// "target `stereo`, target `broadcast`"
pub fn describe_contexts<T>(checker: &Checker<'_>, contexts: &[(Context, T)]) -> String {
    let mut names: Vec<String> = Vec::new();
    for (context, _) in contexts {
        let name = context_name(checker, *context);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

/// "target `stereo`" or "album `ost`".
pub fn context_name(checker: &Checker<'_>, context: Context) -> String {
    match context {
        Context::Target(index) => format!("target `{}`", checker.model.targets[index].name.name),
        Context::Album(index) => format!("album `{}`", checker.model.albums[index].name.name),
    }
}

/// The sum of the parties' shares; a lone party without a share holds 100%.
/// `None` when one of several parties has no share.
pub fn share_sum(parties: &[Party]) -> Option<f64> {
    if let [only] = parties {
        return Some(only.share.map_or(100.0, |share| share.value));
    }
    parties
        .iter()
        .map(|party| party.share.map(|share| share.value))
        .sum()
}

/// "90%" or "33.33%".
pub fn percent(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}%")
}

/// C001 and C002: the shares of one side of a cue do not sum to 100%.
pub fn shares(
    checker: &Checker<'_>,
    code: &'static str,
    side: &str,
    parties: impl Fn(&crate::model::Cue) -> &[Party],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for cue in &checker.model.cues {
        let parties = parties(cue);
        let (Some(first), Some(last)) = (parties.first(), parties.last()) else {
            continue;
        };
        let span = first.span.to(last.span);
        match share_sum(parties) {
            Some(sum) if (sum - 100.0).abs() < 0.005 => {}
            Some(sum) => diagnostics.push(
                Diagnostic::error(
                    code,
                    format!(
                        "the {side} shares of cue {} sum to {}, not 100%",
                        cue.id.name,
                        percent(sum)
                    ),
                )
                .at(span, format!("{side} shares sum to {}", percent(sum)))
                .help(format!(
                    "correct the {side}s' `share` so that they sum to 100%"
                )),
            ),
            None => {
                let unshared: Vec<&str> = parties
                    .iter()
                    .filter(|party| party.share.is_none())
                    .map(|party| party.name.as_str())
                    .collect();
                diagnostics.push(
                    Diagnostic::error(
                        code,
                        format!(
                            "cue {} has several {side}s, and {} no share",
                            cue.id.name,
                            if unshared.len() == 1 {
                                format!("\"{}\" has", unshared[0])
                            } else {
                                format!("{} of them have", unshared.len())
                            }
                        ),
                    )
                    .at(span, format!("{side} shares do not sum to 100%"))
                    .help(format!("give every {side} a `share`, summing to 100%")),
                );
            }
        }
    }
}

/// What R004 and R005 differ in.
pub struct CoverageGap {
    pub code: &'static str,
    /// "media" or "territory": the property.
    pub dimension: &'static str,
    /// "all" or "world": the word that covers everything.
    pub everything: &'static str,
    pub select: fn(&Gap) -> Option<clearance::Shortfall>,
    pub licensed:
        fn(&crate::model::License) -> Option<&crate::model::Spanned<crate::model::Coverage>>,
}

/// R004 and R005: one diagnostic per licence that misses a target's media
/// or territory, at that property, with the property that would cover all.
pub fn coverage_gap(checker: &Checker<'_>, gap: CoverageGap, diagnostics: &mut Vec<Diagnostic>) {
    use crate::model::Coverage;
    let model = checker.model;
    for (license_index, contexts) in uncovered(checker, gap.select) {
        let license = &model.licenses[license_index];
        let Some(licensed) = (gap.licensed)(license) else {
            continue;
        };
        let mut everything = false;
        let mut wanted: Vec<String> = match &licensed.value {
            Coverage::Everything => continue,
            Coverage::Only(items) => items.iter().map(|item| item.name.clone()).collect(),
        };
        let have = wanted.join(", ");
        for (_, shortfall) in &contexts {
            match shortfall {
                clearance::Shortfall::Everything => everything = true,
                clearance::Shortfall::Only(items) => {
                    for item in items {
                        if !wanted.contains(item) {
                            wanted.push(item.clone());
                        }
                    }
                }
            }
        }
        let fix = if everything {
            format!("`{} {}`", gap.dimension, gap.everything)
        } else if wanted.len() == 1 {
            format!("`{} {}`", gap.dimension, wanted[0])
        } else {
            format!("`{} [{}]`", gap.dimension, wanted.join(", "))
        };
        let kind = license.kind.map_or("", |kind| kind_name(kind.value));
        let cue = license.cue.as_ref().map_or("", |cue| cue.name.as_str());
        diagnostics.push(
            Diagnostic::error(
                gap.code,
                format!(
                    "{kind} licence `{}` for {cue} does not cover the {} of {}",
                    license.name.name,
                    gap.dimension,
                    contexts
                        .iter()
                        .map(|(context, shortfall)| format!(
                            "{} ({})",
                            context_name(checker, *context),
                            match shortfall {
                                clearance::Shortfall::Everything => gap.everything.to_owned(),
                                clearance::Shortfall::Only(items) => items.join(", "),
                            }
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )
            .at(licensed.span, format!("covers only {have}"))
            .help(format!("extend the licence to {fix}")),
        );
    }
}
