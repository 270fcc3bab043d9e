//! `resample:CLIP`: a stem's or cue's file source at another rate than the
//! project's (a 96 kHz score cue in a 48 kHz project), resampled whole to
//! the project's rate with the album path's resampler, written as a 32-bit
//! float WAV in the clip's layout. Its `bext` time reference, when the
//! source has one, is moved to the project's rate
//! (`reference · project_rate / file_rate`), so `at bext` places the
//! resampled clip where the original says. The stages that play the clip
//! read this output instead of the files, and apply its trims, fades and
//! placement at the project's rate.

use std::path::PathBuf;

use miette::IntoDiagnostic;

use crate::{
    audio::{Resampled, SampleFormat, WavEncoder, WavSpec, BLOCK_FRAMES},
    engine::key::Params,
    engine::stage::{RunContext, Stage},
    engine::store::ObjectWriter,
    lower::ResampleStage,
    model::time_reference_at,
    stages::keys::{clip_files, recipe_name, Setting},
    stages::mix::open_files,
    stages::output::layout,
};

/// A `resample:CLIP` stage.
pub(super) struct ResampleRender {
    spec: ResampleStage,
    setting: Setting,
    files: Vec<PathBuf>,
}

impl ResampleRender {
    pub fn new(spec: &ResampleStage, setting: Setting) -> ResampleRender {
        ResampleRender {
            files: clip_files(std::iter::once(&spec.clip)),
            spec: spec.clone(),
            setting,
        }
    }
}

impl Stage for ResampleRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "resample"
    }

    fn inputs(&self) -> &[String] {
        &[]
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn params(&self, params: &mut Params<'_>) {
        let clip = &self.spec.clip;
        self.setting.params(params);
        params
            .label("clip", &recipe_name(&clip.name))
            .str("clip", &clip.name)
            .str("channels", &clip.channels.join(" "))
            .str("quality", "rubato fft");
        for (index, path) in clip.declared_files().iter().enumerate() {
            params.str(
                &format!("file{index}"),
                &path.to_string_lossy().replace('\\', "/"),
            );
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let clip = &self.spec.clip;
        let rate = self.setting.clock.sample_rate;
        let opened = open_files(clip, &|path| context.tap(path))?;
        let time_reference = opened
            .time_reference
            .map(|reference| time_reference_at(reference, opened.sample_rate, rate));
        let mut source = Resampled::new(opened.source, opened.sample_rate, rate)
            .map_err(|error| miette::miette!("{}: {error}", recipe_name(&clip.name)))?;
        let channels = clip.channels.len().max(1);
        let spec = WavSpec {
            sample_rate: rate,
            layout: layout(&clip.channels, None)?,
            sample_format: SampleFormat::Float32,
            time_reference,
        };
        let frames = crate::audio::Source::frames(&source);
        let output: &mut ObjectWriter = context.output();
        let mut encoder = WavEncoder::with_length(output, spec, self.spec.id.as_str(), frames)
            .into_diagnostic()?;
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        loop {
            let got = crate::audio::Source::read(&mut source, &mut block).into_diagnostic()?;
            if got == 0 {
                break;
            }
            encoder
                .write_block(&block[..got * channels])
                .into_diagnostic()?;
        }
        encoder.finish().into_diagnostic()?;
        Ok(())
    }
}
