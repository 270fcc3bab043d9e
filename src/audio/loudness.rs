//! Programme loudness per ITU-R BS.1770-4 and EBU R128, measured as a stream.
//!
//! K-weighting, integrated loudness (absolute gate -70 LUFS, relative gate
//! -10 LU) and sample peak come from the `ebur128` crate, a port of
//! libebur128 that passes the EBU conformance suites; the true peak from
//! `TruePeakMeter` (4x oversampling with a longer filter than
//! libebur128's, see `audio/true_peak.rs`). The momentary
//! (400 ms) and short-term (3 s) values are formed here at 10 Hz from the
//! 100 ms sub-block energies, giving their maxima and the loudness range
//! (see `audio/loudness_range.rs`); like ffmpeg's `ebur128` filter, a
//! window only counts once it is full, so a programme shorter than 3 s has no
//! short-term maximum and an LRA of 0.

use ebur128::Mode;

use crate::audio::{
    block_energy::{energy_to_loudness, SlidingMean, SubBlockMeter},
    channel_role::ChannelRole,
    chunk_stats::{sub_block_frames, ChunkSetup, ChunkStats, ChunkedMeter},
    dsp_error::DspError,
    true_peak::TruePeakMeter,
};

/// Blocks of at least this many samples are metered on two threads.
const PARALLEL_SAMPLES: usize = 8192;

/// A streaming loudness meter: push interleaved `f32` blocks, then read a
/// report. The report is merged from the programme's chunks
/// ([`crate::audio::chunk_stats`]), so a programme spliced from chunks
/// measured before reports exactly what one pass over it does; a meter
/// made [`LoudnessMeter::with_curve`] also follows the momentary and
/// short-term loudness as they come, for a loudness curve.
pub struct LoudnessMeter {
    chunks: ChunkedMeter,
    curve: Option<Box<CurveMeter>>,
}

/// The streaming values of a loudness curve.
struct CurveMeter {
    blocks: SubBlockMeter,
    momentary: SlidingMean<4>,
    short_term: SlidingMean<30>,
    true_peak: TruePeakMeter,
    /// The latest momentary and short-term energies, once their windows
    /// are full (for a loudness curve, see [`LoudnessMeter::latest`]).
    latest: (Option<f64>, Option<f64>),
}

/// What a [`LoudnessMeter`] measured. Levels of silence are `-inf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReport {
    /// Frames measured.
    pub frames: u64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Gated integrated loudness in LUFS.
    pub integrated_lufs: f64,
    /// Loudness range in LU (0 when there are no short-term blocks above the gates).
    pub loudness_range_lu: f64,
    /// Highest momentary (400 ms) loudness in LUFS.
    pub momentary_max_lufs: f64,
    /// Highest short-term (3 s) loudness in LUFS.
    pub short_term_max_lufs: f64,
    /// Highest absolute sample value over all channels, in dBFS.
    pub sample_peak_dbfs: f64,
    /// Highest oversampled peak (4x below 96 kHz) over all channels, in dBTP.
    pub true_peak_dbtp: f64,
}

impl LoudnessReport {
    /// The duration measured, in seconds.
    pub fn duration_s(&self) -> f64 {
        self.frames as f64 / f64::from(self.sample_rate)
    }
}

/// Converts a linear amplitude to decibels (0 gives -inf).
pub fn amplitude_to_db(amplitude: f64) -> f64 {
    if amplitude <= 0.0 {
        f64::NEG_INFINITY
    } else {
        20.0 * amplitude.log10()
    }
}

impl LoudnessMeter {
    /// A meter for audio whose channels have the given roles, in order.
    pub fn new(roles: &[ChannelRole], sample_rate: u32) -> Result<Self, DspError> {
        Self::with_setup(ChunkSetup::new(roles, sample_rate, None)?)
    }

    /// A meter whose chunks are measured as `setup` says (with a file
    /// format, they count the samples at its full scale).
    pub fn with_setup(setup: ChunkSetup) -> Result<Self, DspError> {
        Ok(Self {
            chunks: ChunkedMeter::new(setup),
            curve: None,
        })
    }

    /// [`LoudnessMeter::new`], following the curve too
    /// ([`LoudnessMeter::latest`]).
    pub fn with_curve(roles: &[ChannelRole], sample_rate: u32) -> Result<Self, DspError> {
        let mut meter = Self::new(roles, sample_rate)?;
        meter.curve = Some(Box::new(CurveMeter {
            blocks: SubBlockMeter::new(roles, sample_rate, Mode::empty())?,
            momentary: SlidingMean::new(),
            short_term: SlidingMean::new(),
            true_peak: TruePeakMeter::new(roles.len(), sample_rate),
            latest: (None, None),
        }));
        Ok(meter)
    }

    /// A meter for a plain channel count, with ffmpeg's default layout
    /// (see `ChannelRole::default_layout`).
    pub fn for_channels(channels: usize, sample_rate: u32) -> Result<Self, DspError> {
        Self::new(&ChannelRole::default_layout(channels)?, sample_rate)
    }

    /// A meter for channels named by labels such as `L R C LFE Ls Rs`.
    pub fn for_labels<S: AsRef<str>>(labels: &[S], sample_rate: u32) -> Result<Self, DspError> {
        Self::new(&ChannelRole::from_labels(labels)?, sample_rate)
    }

    /// The number of channels per frame.
    pub fn channels(&self) -> usize {
        self.chunks.setup().channels()
    }

    /// The sample rate in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.chunks.setup().rate()
    }

    /// Feeds a block of interleaved frames (any length that holds whole frames).
    pub fn push(&mut self, block: &[f32]) -> Result<(), DspError> {
        self.chunks.push(block)?;
        if let Some(curve) = &mut self.curve {
            curve.push(block)?;
        }
        Ok(())
    }

    /// The chunked meter underneath (for a region rebuild's copies, see
    /// [`ChunkedMeter::push_measured`]).
    pub fn chunks_mut(&mut self) -> &mut ChunkedMeter {
        &mut self.chunks
    }

    /// Every chunk's stats, the programme ending here.
    pub fn finish(self) -> Result<Vec<ChunkStats>, DspError> {
        self.chunks.finish()
    }

    /// The frames of one 100 ms sub-block, the step of the momentary and
    /// short-term loudness.
    pub fn sub_block_frames(&self) -> usize {
        sub_block_frames(self.sample_rate())
    }

    /// One point of a loudness curve, for audio pushed up to a sub-block's
    /// end: the latest momentary and short-term loudness in LUFS (`None`
    /// until their window is full; `-inf` for silence), and the true peak
    /// (linear) since the last call. Nothing but for a meter made
    /// [`LoudnessMeter::with_curve`].
    pub fn latest(&mut self) -> (Option<f64>, Option<f64>, f64) {
        let Some(curve) = &mut self.curve else {
            return (None, None, 0.0);
        };
        let (momentary, short_term) = curve.latest;
        (
            momentary.map(energy_to_loudness),
            short_term.map(energy_to_loudness),
            curve.true_peak.take_interval(),
        )
    }

    /// The measurement so far.
    pub fn report(&self) -> LoudnessReport {
        self.chunks.report().unwrap_or(LoudnessReport {
            frames: self.chunks.frames(),
            sample_rate: self.sample_rate(),
            integrated_lufs: f64::NEG_INFINITY,
            loudness_range_lu: 0.0,
            momentary_max_lufs: f64::NEG_INFINITY,
            short_term_max_lufs: f64::NEG_INFINITY,
            sample_peak_dbfs: f64::NEG_INFINITY,
            true_peak_dbtp: f64::NEG_INFINITY,
        })
    }
}

impl CurveMeter {
    fn push(&mut self, block: &[f32]) -> Result<(), DspError> {
        let Self {
            blocks,
            momentary,
            short_term,
            true_peak,
            latest,
        } = self;
        blocks.check_block(block)?;
        let mut loudness = || {
            blocks.push(block, |energy| {
                *latest = (momentary.push(energy), short_term.push(energy));
            })
        };
        if block.len() >= PARALLEL_SAMPLES {
            let (result, ()) = rayon::join(loudness, || true_peak.push(block));
            result
        } else {
            true_peak.push(block);
            loudness()
        }
    }
}

#[cfg(test)]
#[path = "loudness_tests.rs"]
mod tests;
