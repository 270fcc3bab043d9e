//! The end of every deliverable's chain: from mixed blocks at the
//! project's rate to the file a [`WavSpec`] describes, through gain (when
//! normalised), sample rate (when resampled), dither and encoding.
//!
//! A [`Delivery`] is fed blocks ([`Delivery::push`]), so the same chain
//! serves a deliverable that reads its mix ([`deliver`]) and one that is
//! handed its bus's blocks as the bus is mixed (see [`crate::stages::follow`]).

use std::io::{Seek, Write};

use miette::IntoDiagnostic;

use crate::{
    audio::{
        dither::TpdfQuantizer, normalize::Normalizer, resample::Resampler, SampleFormat, Source,
        WavEncoder, WavSpec, BLOCK_FRAMES,
    },
    model::Format,
};

/// Frames per block where reading the next block overlaps writing this
/// one (buses and deliverables).
pub const PIPELINE_FRAMES: usize = 4 * BLOCK_FRAMES;

/// A deliverable being written: gain, resampling, dither and encoding of
/// the blocks pushed, in order. A step with nothing to do copies nothing.
pub struct Delivery<W: Write + Seek> {
    normalizer: Option<Normalizer>,
    processed: Vec<f32>,
    output: Output<W>,
}

/// What follows the gain: resampling, dither and encoding.
struct Output<W: Write + Seek> {
    encoder: WavEncoder<W>,
    resampler: Resampler,
    quantizer: Option<TpdfQuantizer>,
    resampled: Vec<f32>,
    quantized: Vec<i32>,
}

impl<W: Write + Seek> Delivery<W> {
    /// A deliverable of `frames` frames of `channels` channels at `rate`,
    /// written to `out` as `spec` says. A file that is not resampled is
    /// told its length up front, so its header is final from the start and
    /// the store hashes it as it is written.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        out: W,
        spec: WavSpec,
        id: &str,
        rate: u32,
        channels: usize,
        frames: u64,
        normalizer: Option<Normalizer>,
        quantizer: Option<TpdfQuantizer>,
    ) -> miette::Result<Self> {
        let resampler = Resampler::new(rate, spec.sample_rate, channels).into_diagnostic()?;
        let encoder = if resampler.is_passthrough() {
            WavEncoder::with_length(out, spec, id, frames)
        } else {
            WavEncoder::new(out, spec, id)
        }
        .into_diagnostic()?;
        let capacity = PIPELINE_FRAMES * channels;
        Ok(Self {
            normalizer,
            processed: Vec::with_capacity(capacity),
            output: Output {
                encoder,
                resampler,
                quantizer,
                resampled: Vec::with_capacity(capacity),
                quantized: Vec::with_capacity(capacity),
            },
        })
    }

    /// Processes and writes the next block (whole frames, not empty).
    pub fn push(&mut self, block: &[f32]) -> miette::Result<()> {
        self.processed.clear();
        let gained: &[f32] = match &mut self.normalizer {
            Some(normalizer) => {
                normalizer.process(block, &mut self.processed);
                &self.processed
            }
            None => block,
        };
        self.output.write(gained, false)
    }

    /// Flushes the limiter and the resampler and finishes the file.
    pub fn finish(mut self) -> miette::Result<()> {
        self.processed.clear();
        if let Some(normalizer) = &mut self.normalizer {
            normalizer.finish(&mut self.processed);
        }
        self.output.write(&self.processed, true)?;
        self.output.encoder.finish().into_diagnostic()?;
        Ok(())
    }
}

impl<W: Write + Seek> Output<W> {
    /// Resamples (unless the rates are equal), dithers and encodes
    /// `samples`; `last` flushes the resampler.
    fn write(&mut self, samples: &[f32], last: bool) -> miette::Result<()> {
        if self.resampler.is_passthrough() {
            return write_dithered(
                &mut self.encoder,
                &mut self.quantizer,
                samples,
                &mut self.quantized,
            );
        }
        self.resampled.clear();
        self.resampler
            .process(samples, &mut self.resampled)
            .into_diagnostic()?;
        if last {
            self.resampler
                .finish(&mut self.resampled)
                .into_diagnostic()?;
        }
        write_dithered(
            &mut self.encoder,
            &mut self.quantizer,
            &self.resampled,
            &mut self.quantized,
        )
    }
}

/// Writes the whole of `source` through `delivery`: each block is processed
/// and written while the next is read.
pub fn deliver<W: Write + Seek + Send>(
    mut delivery: Delivery<W>,
    mut source: Box<dyn Source>,
) -> miette::Result<()> {
    let channels = source.channels();
    let mut current = vec![0.0f32; PIPELINE_FRAMES * channels];
    let mut next = current.clone();
    let mut frames = source.read(&mut current).into_diagnostic()?;
    while frames > 0 {
        let block = &current[..frames * channels];
        let (pushed, read) = rayon::join(|| delivery.push(block), || source.read(&mut next));
        pushed?;
        frames = read.into_diagnostic()?;
        std::mem::swap(&mut current, &mut next);
    }
    delivery.finish()
}

/// The sample encoding of a deliverable's `format`, and the TPDF quantiser
/// that dithers to it (none for float), seeded per stage `id`.
pub fn encoding(
    format: &Format,
    id: &str,
) -> miette::Result<(SampleFormat, Option<TpdfQuantizer>)> {
    let sample_format = match format.bits {
        16 => SampleFormat::Int16,
        24 => SampleFormat::Int24,
        _ => SampleFormat::Float32,
    };
    let quantizer = match sample_format {
        SampleFormat::Float32 => None,
        _ => Some(TpdfQuantizer::new(format.bits, dither_seed(id)).into_diagnostic()?),
    };
    Ok((sample_format, quantizer))
}

/// A fixed dither seed per stage, so renders are reproducible.
fn dither_seed(id: &str) -> u64 {
    blake3::hash(id.as_bytes()).as_bytes()[..8]
        .iter()
        .fold(0u64, |seed, byte| (seed << 8) | u64::from(*byte))
}

/// Writes a block through the TPDF quantiser (the integers go straight to
/// the encoder), or as it is to a float file.
fn write_dithered<W: Write + Seek>(
    encoder: &mut WavEncoder<W>,
    quantizer: &mut Option<TpdfQuantizer>,
    samples: &[f32],
    quantized: &mut Vec<i32>,
) -> miette::Result<()> {
    if samples.is_empty() {
        return Ok(());
    }
    match quantizer {
        None => encoder.write_block(samples).into_diagnostic(),
        Some(quantizer) => {
            quantized.clear();
            quantizer.quantize_parallel(samples, quantized);
            encoder.write_integers(quantized).into_diagnostic()
        }
    }
}
