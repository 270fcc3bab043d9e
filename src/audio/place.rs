//! Placing a source at a sample offset on a timeline.

use super::{error::AudioError, source::Source};

/// A source preceded by `offset` frames of silence: the source placed at
/// sample `offset` of a timeline that starts at 0. A bus places its members
/// itself without the silent prefix; this is for a lone placed source.
pub struct Place<S> {
    source: S,
    offset: u64,
    position: u64,
}

impl<S: Source> Place<S> {
    /// Places `source` at frame `offset`.
    pub fn new(source: S, offset: u64) -> Self {
        Self {
            source,
            offset,
            position: 0,
        }
    }
}

impl<S: Source> Source for Place<S> {
    fn channels(&self) -> usize {
        self.source.channels()
    }
    fn frames(&self) -> u64 {
        self.offset + self.source.frames()
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.source.channels();
        let want = out.len() / channels;
        let mut written = 0usize;
        if self.position < self.offset {
            let silent = ((self.offset - self.position) as usize).min(want);
            out[..silent * channels].fill(0.0);
            written = silent;
            self.position += silent as u64;
        }
        if written < want {
            let got = self
                .source
                .read(&mut out[written * channels..want * channels])?;
            written += got;
            self.position += got as u64;
        }
        Ok(written)
    }
}
