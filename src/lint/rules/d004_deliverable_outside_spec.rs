//! D004 `deliverable-outside-spec`.

use crate::{
    diagnostic::Diagnostic,
    lint::Built,
    lower::Renders,
    lower::{RenderPlan, StageSpec},
    model::{LoudnessGate, Model},
    stages::Measurement,
};

declare_rule! {
    /// ## What it checks
    /// After a build, each deliverable's measured loudness and true peak
    /// against its `spec`: the loudness must be within the spec's tolerance
    /// of its target (the dialogue-gated loudness where the spec gates on
    /// dialogue and the file has enough dialogue to gate on, else the
    /// integrated loudness of the whole programme), the true peak at or
    /// below its ceiling. `sndtrk build` runs it; `sndtrk check` cannot, as
    /// it renders nothing.
    ///
    /// ## Why
    /// A deliverable outside its spec fails the distributor's QC; catching
    /// it in the build keeps it out of the delivery.
    ///
    /// ## Example
    /// ```text
    /// target stereo {
    ///     spec netflix.stereo        // D004 when it measures -22 LKFS:
    ///     normalize off              // the spec asks for -27 LKFS ±2 LU
    /// }
    /// ```
    pub static RULE {
        code: D004,
        name: "deliverable-outside-spec",
        check_built: check,
    }
}

fn check(built: &Built<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for (id, measured) in &built.measurements {
        match id.renders() {
            Renders::Measurement(target) => {
                check_target(built.model, built.plan, target, measured, diagnostics)
            }
            Renders::AlbumMeasurement(album) => {
                check_album(built.model, album, measured, diagnostics)
            }
            _ => {}
        }
    }
}

/// Checks an album's tracks, measured as one, against the album's spec.
fn check_album(
    model: &Model,
    album: &str,
    measured: &Measurement,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(declared) = model.albums.get(album) else {
        return;
    };
    let Some(named) = &declared.spec else {
        return;
    };
    let Some(spec) = model.specs.get(&named.name) else {
        return;
    };
    if let (Some(loudness), Some(integrated)) = (spec.loudness, measured.integrated_lufs) {
        let miss = integrated - loudness.lufs;
        if miss.abs() > loudness.tolerance_lu + 1e-9 {
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "album `{album}` measures {integrated:.1} LUFS as one, outside {} ({} LUFS ±{} LU)",
                        named.name, loudness.lufs, loudness.tolerance_lu
                    ),
                )
                .at(named.span, format!("loudness {integrated:.1} LUFS, the tracks as one"))
                .help("the album's one gain could not reach the target: its true-peak ceiling or limiter held it back; lower the loudest track's peaks"),
            );
        }
    }
    let ceiling = spec.true_peak_dbtp.map(|peak| peak.value);
    if let (Some(ceiling), Some(peak)) = (ceiling, measured.true_peak_dbtp) {
        if peak > ceiling + 1e-9 {
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "album `{album}` peaks at {peak:.1} dBTP, above {}'s ceiling of {ceiling} dBTP",
                        named.name
                    ),
                )
                .at(named.span, format!("true peak {peak:.1} dBTP"))
                .help(if spec.limiter {
                    "the limiter holds the peaks at the project's rate; resampling to the album's rate can raise them: lower the loudest track, or leave more room under the ceiling"
                } else {
                    "lower the loudest track, or give the spec `limiter on`"
                }),
            );
        }
    }
}

/// Checks one target's measurement against its spec.
fn check_target(
    model: &Model,
    plan: &RenderPlan,
    target: &str,
    measured: &Measurement,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(declared) = model.targets.get(target) else {
        return;
    };
    let Some(stage) = plan.stages.iter().find_map(|stage| match stage {
        StageSpec::Target(stage) if stage.name == target => Some(stage),
        _ => None,
    }) else {
        return;
    };
    let Some(spec) = &stage.spec else {
        return;
    };
    let span = declared
        .spec
        .as_ref()
        .map_or(declared.name.span, |spec| spec.span);
    // A dialogue-gated spec is checked on the dialogue-gated loudness of
    // the file delivered, where it has enough dialogue to gate on; else
    // on the whole programme, as the spec says.
    let gated = spec
        .loudness
        .filter(|loudness| loudness.gate == LoudnessGate::Dialogue)
        .and(measured.dialogue_gated_lufs);
    if let (Some(loudness), Some(integrated)) = (spec.loudness, gated.or(measured.integrated_lufs))
    {
        let gated = gated.is_some();
        let miss = integrated - loudness.lufs;
        if miss.abs() > loudness.tolerance_lu + 1e-9 {
            let what = if gated {
                "dialogue-gated loudness"
            } else {
                "loudness"
            };
            let help = if stage.normalize {
                "the normaliser could not reach the target; check the true-peak ceiling and the limiter".to_owned()
            } else {
                format!(
                    "remove `normalize off` to normalise it, or change the mix by {:+.1} dB",
                    -miss
                )
            };
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "target `{target}` measures {integrated:.1} LUFS, outside {} ({} LUFS ±{} LU)",
                        spec.name, loudness.lufs, loudness.tolerance_lu
                    ),
                )
                .at(span, format!("{what} {integrated:.1} LUFS"))
                .help(help),
            );
        }
    }
    if let (Some(ceiling), Some(peak)) = (spec.true_peak_dbtp, measured.true_peak_dbtp) {
        if peak > ceiling + 1e-9 {
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!("target `{target}` peaks at {peak:.1} dBTP, above {}'s ceiling of {ceiling} dBTP", spec.name),
                )
                .at(span, format!("true peak {peak:.1} dBTP"))
                .help("lower the mix, or allow the limiter with `limiter on`"),
            );
        }
    }
}
