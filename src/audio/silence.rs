//! Silence of a given length.

use super::{error::AudioError, source::Source};

/// `frames` frames of digital silence.
pub struct Silence {
    channels: usize,
    frames: u64,
    position: u64,
}

impl Silence {
    /// Silence of `channels` channels lasting `frames` frames.
    pub fn new(channels: usize, frames: u64) -> Result<Self, AudioError> {
        if channels == 0 {
            return Err(AudioError::InvalidValue {
                what: "channel count",
                detail: "silence needs at least one channel".into(),
                help: "give a channel count of at least 1".into(),
            });
        }
        Ok(Self {
            channels,
            frames,
            position: 0,
        })
    }
}

impl Source for Silence {
    fn channels(&self) -> usize {
        self.channels
    }
    fn frames(&self) -> u64 {
        self.frames
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let frames = ((out.len() / self.channels) as u64).min(self.frames - self.position) as usize;
        out[..frames * self.channels].fill(0.0);
        self.position += frames as u64;
        Ok(frames)
    }
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let skipped = frames.min(self.frames - self.position);
        self.position += skipped;
        Ok(skipped)
    }
}
