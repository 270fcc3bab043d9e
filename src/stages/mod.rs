//! The recipe's render stages as build-engine [`Stage`]s, one file per
//! kind of stage: each lowered [`StageSpec`] writes its key parameters and
//! renders its one output.
//!
//! | stage | file | output |
//! |---|---|---|
//! | `resample:CLIP` | [`resample`] | a clip's source at another rate, resampled to the project's |
//! | `timeline` | [`timeline`] | the programme's start and length, as JSON |
//! | `bus:NAME` | [`bus`] | a 32-bit float WAV of the bus on the timeline |
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
        timeline::TimelineRender, track::TrackRender,
    },
};

/// The engine's stage for every stage of `plan`, lowered from `model`
/// (whose reports the report stages write).
pub fn stages(plan: &RenderPlan, model: &Model) -> Result<Vec<Box<dyn Stage>>, miette::Report> {
    let clock = Clock {
        sample_rate: plan.sample_rate,
        frame_rate: plan.frame_rate,
    };
    let default_start = clock
        .samples(plan.picture_start)
        .into_diagnostic()
        .wrap_err("the project's picture start")?;
    let setting = Setting {
        clock,
        default_start,
        title: plan.title.clone(),
    };
    let texts = report::Texts::of(model);
    let mut stages: Vec<Box<dyn Stage>> = Vec::with_capacity(plan.stages.len());
    for spec in &plan.stages {
        let stage: Box<dyn Stage> = match spec {
            StageSpec::Resample(spec) => Box::new(ResampleRender::new(spec, setting.clone())),
            StageSpec::Timeline(spec) => Box::new(TimelineRender::new(spec, setting.clone())),
            StageSpec::Bus(spec) => Box::new(BusRender::new(spec, setting.clone())),
            StageSpec::Target(spec) => Box::new(TargetRender::new(spec, setting.clone())),
            StageSpec::Measure(spec) => Box::new(MeasureRender::new(spec)),
            StageSpec::AlbumLevel(spec) => Box::new(AlbumLevelRender::new(spec, setting.clone())),
            StageSpec::AlbumTrack(spec) => Box::new(TrackRender::new(spec, setting.clone())),
            StageSpec::Report(spec) => match ReportRender::new(spec, &texts) {
                Some(stage) => Box::new(stage),
                None => continue,
            },
        };
        stages.push(stage);
    }
    Ok(stages)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{lower::lower, resolve::resolve_text};

    /// Which targets a bus leads in its own pass: those that read it alone
    /// (a normalised one is measured there and rendered afterwards).
    #[test]
    fn a_bus_leads_the_targets_that_read_it_alone() {
        let resolved = resolve_text(
            "soundtrack.sndtrk",
            None,
            r#"import "std/layouts"
            import "std/delivery/ebu"
            project "T" { frame_rate 24 sample_rate 48kHz }
            stem dx { role dialogue layout 1.0 pan C tone 1kHz -20dBFS for 1s }
            stem fx { role effects layout 5.1 tone 100Hz -20dBFS for 1s }
            bus DX 5.1 { dx }
            bus FX 5.1 { fx }
            target plain { from DX layout 5.1 format wav 48kHz 24bit }
            target folded { from DX layout 2.0 downmix loro format wav 44.1kHz 16bit }
            target measured { from DX layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 }
            target as_is { from DX layout 2.0 downmix loro format wav 48kHz 24bit spec ebu.r128 normalize off }
            target both { from DX FX layout 5.1 format wav 48kHz 24bit }"#,
        );
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        let all = stages(&plan, &resolved.model).unwrap();
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
}
