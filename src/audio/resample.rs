//! Sample-rate conversion (48 kHz ⇄ 44.1 kHz and any other fixed ratio),
//! streaming, with exact length and no time shift.
//!
//! Built on rubato's synchronous FFT resampler (`rubato::Fft`), which is both
//! its fastest and its highest-quality mode for a fixed ratio. Two things
//! are added on top, so a resampled stem lines up with everything else:
//!
//! * **delay compensation**: rubato's output starts with `output_delay()`
//!   frames of filter delay; they are dropped, so output frame `k` sits at
//!   time `k / to_hz` exactly like input frame `k·from/to`;
//! * **exact length**: [`Resampler::finish`] flushes the filter and cuts the
//!   output at `round(input_frames · to / from)` frames
//!   ([`resampled_len`]).

use rubato::{audioadapter_buffers::direct::InterleavedSlice, Fft, FixedSync, Resampler as _};

use crate::audio::dsp_error::DspError;

/// Input frames per resampler call.
const CHUNK_FRAMES: usize = 4096;

/// The number of output frames for `input_frames` at the ratio `to / from`:
/// `round(input_frames · to / from)`, halves rounded up.
pub fn resampled_len(input_frames: u64, from_hz: u32, to_hz: u32) -> u64 {
    let num = u128::from(input_frames) * u128::from(to_hz);
    let den = u128::from(from_hz);
    ((2 * num + den) / (2 * den)) as u64
}

/// A streaming resampler over interleaved `f32` frames.
pub struct Resampler {
    inner: Option<Fft<f32>>,
    channels: usize,
    from_hz: u32,
    to_hz: u32,
    /// Input waiting for a full chunk.
    pending: Vec<f32>,
    scratch: Vec<f32>,
    /// Delay frames still to drop from the start of the output.
    skip: usize,
    frames_in: u64,
    frames_out: u64,
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz` for `channels`-channel frames.
    /// Equal rates pass audio through untouched.
    pub fn new(from_hz: u32, to_hz: u32, channels: usize) -> Result<Self, DspError> {
        let error = |reason: String| DspError::Resampler {
            from_hz,
            to_hz,
            channels,
            reason,
        };
        if from_hz == 0 || to_hz == 0 || channels == 0 || channels > 64 {
            return Err(error(
                "the rates and the channel count must be positive".into(),
            ));
        }
        let inner = if from_hz == to_hz {
            None
        } else {
            Some(
                Fft::<f32>::new(
                    from_hz as usize,
                    to_hz as usize,
                    CHUNK_FRAMES,
                    channels,
                    FixedSync::Input,
                )
                .map_err(|e| error(e.to_string()))?,
            )
        };
        let skip = inner.as_ref().map_or(0, |r| r.output_delay());
        let scratch = vec![0.0; inner.as_ref().map_or(0, |r| r.output_frames_max()) * channels];
        Ok(Self {
            inner,
            channels,
            from_hz,
            to_hz,
            pending: Vec::with_capacity(CHUNK_FRAMES * channels),
            scratch,
            skip,
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Whether the rates are equal, so audio passes through untouched (a
    /// caller may then skip the copy [`Self::process`] would make).
    pub fn is_passthrough(&self) -> bool {
        self.inner.is_none()
    }

    /// Resamples a block of whole interleaved frames, appending the output
    /// frames that are ready (the filter delay holds some back until
    /// [`Self::finish`]).
    pub fn process(&mut self, block: &[f32], output: &mut Vec<f32>) -> Result<(), DspError> {
        if !block.len().is_multiple_of(self.channels) {
            return Err(DspError::PartialFrame {
                samples: block.len(),
                channels: self.channels,
            });
        }
        self.frames_in += (block.len() / self.channels) as u64;
        if self.inner.is_none() {
            output.extend_from_slice(block);
            self.frames_out += (block.len() / self.channels) as u64;
            return Ok(());
        }
        let chunk = CHUNK_FRAMES * self.channels;
        let mut rest = block;
        while !rest.is_empty() {
            let take = (chunk - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == chunk {
                self.run_chunk(CHUNK_FRAMES, output, u64::MAX)?;
                self.pending.clear();
            }
        }
        Ok(())
    }

    /// Flushes the filter: afterwards exactly [`resampled_len`] frames have
    /// been appended in total.
    pub fn finish(&mut self, output: &mut Vec<f32>) -> Result<(), DspError> {
        let total = resampled_len(self.frames_in, self.from_hz, self.to_hz);
        if self.inner.is_some() {
            let mut partial = self.pending.len() / self.channels;
            while self.frames_out < total {
                self.run_chunk(partial, output, total)?;
                self.pending.clear();
                partial = 0;
            }
        }
        Ok(())
    }

    /// Runs one chunk of `frames` pending input frames (the rest of the
    /// chunk is silence), appending at most up to `limit` output frames.
    fn run_chunk(
        &mut self,
        frames: usize,
        output: &mut Vec<f32>,
        limit: u64,
    ) -> Result<(), DspError> {
        let channels = self.channels;
        let error = |reason: String| DspError::Resampler {
            from_hz: self.from_hz,
            to_hz: self.to_hz,
            channels,
            reason,
        };
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };
        self.pending.resize(CHUNK_FRAMES * channels, 0.0);
        let input = InterleavedSlice::new(&self.pending[..], channels, CHUNK_FRAMES)
            .map_err(|e| error(e.to_string()))?;
        let out_frames = self.scratch.len() / channels;
        let mut out = InterleavedSlice::new_mut(&mut self.scratch[..], channels, out_frames)
            .map_err(|e| error(e.to_string()))?;
        let indexing = rubato::Indexing::new().partial_len(frames);
        let (_, produced) = inner
            .process_into_buffer(&input, &mut out, Some(&indexing))
            .map_err(|e| error(e.to_string()))?;
        let skip = self.skip.min(produced);
        self.skip -= skip;
        let available = (produced - skip) as u64;
        let keep = available.min(limit.saturating_sub(self.frames_out)) as usize;
        output.extend_from_slice(&self.scratch[skip * channels..(skip + keep) * channels]);
        self.frames_out += keep as u64;
        Ok(())
    }
}

#[cfg(test)]
#[path = "resample_tests.rs"]
mod tests;
