//! Panning a mono source to one named channel of a layout.

use super::{error::AudioError, layout::ChannelLayout, source::Source};

/// A mono source placed in one channel of a layout, silence in the others.
pub struct Pan<S> {
    source: S,
    channels: usize,
    index: usize,
    scratch: Vec<f32>,
}

impl<S: Source> Pan<S> {
    /// Routes mono `source` to the channel labelled `channel` in `layout`.
    pub fn new(source: S, layout: &ChannelLayout, channel: &str) -> Result<Self, AudioError> {
        if source.channels() != 1 {
            return Err(AudioError::ChannelCount {
                operation: format!("panning to `{channel}`"),
                expected: 1,
                found: source.channels(),
            });
        }
        let index = layout.index_of(channel)?;
        Ok(Self {
            source,
            channels: layout.channels(),
            index,
            scratch: Vec::new(),
        })
    }
}

/// Writes mono `samples` into channel `index` of the first frames of `out`
/// (frames of `channels` channels), silence in the other channels.
pub fn place(samples: &[f32], index: usize, channels: usize, out: &mut [f32]) {
    for (frame, &sample) in out.chunks_exact_mut(channels).zip(samples) {
        frame.fill(0.0);
        frame[index] = sample;
    }
}

impl<S: Source> Source for Pan<S> {
    fn channels(&self) -> usize {
        self.channels
    }
    fn frames(&self) -> u64 {
        self.source.frames()
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let want = out.len() / self.channels;
        self.scratch.resize(want, 0.0);
        let frames = self.source.read(&mut self.scratch[..want])?;
        place(
            &self.scratch[..frames],
            self.index,
            self.channels,
            &mut out[..frames * self.channels],
        );
        Ok(frames)
    }
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        self.source.skip(frames)
    }
}
