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
    dsp_error::DspError,
    loudness_range::loudness_range,
    true_peak::TruePeakMeter,
};

/// Blocks of at least this many samples are metered on two threads.
const PARALLEL_SAMPLES: usize = 8192;

/// A streaming loudness meter: push interleaved `f32` blocks, then read a report.
pub struct LoudnessMeter {
    blocks: SubBlockMeter,
    momentary: SlidingMean<4>,
    short_term: SlidingMean<30>,
    momentary_max: f64,
    short_term_max: f64,
    /// Every short-term energy, for the LRA (8 bytes per 100 ms).
    short_term_history: Vec<f64>,
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
        if roles.is_empty() {
            return Err(DspError::UnsupportedFormat {
                channels: 0,
                sample_rate,
            });
        }
        let blocks = SubBlockMeter::new(roles, sample_rate, Mode::I | Mode::SAMPLE_PEAK)?;
        Ok(Self {
            blocks,
            momentary: SlidingMean::new(),
            short_term: SlidingMean::new(),
            momentary_max: 0.0,
            short_term_max: 0.0,
            short_term_history: Vec::new(),
            true_peak: TruePeakMeter::new(roles.len(), sample_rate),
            latest: (None, None),
        })
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
        self.blocks.channels()
    }

    /// The sample rate in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.blocks.sample_rate()
    }

    /// Feeds a block of interleaved frames (any length that holds whole frames).
    pub fn push(&mut self, block: &[f32]) -> Result<(), DspError> {
        let Self {
            blocks,
            momentary,
            short_term,
            momentary_max,
            short_term_max,
            short_term_history,
            true_peak,
            latest,
        } = self;
        blocks.check_block(block)?;
        // The K-weighted loudness and the true peak are independent: on a
        // large enough block they run side by side (same result either way).
        let mut loudness = || {
            blocks.push(block, |energy| {
                let m = momentary.push(energy);
                if let Some(m) = m {
                    *momentary_max = momentary_max.max(m);
                }
                let s = short_term.push(energy);
                if let Some(s) = s {
                    *short_term_max = short_term_max.max(s);
                    short_term_history.push(s);
                }
                *latest = (m, s);
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

    /// The frames of one 100 ms sub-block, the step of the momentary and
    /// short-term loudness.
    pub fn sub_block_frames(&self) -> usize {
        self.blocks.hop()
    }

    /// One point of a loudness curve, for audio pushed up to a sub-block's
    /// end: the latest momentary and short-term loudness in LUFS (`None`
    /// until their window is full; `-inf` for silence), and the true peak
    /// (linear) since the last call.
    pub fn latest(&mut self) -> (Option<f64>, Option<f64>, f64) {
        let (momentary, short_term) = self.latest;
        (
            momentary.map(energy_to_loudness),
            short_term.map(energy_to_loudness),
            self.true_peak.take_interval(),
        )
    }

    /// The measurement so far.
    pub fn report(&self) -> LoudnessReport {
        let meter = &self.blocks.meter;
        let channels = self.blocks.channels() as u32;
        let peak = |f: &dyn Fn(u32) -> Result<f64, ebur128::Error>| {
            (0..channels)
                .filter_map(|c| f(c).ok())
                .fold(0.0f64, f64::max)
        };
        LoudnessReport {
            frames: self.blocks.frames(),
            sample_rate: self.blocks.sample_rate(),
            integrated_lufs: meter.loudness_global().unwrap_or(f64::NEG_INFINITY),
            loudness_range_lu: loudness_range(&self.short_term_history),
            momentary_max_lufs: energy_to_loudness(self.momentary_max),
            short_term_max_lufs: energy_to_loudness(self.short_term_max),
            sample_peak_dbfs: amplitude_to_db(peak(&|c| meter.sample_peak(c))),
            true_peak_dbtp: amplitude_to_db(self.true_peak.peak()),
        }
    }
}

#[cfg(test)]
#[path = "loudness_tests.rs"]
mod tests;
