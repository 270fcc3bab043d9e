//! D001 `target-breaks-spec`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::Named};

declare_rule! {
    /// ## What it checks
    /// A target whose layout, sample rate or bit depth is not one its `spec`
    /// allows: the layout must be among the spec's `layout`s, the `format`'s
    /// rate must equal the spec's `rate` and its depth the spec's `depth`.
    /// A target without a `layout` has the layout of its `from` buses.
    ///
    /// ## Why
    /// The distributor's QC rejects a deliverable in the wrong format; it is
    /// cheaper to find out in review.
    ///
    /// ## Example
    /// ```text
    /// target stereo {
    ///     format wav 44.1kHz 16bit
    ///     spec netflix.stereo        // D001 twice: 48kHz and 24bit required
    /// }
    /// ```
    pub static RULE {
        code: D001,
        name: "target-breaks-spec",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for target in &model.targets {
        let Some(spec_name) = &target.spec else {
            continue;
        };
        let Some(spec) = model.specs.get(&spec_name.name) else {
            continue;
        };
        let layout: Option<&Named> = target.layout.as_ref().or_else(|| {
            let mut layouts = target
                .from
                .iter()
                .filter_map(|from| model.buses.get(&from.name))
                .map(|bus| &bus.layout);
            let first = layouts.next()?;
            layouts
                .all(|other| other.name == first.name)
                .then_some(first)
        });
        if let Some(layout) = layout {
            if !spec.layouts.is_empty()
                && !spec
                    .layouts
                    .iter()
                    .any(|allowed| allowed.name == layout.name)
            {
                let allowed = spec
                    .layouts
                    .iter()
                    .map(|allowed| allowed.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let span = target
                    .layout
                    .as_ref()
                    .map_or(target.name.span, |own| own.span);
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        format!(
                            "target `{}` is {} but spec {} allows {allowed}",
                            target.name.name, layout.name, spec.name.name
                        ),
                    )
                    .at(span, format!("{} breaks {}", layout.name, spec.name.name))
                    .related(spec_name.span, "the spec")
                    .help(format!("deliver the target in a layout the spec allows ({allowed}), or name another spec")),
                );
            }
        }
        let Some(format) = target.format else {
            continue;
        };
        check_format(
            RULE.code,
            "target",
            &target.name.name,
            format,
            spec,
            diagnostics,
        );
    }
}

/// Reports a `format` whose rate or depth differs from what `spec` sets:
/// D001 for a target, D006 for an album (`noun` says which).
pub fn check_format(
    code: &'static str,
    noun: &str,
    name: &str,
    format: crate::model::Format,
    spec: &crate::model::Spec,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let fixed = fixed_format(spec, format);
    if let Some(rate) = spec.sample_rate {
        if rate.value != format.sample_rate {
            diagnostics.push(
                Diagnostic::error(
                    code,
                    format!(
                        "{noun} `{name}` is {} but spec {} requires {}",
                        hertz(format.sample_rate),
                        spec.name.name,
                        hertz(rate.value)
                    ),
                )
                .at(
                    format.span,
                    format!("{} breaks {}", hertz(format.sample_rate), spec.name.name),
                )
                .help(format!(
                    "write the {noun} at {}: {fixed}",
                    hertz(rate.value)
                )),
            );
        }
    }
    if let Some(bits) = spec.bits {
        if bits.value != format.bits {
            diagnostics.push(
                Diagnostic::error(
                    code,
                    format!(
                        "{noun} `{name}` is {}-bit but spec {} requires {}-bit",
                        format.bits, spec.name.name, bits.value
                    ),
                )
                .at(
                    format.span,
                    format!("{}-bit breaks {}", format.bits, spec.name.name),
                )
                .help(format!("write the {noun} at {} bits: {fixed}", bits.value)),
            );
        }
    }
}

/// `48kHz`, `44.1kHz` or `22050Hz`, as the recipe would write it.
pub fn hertz(rate: u32) -> String {
    if rate.is_multiple_of(100) {
        let khz = f64::from(rate) / 1000.0;
        format!("{khz}kHz")
    } else {
        format!("{rate}Hz")
    }
}

/// The `format` property that meets `spec`: its rate and depth where it sets them.
pub fn fixed_format(spec: &crate::model::Spec, format: crate::model::Format) -> String {
    let rate = spec
        .sample_rate
        .map_or(format.sample_rate, |rate| rate.value);
    let bits = spec.bits.map_or(format.bits, |bits| bits.value);
    let float = if bits == 32 { " float" } else { "" };
    format!("`format wav {} {bits}bit{float}`", hertz(rate))
}
