//! The recipe's render stages as build-engine [`Stage`]s, one file per
//! kind of stage: each lowered [`StageSpec`] writes its key parameters and
//! renders its one output.
//!
//! | stage | file | output |
//! |---|---|---|
//! | `resample:CLIP` | [`resample`] | a clip's source at another rate, resampled to the project's |
//! | `timeline` | [`timeline`] | the programme's start and length, as JSON |
//! | `bus:NAME` | [`bus`] | a 32-bit float WAV of the bus on the timeline; for a bus not kept ([`unkept`]), a few lines naming it |
//! | `object:NAME` | [`bus`] | a 32-bit float mono WAV of an immersive scene's object on the timeline |
//! | `target:NAME` | [`target`] | the deliverable WAV (an ADM BWF master's chunks: [`adm`]; a scene's objects re-rendered: [`scene`]) |
//! | `measure:NAME` | [`measure`] | a deliverable's loudness and peaks, as JSON |
//! | `album-level:NAME` | [`album_level`] | an album's loudness as one, and its one gain, as JSON |
//! | `album:NAME/NN` | [`track`] | an album track WAV |
//! | `album-measure:NAME` | [`measure`] | an album's tracks as delivered, measured as one |
//! | `report:FILE` | [`report`] | the cue sheet or the rights matrix |
//!
//! What they share: the keys' parameters ([`keys`]), clips on the timeline
//! and routes ([`mix`]), the long play and its reels ([`programme`]), how a deliverable is written ([`output`],
//! [`delivery`]), a bus's pass feeding its deliverables ([`follow`],
//! [`pipeline`]).

mod adm;
mod album_level;
mod bus;
pub mod curve;
pub(crate) mod delivery;
pub(crate) mod follow;
mod keys;
mod loudness;
mod measure;
pub mod mix;
pub(crate) mod output;
pub(crate) mod pipeline;
mod programme;
mod region;
mod report;
mod resample;
mod scene;
mod target;
mod timeline;
mod track;
mod unkept;

use std::sync::Arc;

use miette::{IntoDiagnostic, WrapErr};

pub use album_level::AlbumLevel;
pub use measure::Measurement;
pub use timeline::Timeline;

use crate::{
    engine::stage::Stage,
    lower::{RenderPlan, StageSpec},
    model::Model,
    stages::{
        album_level::AlbumLevelRender, bus::BusRender, keys::Setting, measure::MeasureRender,
        mix::Clock, report::ReportRender, resample::ResampleRender, target::TargetRender,
        timeline::TimelineRender, track::TrackRender, unkept::Unkept,
    },
};

/// The engine's stage for every stage of `plan`, lowered from `model`
/// (whose reports the report stages write).
pub fn stages(plan: &RenderPlan, model: &Model) -> Result<Vec<Box<dyn Stage>>, miette::Report> {
    let setting = setting(plan)?;
    let texts = report::Texts::of(model);
    // Which buses are not kept follows from who reads them: the stages
    // made with every bus kept say. Only buses and deliverables are made
    // otherwise when a bus is not kept; the rest of these are the stages.
    let probe = build(plan, &setting, &texts, &Arc::default());
    let unkept = Arc::new(Unkept::choose(plan, &probe, &setting));
    let stages = probe
        .into_iter()
        .filter_map(|(index, stage)| {
            let spec = &plan.stages[index];
            match spec {
                StageSpec::Bus(_) | StageSpec::Target(_) if !unkept.is_empty() => {
                    make(spec, &setting, &texts, &unkept)
                }
                _ => Some(stage),
            }
        })
        .collect();
    Ok(stages)
}

/// What every render stage of `plan` shares: its clock, where clips
/// without `at` start (the picture start), its title.
fn setting(plan: &RenderPlan) -> Result<Setting, miette::Report> {
    let clock = Clock {
        sample_rate: plan.sample_rate,
        frame_rate: plan.frame_rate,
    };
    let default_start = clock
        .samples(plan.picture_start)
        .into_diagnostic()
        .wrap_err("the project's picture start")?;
    Ok(Setting {
        clock,
        default_start,
        title: plan.title.clone(),
    })
}

/// The stage of each of `plan`'s stages, with the index of its spec (a
/// report with nothing to write has none), `unkept` not kept.
fn build(
    plan: &RenderPlan,
    setting: &Setting,
    texts: &report::Texts,
    unkept: &Arc<Unkept>,
) -> Vec<(usize, Box<dyn Stage>)> {
    plan.stages
        .iter()
        .enumerate()
        .filter_map(|(index, spec)| Some((index, make(spec, setting, texts, unkept)?)))
        .collect()
}

/// The stage of `spec`, `unkept` not kept; none for a report with nothing
/// to write.
fn make(
    spec: &StageSpec,
    setting: &Setting,
    texts: &report::Texts,
    unkept: &Arc<Unkept>,
) -> Option<Box<dyn Stage>> {
    Some(match spec {
        StageSpec::Resample(spec) => Box::new(ResampleRender::new(spec, setting.clone())),
        StageSpec::Timeline(spec) => Box::new(TimelineRender::new(spec, setting.clone())),
        StageSpec::Bus(spec) => Box::new(BusRender::new(spec, setting.clone(), unkept)),
        StageSpec::Target(spec) => Box::new(TargetRender::new(spec, setting.clone(), unkept)),
        StageSpec::Measure(spec) => Box::new(MeasureRender::new(spec)),
        StageSpec::AlbumLevel(spec) => Box::new(AlbumLevelRender::new(spec, setting.clone())),
        StageSpec::AlbumTrack(spec) => Box::new(TrackRender::new(spec, setting.clone())),
        StageSpec::Report(spec) => Box::new(ReportRender::new(spec, texts)?),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{lower::lower, resolve::resolve_text};

    /// `recipe` (after the std imports and a 48 kHz project) lowered, and
    /// its model.
    fn lowered(recipe: &str) -> (RenderPlan, Model) {
        let text = format!(
            "import \"std/layouts\"\nimport \"std/delivery/ebu\"\n\
             project \"T\" {{ frame_rate 24 sample_rate 48kHz }}\n{recipe}"
        );
        let resolved = resolve_text("soundtrack.sndtrk", None, &text);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        (plan, resolved.model)
    }

    /// Which targets a bus leads in its own pass: those that read it alone
    /// (a normalised one is measured there and rendered afterwards).
    #[test]
    fn a_bus_leads_the_targets_that_read_it_alone() {
        let (plan, model) = lowered(
            r#"stem dx { role dialogue layout 1.0 pan C tone 1kHz -20dBFS for 1s }
            stem fx { role effects layout 5.1 tone 100Hz -20dBFS for 1s }
            bus DX 5.1 { dx }
            bus FX 5.1 { fx }
            target plain { from DX layout 5.1 format wav 48kHz 24bit }
            target folded { from DX layout 2.0 downmix loro format wav 44.1kHz 16bit }
            target measured { from DX layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 }
            target as_is { from DX layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 normalize off }
            target both { from DX FX layout 5.1 format wav 48kHz 24bit }"#,
        );
        let all = stages(&plan, &model).unwrap();
        let find = |id: &str| {
            all.iter()
                .find(|stage| stage.id() == id)
                .unwrap_or_else(|| panic!("no {id}"))
        };
        let (dx, fx) = (find("bus:DX"), find("bus:FX"));
        for (target, led) in [
            ("target:plain", true),
            ("target:folded", true),
            ("target:measured", true),
            ("target:as_is", true),
            ("target:both", false),
        ] {
            assert_eq!(dx.can_lead(find(target).as_ref()), led, "{target}");
            assert!(!fx.can_lead(find(target).as_ref()), "{target}");
        }
        // Only buses lead, and only targets follow.
        assert!(!find("target:plain").can_lead(find("measure:measured").as_ref()));
        assert!(!dx.can_lead(find("bus:FX").as_ref()));
    }

    /// A bus is not kept when every stage that reads it can mix it from
    /// its members: a bus it is a sub-bus of, a deliverable that reads it
    /// plainly. A target that takes another's level keeps what it reads,
    /// and so does a bus nothing reads.
    #[test]
    fn buses_read_only_by_buses_and_plain_deliverables_are_not_kept() {
        let (plan, model) = lowered(
            r#"stem dx { role dialogue layout 1.0 pan C tone 1kHz -20dBFS for 1s }
            stem fx { role effects layout 5.1 tone 100Hz -20dBFS for 1s }
            stem mx { role music layout 2.0 tone 440Hz -20dBFS for 1s }
            bus DX 5.1 { dx }
            bus FX 5.1 { fx }
            bus MX 5.1 { mx }
            bus PM 5.1 { DX FX MX }
            bus ORPHAN 5.1 { fx }
            target pm { from PM layout 5.1 format wav 48kHz 24bit }
            target loro { from PM layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 }
            target me { from FX MX layout 5.1 format wav 48kHz 24bit }
            target mx_stem { from MX layout 5.1 format wav 48kHz 24bit match loro }"#,
        );
        let all = stages(&plan, &model).unwrap();
        let setting = setting(&plan).unwrap();
        let texts = report::Texts::of(&model);
        let probe = build(&plan, &setting, &texts, &Arc::default());
        let unkept = Unkept::choose(&plan, &probe, &setting);
        // The stages reused from the probe are the stages made knowing
        // which buses are not kept: same ids, inputs, files and keys.
        let made = build(&plan, &setting, &texts, &Arc::new(unkept.clone()));
        assert_eq!(made.len(), all.len());
        let manifest = |stage: &dyn Stage| {
            let mut manifest = crate::engine::key::Manifest::default();
            stage.params(&mut crate::engine::key::Params::new(&mut manifest));
            manifest
        };
        for ((_, made), reused) in made.iter().zip(&all) {
            assert_eq!(made.id(), reused.id());
            assert_eq!(made.inputs(), reused.inputs(), "{}", made.id());
            assert_eq!(made.files(), reused.files(), "{}", made.id());
            assert_eq!(manifest(made.as_ref()), manifest(reused.as_ref()));
        }
        // MX is read by a target that matches loro, and so is PM (loro's
        // bus): both kept. ORPHAN has no reader: kept.
        assert_eq!(unkept.ids(), ["bus:DX", "bus:FX"]);
        // A reader of an unkept bus reads what mixing it needs: PM reads
        // the timeline and DX and FX's inputs; a deliverable of FX, too.
        let find = |id: &str| {
            all.iter()
                .find(|stage| stage.id() == id)
                .unwrap_or_else(|| panic!("no {id}"))
        };
        assert_eq!(
            find("bus:PM").inputs(),
            ["timeline", "bus:DX", "bus:FX", "bus:MX"]
        );
        assert_eq!(find("target:me").inputs(), ["bus:FX", "bus:MX", "timeline"]);
    }
}
