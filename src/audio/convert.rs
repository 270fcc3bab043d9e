//! Converting a source to another layout through a [`Matrix`].

use super::{error::AudioError, matrix::Matrix, source::Source};

/// A source converted to another layout by a matrix.
pub struct Convert<S> {
    source: S,
    matrix: Matrix,
    scratch: Vec<f32>,
}

impl<S: Source> Convert<S> {
    /// Applies `matrix` to `source`; an error if the channel counts differ.
    pub fn new(source: S, matrix: Matrix) -> Result<Self, AudioError> {
        if source.channels() != matrix.inputs() {
            return Err(AudioError::ChannelCount {
                operation: format!("matrix `{}`", matrix.name()),
                expected: matrix.inputs(),
                found: source.channels(),
            });
        }
        Ok(Self {
            source,
            matrix,
            scratch: Vec::new(),
        })
    }
}

impl<S: Source> Source for Convert<S> {
    fn channels(&self) -> usize {
        self.matrix.outputs()
    }
    fn frames(&self) -> u64 {
        self.source.frames()
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let want = out.len() / self.matrix.outputs();
        let inputs = self.matrix.inputs();
        self.scratch.resize(want * inputs, 0.0);
        let frames = self.source.read(&mut self.scratch)?;
        self.matrix.apply(
            &self.scratch[..frames * inputs],
            &mut out[..frames * self.matrix.outputs()],
        );
        Ok(frames)
    }
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        self.source.skip(frames)
    }
}
