//! `album:NAME/NN`: one album track: its cue alone, routed to the album's
//! layout, resampled to the album's format, dithered and encoded.

use std::path::{Path, PathBuf};

use crate::{
    audio::WavSpec,
    engine::key::Params,
    engine::stage::{RunContext, Stage, UnreadableFiles},
    lower::AlbumTrackStage,
    stages::delivery::{deliver, encoding, Delivery},
    stages::keys::{clip_files, clip_params, format_params, ClipUse, Setting},
    stages::mix::{clip_source, route},
    stages::output::layout,
};

/// An `album:NAME/NN` stage.
pub(super) struct TrackRender {
    spec: AlbumTrackStage,
    setting: Setting,
    files: Vec<PathBuf>,
}

impl TrackRender {
    pub fn new(spec: &AlbumTrackStage, setting: Setting) -> TrackRender {
        TrackRender {
            files: clip_files(std::iter::once(&spec.clip)),
            spec: spec.clone(),
            setting,
        }
    }
}

impl Stage for TrackRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "album"
    }

    fn inputs(&self) -> &[String] {
        &[]
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// As a bus: a file it cannot read fails it with the audio core's error.
    fn unreadable_files(&self) -> UnreadableFiles {
        UnreadableFiles::Key
    }

    fn output_path(&self) -> Option<&Path> {
        Some(&self.spec.output)
    }

    fn params(&self, params: &mut Params<'_>) {
        let track = &self.spec;
        self.setting.params(params);
        clip_params(params, "clip", &track.clip, ClipUse::Track);
        params
            .str("channels", &track.channels.join(" "))
            .u64("mask", u64::from(track.mask.unwrap_or(0)));
        format_params(params, &track.format);
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let track = &self.spec;
        let Setting {
            clock,
            default_start,
        } = self.setting;
        let (source, _) =
            clip_source(&track.clip, clock, default_start, &|path| context.tap(path))?;
        let source = route(source, &track.clip.route, &track.channels, &track.clip.name)?;
        let (sample_format, quantizer) = encoding(&track.format, &track.id)?;
        let spec = WavSpec {
            sample_rate: track.format.sample_rate,
            layout: layout(&track.channels, track.mask)?,
            sample_format,
            time_reference: None,
        };
        let (channels, frames) = (source.channels(), source.frames());
        let delivery = Delivery::new(
            context.output(),
            spec,
            &track.id,
            clock.sample_rate,
            channels,
            frames,
            None,
            quantizer,
        )?;
        deliver(delivery, source)
    }
}
