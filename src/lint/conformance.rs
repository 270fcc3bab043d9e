//! D004: after a build, each deliverable's measured loudness and true peak
//! against its spec.
//!
//! Why: a deliverable outside its spec fails the distributor's QC; catching
//! it in the build keeps it out of the delivery. Example: a stereo target
//! with `spec netflix.stereo` and `normalize off` that measures -22 LKFS
//! gives D004 at the target, since the spec asks for -27 LKFS ±2 LU.

use crate::{
    diagnostic::Diagnostic,
    lower::{RenderPlan, StageSpec},
    model::{LoudnessGate, Model},
    stages::Measurement,
};

/// The code of the rule.
pub const CODE: &str = crate::diagnostic::codes::D004.code;

/// Checks one target's measurement against its spec.
pub fn check(
    model: &Model,
    plan: &RenderPlan,
    target: &str,
    measured: &Measurement,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let Some(declared) = model.targets.get(target) else {
        return diagnostics;
    };
    let Some(stage) = plan.stages.iter().find_map(|stage| match stage {
        StageSpec::Target(stage) if stage.name == target => Some(stage),
        _ => None,
    }) else {
        return diagnostics;
    };
    let Some(spec) = &stage.spec else {
        return diagnostics;
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
                    CODE,
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
                    CODE,
                    format!("target `{target}` peaks at {peak:.1} dBTP, above {}'s ceiling of {ceiling} dBTP", spec.name),
                )
                .at(span, format!("true peak {peak:.1} dBTP"))
                .help("lower the mix, or allow the limiter with `limiter on`"),
            );
        }
    }
    diagnostics
}
