//! The end of every deliverable's chain: from mixed blocks at the
//! project's rate to the file a [`WavSpec`] describes, through gain (when
//! normalised), sample rate (when resampled), dither and encoding.
//!
//! A [`Delivery`] is fed blocks ([`Delivery::push`]), so the same chain
//! serves a deliverable that reads its mix ([`deliver`]) and one that is
//! handed its bus's blocks as the bus is mixed (see [`crate::stages::follow`]).
//!
//! Every deliverable is a Broadcast WAV: its `bext` chunk (EBU Tech 3285
//! v2) carries the caller's description ([`Delivery::describe`]) and the
//! loudness of the file as written, measured on the samples as they are
//! encoded, after gain, resampling and dither (see
//! [`WavEncoder::broadcast`]).

use std::io::{Seek, Write};

use miette::IntoDiagnostic;

use crate::{
    audio::{
        bext::BextInfo, chunk_stats::ChunkStats, dither::TpdfQuantizer, normalize::Normalizer,
        resample::Resampler, Chunk, SampleFormat, Source, WavEncoder, WavSpec, BLOCK_FRAMES,
    },
    model::Format,
};

/// Frames per block where reading the next block overlaps writing this
/// one (buses and deliverables).
pub const PIPELINE_FRAMES: usize = 4 * BLOCK_FRAMES;

/// An unchanged stretch of a deliverable patched in place
/// ([`Delivery::keep`]).
pub enum Kept<'a> {
    /// One whole chunk of `frames` frames, with its stats as measured
    /// before and its last frames, decoded.
    Measured {
        frames: u64,
        stats: ChunkStats,
        tail: &'a [f32],
    },
    /// Frames read back from the file, to be measured again.
    Read(&'a [u8]),
}

/// A deliverable being written: gain, resampling, dither and encoding of
/// the blocks pushed, in order. A step with nothing to do copies nothing.
pub struct Delivery<W: Write + Seek> {
    normalizer: Option<Normalizer>,
    processed: Vec<f32>,
    output: Output<W>,
}

/// The mix a deliverable is made of: its stage id (which seeds nothing
/// here; it names the file in errors), rate, channels and length.
#[derive(Debug, Clone, Copy)]
pub struct Stream<'a> {
    pub id: &'a str,
    pub rate: u32,
    pub channels: usize,
    pub frames: u64,
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
    /// written to `out` as `spec` says, with a `bext` chunk in any case
    /// (TimeReference 0 when `spec` has none) that has no description
    /// until [`Delivery::describe`] gives it one. A file that is not
    /// resampled is told its length up front, so its sizes are final from
    /// the start.
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
        let stream = Stream {
            id,
            rate,
            channels,
            frames,
        };
        Self::with_chunks(out, spec, stream, normalizer, quantizer, &[])
    }

    /// [`Delivery::new`] for a file with chunks of its own before the
    /// audio (an ADM master's `chna` and `axml`).
    pub fn with_chunks(
        out: W,
        spec: WavSpec,
        stream: Stream<'_>,
        normalizer: Option<Normalizer>,
        quantizer: Option<TpdfQuantizer>,
        chunks: &[Chunk],
    ) -> miette::Result<Self> {
        let Stream {
            id,
            rate,
            channels,
            frames,
        } = stream;
        let resampler = Resampler::new(rate, spec.sample_rate, channels).into_diagnostic()?;
        let length = resampler.is_passthrough().then_some(frames);
        let encoder =
            WavEncoder::broadcast_with_chunks(out, spec, id, length, BextInfo::default(), chunks)
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

    /// Sets the description of the deliverable's `bext` chunk (written when
    /// it is finished): see [`crate::stages::output::target_bext`] and
    /// [`crate::stages::output::track_bext`].
    pub fn describe(&mut self, info: BextInfo) -> miette::Result<()> {
        self.output.encoder.describe(info).into_diagnostic()
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

    /// Writes `raw`, frames of this very file as an earlier render wrote
    /// them (a region rebuild's unchanged stretch), measured again
    /// unless `measured` gives the stats of the one whole chunk they are
    /// (and its last frames, decoded); the dither moves on past them.
    /// Only for a deliverable written at the project's rate with no
    /// limiter, whose every sample depends on its own position alone.
    pub fn copy(
        &mut self,
        raw: &[u8],
        measured: Option<(ChunkStats, &[f32])>,
    ) -> miette::Result<()> {
        self.check_positional()?;
        let encoder = &mut self.output.encoder;
        let frames = (raw.len() / encoder.frame_bytes()) as u64;
        match measured {
            Some((stats, tail)) => encoder.write_measured(raw, stats, tail),
            None => encoder.write_encoded(raw),
        }
        .into_diagnostic()?;
        self.advance(frames);
        Ok(())
    }

    /// Like [`Delivery::copy`], for frames the file being written already
    /// holds where they go (a previous output patched in place): moves
    /// past them without writing them, measured as `kept` says.
    pub fn keep(&mut self, kept: Kept<'_>) -> miette::Result<()> {
        self.check_positional()?;
        let encoder = &mut self.output.encoder;
        let frames = match kept {
            Kept::Measured {
                frames,
                stats,
                tail,
            } => {
                encoder
                    .keep_measured(frames, stats, tail)
                    .into_diagnostic()?;
                frames
            }
            Kept::Read(raw) => {
                encoder.keep_metered(raw).into_diagnostic()?;
                (raw.len() / encoder.frame_bytes()) as u64
            }
        };
        self.advance(frames);
        Ok(())
    }

    /// Refuses a deliverable whose samples do not depend on their own
    /// position alone (resampled or limited): it cannot be copied in part.
    fn check_positional(&self) -> miette::Result<()> {
        if !self.output.resampler.is_passthrough()
            || self
                .normalizer
                .as_ref()
                .is_some_and(|normalizer| normalizer.max_reduction_db().is_some())
        {
            miette::bail!("a resampled or limited deliverable cannot be copied in part");
        }
        Ok(())
    }

    /// Moves the dither on past `frames` frames not rendered.
    fn advance(&mut self, frames: u64) {
        let channels = self.output.encoder.channels() as u64;
        if let Some(quantizer) = &mut self.output.quantizer {
            quantizer.advance(frames * channels);
        }
    }

    /// The offset of the file's first frame.
    pub fn data_start(&self) -> u64 {
        self.output.encoder.data_start()
    }

    /// Flushes the limiter and the resampler and finishes the file;
    /// returns its loudness and peaks, chunk by chunk, as written.
    pub fn finish(mut self) -> miette::Result<Option<Vec<ChunkStats>>> {
        self.processed.clear();
        if let Some(normalizer) = &mut self.normalizer {
            normalizer.finish(&mut self.processed);
        }
        self.output.write(&self.processed, true)?;
        let (_, summary) = self.output.encoder.finish().into_diagnostic()?;
        Ok(summary.chunks)
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
) -> miette::Result<Option<Vec<ChunkStats>>> {
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

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::audio::{bext, loudness::LoudnessMeter, ChannelLayout, WavReader};

    #[test]
    fn a_deliverable_s_bext_describes_it_and_holds_the_loudness_of_its_dithered_samples() {
        use std::f64::consts::TAU;
        let frames = 4 * 48_000;
        let mix: Vec<f32> = (0..frames)
            .flat_map(|n| {
                let x = 0.2 * (TAU * 997.0 * n as f64 / 48_000.0).sin();
                [x as f32, (0.5 * x) as f32]
            })
            .collect();
        let format = Format {
            adm: false,
            sample_rate: 48_000,
            bits: 16,
            float: false,
            span: crate::syntax::span::Span::new(crate::syntax::span::SourceId(0), 0, 0),
        };
        let (sample_format, quantizer) = encoding(&format, "target:t").unwrap();
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::stereo(),
            sample_format,
            time_reference: Some(3600 * 48_000),
        };
        let mut out = Cursor::new(Vec::new());
        let mut delivery = Delivery::new(
            &mut out, spec, "target:t", 48_000, 2, frames, None, quantizer,
        )
        .unwrap();
        for block in mix.chunks(2 * 5000) {
            delivery.push(block).unwrap();
        }
        delivery.describe(BextInfo::new("P - t - 2.0")).unwrap();
        delivery.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.wav");
        std::fs::write(&path, out.into_inner()).unwrap();

        // The file read back and measured afresh.
        let mut reader = WavReader::open(&path).unwrap();
        let samples = crate::audio::source::read_to_end(&mut reader).unwrap();
        let mut meter = LoudnessMeter::for_labels(&["L", "R"], 48_000).unwrap();
        meter.push(&samples).unwrap();
        let expected = bext::BextLoudness::from_report(&meter.report()).encoded();
        let bytes = std::fs::read(&path).unwrap();
        let body = &bytes[56..56 + bext::BEXT_SIZE];
        assert_eq!(
            bext::loudness(body).map(|loudness| loudness.encoded()),
            Some(expected)
        );
        assert_eq!(bext::description(body).as_deref(), Some("P - t - 2.0"));
        assert_eq!(reader.format().time_reference, Some(3600 * 48_000));
    }
}
