//! D002 `dialogue-in-me`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::reach::describe_path};

declare_rule! {
    /// ## What it checks
    /// A music-and-effects target (declared `kind me`, or rendered to a spec
    /// of `kind me`) whose mix contains a stem of role `dialogue` or `adr`,
    /// directly or through any nesting of buses, or (rendered from an
    /// immersive scene) an object of role `dialogue` or `adr`.
    ///
    /// One diagnostic per dialogue stem or object, at the target's `from`
    /// entry it arrives through.
    ///
    /// ## Why
    /// The M&E is dubbed into other languages: any original dialogue left in
    /// it is heard under the dub.
    ///
    /// ## Example
    /// ```text
    /// bus PM 5.1 { DX MX FX }
    /// target me { from PM spec netflix.me … }   // D002: PM holds dx (dialogue)
    /// ```
    pub static RULE {
        code: D002,
        name: "dialogue-in-me",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for (index, target) in model.targets.iter().enumerate() {
        let spec_is_me = target
            .spec
            .as_ref()
            .and_then(|spec| model.specs.get(&spec.name))
            .is_some_and(|spec| spec.is_me);
        if !target.is_me && !spec_is_me {
            continue;
        }
        for reached in &checker.mixes[index].stems {
            let stem = &model.stems[reached.index];
            if !stem.is_dialogue() {
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "M&E target `{}` contains {} stem `{}`",
                        target.name.name, stem.role.name, stem.name.name
                    ),
                )
                .at(
                    target.from[reached.from].span,
                    format!(
                        "{} reaches this mix through {}",
                        stem.name.name,
                        describe_path(model, reached)
                    ),
                )
                .related(stem.role.span, format!("role {}", stem.role.name))
                .help(format!(
                    "render the M&E from music and effects buses only, without `{}`",
                    stem.name.name
                )),
            );
        }
        for from in &target.from {
            let Some(scene) = model.scene(&from.name) else {
                continue;
            };
            for object in scene.objects().filter(|object| object.is_dialogue()) {
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        format!(
                            "M&E target `{}` contains {} object `{}`",
                            target.name.name, object.role.name, object.name.name
                        ),
                    )
                    .at(
                        from.span,
                        format!(
                            "{} is an object of scene `{}`",
                            object.name.name, from.name
                        ),
                    )
                    .related(object.role.span, format!("role {}", object.role.name))
                    .help(format!(
                        "render the M&E from a scene without `{}` (an `immersive` of the music and effects)",
                        object.name.name
                    )),
                );
            }
        }
    }
}
