//! References that decide a deliverable's level: `match TARGET` (the
//! target whose normalisation gain a stem or M&E takes) and `dialogue_gate`
//! (the stems or buses whose speech gates a dialogue-gated measurement).

use crate::{
    diagnostic::{codes, Diagnostic},
    model::{MemberRef, Model, Target},
    resolve::references::{not_found, Suggestions},
};

/// Whether `target` normalises itself: a spec with a loudness target and
/// `normalize` on.
pub fn normalises(model: &Model, target: &Target) -> bool {
    target.normalize
        && target
            .spec
            .as_ref()
            .and_then(|spec| model.specs.get(&spec.name))
            .is_some_and(|spec| spec.loudness.is_some())
}

/// The target whose normalisation `target` takes through its chain of
/// `match`es (itself when it matches nothing), or `None` when the chain
/// is broken, ends in a target that does not normalise, or is a cycle.
pub fn level_source<'m>(model: &'m Model, target: &'m Target) -> Option<&'m Target> {
    let mut current = target;
    for _ in 0..=model.targets.len() {
        match &current.matches {
            None => return normalises(model, current).then_some(current),
            Some(name) => current = model.targets.get(&name.name)?,
        }
    }
    None
}

/// E0204/E0205 for a `match` that names no target; E0223 for a cycle;
/// E0222 for a chain that ends in a target without a level.
pub(super) fn matches(model: &Model, suggestions: &Suggestions, diagnostics: &mut Vec<Diagnostic>) {
    for target in &model.targets {
        let Some(name) = &target.matches else {
            continue;
        };
        if model.targets.index(&name.name).is_none() {
            diagnostics.push(not_found(
                model,
                suggestions,
                "target",
                name,
                model.targets.names(),
                "name the target whose level this one takes, such as the print master",
            ));
            continue;
        }
        // Walk the chain: a repeat is a cycle, a broken link is reported
        // where it is, the end must normalise.
        let mut seen = vec![target.name.name.as_str()];
        let mut current = target;
        let end = loop {
            let Some(next) = &current.matches else {
                break Some(current);
            };
            let Some(next) = model.targets.get(&next.name) else {
                break None;
            };
            if seen.contains(&next.name.name.as_str()) {
                // A cycle is reported once: at the `match` of its first
                // target in declaration order. A target whose chain runs
                // into a cycle it is not part of is reported there.
                let first = seen
                    .iter()
                    .filter_map(|name| model.targets.index(name))
                    .min();
                if next.name.name != target.name.name
                    || first != model.targets.index(&target.name.name)
                {
                    break None;
                }
                let chain = seen
                    .iter()
                    .chain(std::iter::once(&next.name.name.as_str()))
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(" → ");
                diagnostics.push(
                    Diagnostic::error(
                        codes::E0223.code,
                        format!("targets match each other in a cycle: {chain}"),
                    )
                    .at(name.span, "this match closes the cycle")
                    .help("one target of the chain must normalise to its spec and match nothing"),
                );
                break None;
            }
            seen.push(next.name.name.as_str());
            current = next;
        };
        let Some(end) = end else {
            continue;
        };
        if !normalises(model, end) {
            let why = if end.spec.is_none() {
                "it has no spec".to_owned()
            } else if !end.normalize {
                "it has `normalize off`".to_owned()
            } else {
                "its spec sets no loudness".to_owned()
            };
            let label = if end.name.name == name.name {
                format!("`{}` sets no level", name.name)
            } else {
                format!(
                    "`{}` matches `{}`, which sets no level",
                    name.name, end.name.name
                )
            };
            diagnostics.push(
                Diagnostic::error(
                    codes::E0222.code,
                    format!(
                        "target `{}` matches `{}`, but `{}` does not normalise: {why}",
                        target.name.name, name.name, end.name.name
                    ),
                )
                .at(name.span, label)
                .help(format!(
                    "match the target that normalises the mix (the print master), or give `{}` a spec with a loudness target",
                    end.name.name
                )),
            );
        }
    }
}

/// Each name of `target`'s `dialogue_gate` is a stem of role `dialogue`
/// or `adr`, or a bus that carries only such stems (E0224 otherwise).
pub(super) fn dialogue_gate(
    model: &Model,
    suggestions: &Suggestions,
    target: &Target,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for gate in &target.dialogue_gate {
        if let Some(stem) = model.stems.get(&gate.name) {
            if !stem.is_dialogue() {
                diagnostics.push(
                    Diagnostic::error(
                        codes::E0224.code,
                        format!(
                            "`{}` gates dialogue loudness but is a stem of role `{}`",
                            gate.name, stem.role.name
                        ),
                    )
                    .at(gate.span, "not dialogue")
                    .help(
                        "name stems of role `dialogue` or `adr`, or the buses that hold only them",
                    ),
                );
            }
        } else if let Some(bus) = model.buses.index(&gate.name) {
            if let Some(other) = non_dialogue(model, bus, &mut vec![false; model.buses.len()]) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::E0224.code,
                        format!(
                            "bus `{}` gates dialogue loudness but carries {other}",
                            gate.name
                        ),
                    )
                    .at(gate.span, "carries more than dialogue")
                    .help(
                        "leave `dialogue_gate` out to gate on every dialogue and ADR stem the target carries, or name those stems",
                    ),
                );
            }
        } else {
            diagnostics.push(not_found(
                model,
                suggestions,
                "stem or bus",
                gate,
                model.stems.names().chain(model.buses.names()),
                "name the dialogue stems, or the buses that carry only dialogue, such as `DX`",
            ));
        }
    }
}

/// The first member of bus `bus` (or of its sub-buses) that is not a
/// dialogue or ADR stem, described; `None` when all are.
fn non_dialogue(model: &Model, bus: usize, seen: &mut Vec<bool>) -> Option<String> {
    if std::mem::replace(&mut seen[bus], true) {
        return None;
    }
    for member in &model.buses[bus].members {
        match member.target {
            Some(MemberRef::Stem(stem)) => {
                let stem = &model.stems[stem];
                if !stem.is_dialogue() {
                    return Some(format!(
                        "stem `{}` of role `{}`",
                        stem.name.name, stem.role.name
                    ));
                }
            }
            Some(MemberRef::Cue(cue)) => {
                return Some(format!("cue `{}`", model.cues[cue].id.name));
            }
            Some(MemberRef::AllCues) => return Some("every cue (`cues`)".to_owned()),
            Some(MemberRef::Bus(inner)) => {
                if let Some(other) = non_dialogue(model, inner, seen) {
                    return Some(other);
                }
            }
            None => {}
        }
    }
    None
}
