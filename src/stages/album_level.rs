//! `album-level:NAME`: an album measured as one programme (its tracks one
//! after the other, routed to the album's layout, before any gain) and the
//! one gain that brings it to its spec's loudness, as JSON. Every track of
//! the album takes that gain, so the tracks keep their levels relative to
//! each other (album normalisation, as streaming services play albums).

use std::{io::Write, path::PathBuf};

use miette::{IntoDiagnostic, WrapErr};
use serde::{Deserialize, Serialize};

use crate::{
    audio::{
        normalize::{NormalizationPlan, PeakPolicy},
        Source,
    },
    engine::key::Params,
    engine::stage::{RunContext, Stage},
    lower::AlbumLevelStage,
    stages::keys::{clip_files, clip_params, ClipUse, Setting},
    stages::loudness,
    stages::mix::{clip_source, played, resample_inputs, route},
};

/// What `album-level:NAME` records: the album's loudness and true peak as
/// one programme, and the gain planned for every track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumLevel {
    pub integrated_lufs: f64,
    pub true_peak_dbtp: f64,
    pub gain_db: f64,
    pub predicted_true_peak_dbtp: f64,
    pub limit_dbtp: Option<f64>,
}

impl AlbumLevel {
    /// The normalisation every track applies.
    pub fn plan(&self) -> NormalizationPlan {
        NormalizationPlan {
            gain_db: self.gain_db,
            predicted_true_peak_dbtp: self.predicted_true_peak_dbtp,
            limit_dbtp: self.limit_dbtp,
        }
    }

    /// Reads the output of `album-level:NAME`.
    pub(super) fn read(path: &std::path::Path) -> miette::Result<AlbumLevel> {
        let text = std::fs::read_to_string(path).into_diagnostic()?;
        serde_json::from_str(&text).into_diagnostic()
    }
}

/// An `album-level:NAME` stage.
pub(super) struct AlbumLevelRender {
    spec: AlbumLevelStage,
    setting: Setting,
    inputs: Vec<String>,
    files: Vec<PathBuf>,
}

impl AlbumLevelRender {
    pub fn new(spec: &AlbumLevelStage, setting: Setting) -> AlbumLevelRender {
        AlbumLevelRender {
            inputs: resample_inputs(spec.tracks.iter()),
            files: clip_files(spec.tracks.iter()),
            spec: spec.clone(),
            setting,
        }
    }
}

impl Stage for AlbumLevelRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "album-level"
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn params(&self, params: &mut Params<'_>) {
        let album = &self.spec;
        self.setting.params(params);
        params.str("channels", &album.channels.join(" "));
        for (index, clip) in album.tracks.iter().enumerate() {
            clip_params(params, &format!("track{index}"), clip, ClipUse::Track);
        }
        params.str("spec", &album.spec.name);
        if let Some(loudness) = &album.spec.loudness {
            params
                .f64("spec.loudness", loudness.lufs)
                .str("spec.gate", &format!("{:?}", loudness.gate));
        }
        params
            .f64(
                "spec.true_peak",
                album.spec.true_peak_dbtp.unwrap_or(f64::NAN),
            )
            .bool("limiter", album.limiter);
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let album = &self.spec;
        let Setting {
            clock,
            default_start,
            ..
        } = self.setting;
        let mut tracks: Vec<Box<dyn Source>> = Vec::with_capacity(album.tracks.len());
        for clip in &album.tracks {
            let clip = &*played(clip, context.inputs());
            let (source, _) = clip_source(clip, clock, default_start, &|path| context.tap(path))?;
            tracks.push(route(source, &clip.route, &album.channels, &clip.name)?);
        }
        let mut parts: Vec<&mut dyn Source> = tracks
            .iter_mut()
            .map(|track| track.as_mut() as &mut dyn Source)
            .collect();
        let measured =
            loudness::plain_sequence(&mut parts, &album.channels, clock.sample_rate)?.report;
        let Some(target) = album.spec.loudness else {
            miette::bail!("album `{}`'s spec sets no loudness", album.album);
        };
        let policy = if album.limiter {
            PeakPolicy::Limit
        } else {
            PeakPolicy::Refuse
        };
        let ceiling = album.spec.true_peak_dbtp.unwrap_or(0.0);
        let plan = NormalizationPlan::new(&measured, target.lufs, ceiling, policy)
            .into_diagnostic()
            .wrap_err_with(|| {
                format!(
                    "normalising album `{}` as one to {}",
                    album.album, album.spec.name
                )
            })?;
        let level = AlbumLevel {
            integrated_lufs: measured.integrated_lufs,
            true_peak_dbtp: measured.true_peak_dbtp,
            gain_db: plan.gain_db,
            predicted_true_peak_dbtp: plan.predicted_true_peak_dbtp,
            limit_dbtp: plan.limit_dbtp,
        };
        let text = serde_json::to_string(&level).into_diagnostic()?;
        context
            .output()
            .write_all(text.as_bytes())
            .into_diagnostic()
    }
}
