//! The streaming interface every audio stage implements: a source of
//! interleaved `f32` frames read block by block.

use super::error::AudioError;

/// Frames per block in streaming loops: large enough that per-block
/// overhead vanishes, small enough that memory stays flat (4096 frames of
/// 12 channels are 192 KiB of `f32`).
pub const BLOCK_FRAMES: usize = 4096;

/// A finite stream of interleaved `f32` frames with a fixed channel count.
pub trait Source: Send {
    /// Channels per frame.
    fn channels(&self) -> usize;

    /// Total length of the source in frames, from its start.
    fn frames(&self) -> u64;

    /// Fills `out` with the next frames, as many whole frames as fit in
    /// `out.len() / channels()`, fewer only at the end of the source.
    /// Returns the number of frames written; 0 means the source has ended.
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError>;

    /// Skips `frames` frames (or up to the end) and returns how many were
    /// skipped. The default reads and discards; file readers seek.
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let channels = self.channels();
        let mut scratch = vec![0.0f32; BLOCK_FRAMES * channels];
        let mut skipped = 0u64;
        while skipped < frames {
            let want = (frames - skipped).min(BLOCK_FRAMES as u64) as usize;
            let got = self.read(&mut scratch[..want * channels])?;
            if got == 0 {
                break;
            }
            skipped += got as u64;
        }
        Ok(skipped)
    }
}

/// Forwards every method of a [`Source`] to the one it points to.
macro_rules! forward_source {
    ($($target:ty),*) => {$(
        impl<S: Source + ?Sized> Source for $target {
            fn channels(&self) -> usize {
                (**self).channels()
            }
            fn frames(&self) -> u64 {
                (**self).frames()
            }
            fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
                (**self).read(out)
            }
            fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
                (**self).skip(frames)
            }
        }
    )*};
}

forward_source!(Box<S>, &mut S);

/// Reads a whole source into memory. For tests and short material only:
/// rendering streams.
pub fn read_to_end(source: &mut dyn Source) -> Result<Vec<f32>, AudioError> {
    let channels = source.channels();
    let mut all = Vec::new();
    let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
    loop {
        let got = source.read(&mut block)?;
        if got == 0 {
            return Ok(all);
        }
        all.extend_from_slice(&block[..got * channels]);
    }
}

/// A whole in-memory buffer of interleaved frames as a source (tests, short
/// generated material).
#[derive(Debug, Clone)]
pub struct Buffer {
    samples: Vec<f32>,
    channels: usize,
    position: usize,
}

impl Buffer {
    /// Wraps interleaved `samples` of `channels` channels; a trailing
    /// partial frame is dropped.
    pub fn new(samples: Vec<f32>, channels: usize) -> Result<Self, AudioError> {
        if channels == 0 {
            return Err(AudioError::InvalidValue {
                what: "channel count",
                detail: "a buffer needs at least one channel".into(),
                help: "give a channel count of at least 1".into(),
            });
        }
        let mut samples = samples;
        samples.truncate(samples.len() / channels * channels);
        Ok(Self {
            samples,
            channels,
            position: 0,
        })
    }
}

impl Source for Buffer {
    fn channels(&self) -> usize {
        self.channels
    }
    fn frames(&self) -> u64 {
        (self.samples.len() / self.channels) as u64
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let want = out.len() / self.channels * self.channels;
        let n = want.min(self.samples.len() - self.position);
        out[..n].copy_from_slice(&self.samples[self.position..self.position + n]);
        self.position += n;
        Ok(n / self.channels)
    }
}
