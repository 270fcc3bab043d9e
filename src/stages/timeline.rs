//! `timeline`: the programme's first sample and its length, from every
//! clip's placement and every source's length. It reads only WAV headers,
//! and its output changes only when a placement or a length does, so early
//! cutoff stops a rebuild here when an edit leaves the timeline as it was.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use miette::IntoDiagnostic;
use serde::{Deserialize, Serialize};

use crate::{
    engine::key::Params,
    engine::stage::{RunContext, Stage},
    lower::TimelineStage,
    stages::keys::{clip_files, clip_params, ClipUse, Setting},
    stages::mix::clip_source,
};

/// The programme's first sample (since midnight) and its length: the
/// output of `timeline`, as JSON.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Timeline {
    pub start: u64,
    pub frames: u64,
}

impl Timeline {
    /// Reads the output of `timeline`.
    pub(super) fn read(path: &Path) -> miette::Result<Timeline> {
        let text = std::fs::read_to_string(path).into_diagnostic()?;
        serde_json::from_str(&text).into_diagnostic()
    }
}

/// The `timeline` stage.
pub(super) struct TimelineRender {
    spec: TimelineStage,
    setting: Setting,
    files: Vec<PathBuf>,
}

impl TimelineRender {
    pub fn new(spec: &TimelineStage, setting: Setting) -> TimelineRender {
        TimelineRender {
            files: clip_files(spec.clips.iter()),
            spec: spec.clone(),
            setting,
        }
    }
}

impl Stage for TimelineRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "timeline"
    }

    fn inputs(&self) -> &[String] {
        &[]
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn params(&self, params: &mut Params<'_>) {
        self.setting.params(params);
        params.u64("default_start", self.setting.default_start);
        for (index, clip) in self.spec.clips.iter().enumerate() {
            clip_params(params, &format!("clip{index}"), clip, ClipUse::Timeline);
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let Setting {
            clock,
            default_start,
        } = self.setting;
        let mut start = u64::MAX;
        let mut end = 0u64;
        for clip in &self.spec.clips {
            // Only the header is read: no tap.
            let (_, extent) = clip_source(clip, clock, default_start, &|_| None)?;
            start = start.min(extent.start);
            end = end.max(extent.start + extent.frames);
        }
        if start == u64::MAX {
            start = default_start;
            end = start;
        }
        let text = serde_json::to_string(&Timeline {
            start,
            frames: end - start,
        })
        .into_diagnostic()?;
        context
            .output()
            .write_all(text.as_bytes())
            .into_diagnostic()
    }
}
