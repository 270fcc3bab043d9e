//! `album:NAME/NN`: one album track: its cue alone (its whole recording, or
//! the film's edit), routed to the album's layout, gained by the album's one
//! gain when the album is normalised as one, resampled to the album's
//! format, dithered and encoded.

use std::path::{Path, PathBuf};

use crate::{
    audio::{normalize::Normalizer, WavSpec},
    engine::key::Params,
    engine::stage::{RunContext, Stage, UnreadableFiles},
    lower::AlbumTrackStage,
    stages::album_level::AlbumLevel,
    stages::delivery::{deliver, encoding, Delivery},
    stages::keys::{clip_files, clip_params, format_params, ClipUse, Setting},
    stages::mix::{clip_source, played, resample_inputs, route},
    stages::output::{layout, track_bext},
};

/// An `album:NAME/NN` stage.
pub(super) struct TrackRender {
    spec: AlbumTrackStage,
    setting: Setting,
    inputs: Vec<String>,
    files: Vec<PathBuf>,
}

impl TrackRender {
    pub fn new(spec: &AlbumTrackStage, setting: Setting) -> TrackRender {
        TrackRender {
            inputs: spec
                .level
                .iter()
                .map(|id| id.to_string())
                .chain(resample_inputs(std::iter::once(&spec.clip)))
                .collect(),
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
        &self.inputs
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
        params.str(
            "bext.description",
            &track_bext(&self.setting.title, &track.album_title, track).description,
        );
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let track = &self.spec;
        let Setting {
            clock,
            default_start,
            ..
        } = self.setting;
        let clip = played(&track.clip, context.inputs()).into_owned();
        let (source, _) = clip_source(&clip, clock, default_start, &|path| context.tap(path))?;
        let source = route(source, &track.clip.route, &track.channels, &track.clip.name)?;
        let (sample_format, quantizer) = encoding(&track.format, &track.id)?;
        let spec = WavSpec {
            sample_rate: track.format.sample_rate,
            layout: layout(&track.channels, track.mask)?,
            sample_format,
            time_reference: None,
        };
        let (channels, frames) = (source.channels(), source.frames());
        // The album's one gain, when it is normalised as one.
        let level = context.inputs().iter().find(|input| {
            track
                .level
                .as_ref()
                .is_some_and(|id| input.id == id.as_str())
        });
        let normalizer = match level {
            Some(level) => {
                let level = AlbumLevel::read(&level.path)?;
                Some(Normalizer::new(&level.plan(), channels, clock.sample_rate))
            }
            None => None,
        };
        let mut delivery = Delivery::new(
            context.output(),
            spec,
            &track.id,
            clock.sample_rate,
            channels,
            frames,
            normalizer,
            quantizer,
        )?;
        delivery.describe(track_bext(&self.setting.title, &track.album_title, track))?;
        deliver(delivery, source).map(|_| ())
    }
}
