//! `timeline`: the programme's first sample and its length, from every
//! clip's placement and every source's length, or from the reels (the long
//! play joins them) or the programme's `end`. It reads only WAV headers,
//! and its output changes only when a placement or a length does, so early
//! cutoff stops a rebuild here when an edit leaves the timeline as it was.
//!
//! A clip whose audio cannot be read (its file missing, not a WAV file,
//! truncated, or not what the recipe declares) is left out of the
//! programme's extent, and the run notes it: the buses that use the clip
//! fail with the file's own error, and everything else is placed on the
//! timeline without it. The stage keys its files even when the engine
//! cannot read them ([`UnreadableFiles::Key`]), so a missing file is part
//! of its key: when the file appears, or is mended, the timeline is
//! computed again.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use miette::IntoDiagnostic;
use serde::{Deserialize, Serialize};

use crate::{
    engine::key::Params,
    engine::stage::{RunContext, Stage, UnreadableFiles},
    lower::TimelineStage,
    stages::keys::{clip_files, clip_params, ClipUse, Setting},
    stages::mix::clip_source,
};

/// The programme's first sample (since midnight) and its length, and its
/// reels: the output of `timeline`, as JSON. With reels, the programme is
/// the long play: the reels one after the other, `start` the first reel's
/// start and `frames` their sum ([`crate::stages::programme`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub start: u64,
    pub frames: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reels: Vec<ReelSpan>,
}

/// One reel on the picture's clock: its first sample since midnight and
/// its length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReelSpan {
    pub name: String,
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

    /// A file the engine cannot read is part of the key: the clip is left
    /// out of the extent, and the timeline computed without it.
    fn unreadable_files(&self) -> UnreadableFiles {
        UnreadableFiles::Key
    }

    fn reads_headers_only(&self) -> bool {
        true
    }

    fn params(&self, params: &mut Params<'_>) {
        self.setting.params(params);
        params.u64("default_start", self.setting.default_start);
        for (index, clip) in self.spec.clips.iter().enumerate() {
            clip_params(params, &format!("clip{index}"), clip, ClipUse::Timeline);
        }
        for (index, reel) in self.spec.reels.iter().enumerate() {
            params
                .str(&format!("reel{index}"), &reel.name)
                .str(&format!("reel{index}.start"), &reel.start.to_string())
                .str(&format!("reel{index}.end"), &reel.end.to_string());
        }
        if let Some(end) = self.spec.end {
            params.str("end", &end.to_string());
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let Setting {
            clock,
            default_start,
            ..
        } = self.setting;
        let mut start = u64::MAX;
        let mut end = 0u64;
        let mut left_out = Vec::new();
        for clip in &self.spec.clips {
            // Only the header is read: no tap. A clip that cannot be read
            // fails the buses that use it, with its error; here it is
            // left out.
            match clip_source(clip, clock, default_start, &|_| None) {
                Ok((_, extent)) => {
                    start = start.min(extent.start);
                    end = end.max(extent.start.saturating_add(extent.frames));
                }
                Err(_) => left_out.push(clip.name.replacen(':', " ", 1)),
            }
        }
        for clip in left_out {
            context.note(format!("left out {clip}, whose audio cannot be read"));
        }
        if start == u64::MAX {
            start = default_start;
            end = start;
        }
        if let Some(programme_end) = self.spec.end {
            end = clock.samples(programme_end).into_diagnostic()?;
            start = start.min(end);
        }
        let mut reels = Vec::with_capacity(self.spec.reels.len());
        for reel in &self.spec.reels {
            let (first, last) = (
                clock.samples(reel.start).into_diagnostic()?,
                clock.samples(reel.end).into_diagnostic()?,
            );
            reels.push(ReelSpan {
                name: reel.name.clone(),
                start: first,
                frames: last.saturating_sub(first),
            });
        }
        let timeline = match reels.first() {
            Some(first) => Timeline {
                start: first.start,
                frames: reels.iter().map(|reel| reel.frames).sum(),
                reels,
            },
            None => Timeline {
                start,
                frames: end - start,
                reels,
            },
        };
        let text = serde_json::to_string(&timeline).into_diagnostic()?;
        context
            .output()
            .write_all(text.as_bytes())
            .into_diagnostic()
    }
}
