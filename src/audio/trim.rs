//! Trimming a source's head and tail, in samples (frames).

use super::{error::AudioError, source::Source};

/// A source with `head` frames removed from its start and `tail` from its end.
pub struct Trim<S> {
    source: S,
    head: u64,
    frames: u64,
    position: u64,
    skipped: bool,
}

impl<S: Source> Trim<S> {
    /// Trims `head` frames from the start and `tail` from the end; an error
    /// if together they exceed the source.
    pub fn new(source: S, head: u64, tail: u64) -> Result<Self, AudioError> {
        let total = source.frames();
        let kept = total
            .checked_sub(head)
            .and_then(|rest| rest.checked_sub(tail))
            .ok_or_else(|| AudioError::InvalidValue {
                what: "trim",
                detail: format!("trimming {head} + {tail} frames from a source of {total} frames"),
                help: format!(
                    "trim at most {total} frames in all, head and tail together (the source's length)"
                ),
            })?;
        Ok(Self {
            source,
            head,
            frames: kept,
            position: 0,
            skipped: false,
        })
    }
}

impl<S: Source> Source for Trim<S> {
    fn channels(&self) -> usize {
        self.source.channels()
    }
    fn frames(&self) -> u64 {
        self.frames
    }
    /// Skips in the source itself (a file seeks), within what is kept.
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let wanted = frames.min(self.frames - self.position);
        let skip_head = if self.skipped { 0 } else { self.head };
        self.skipped = true;
        let skipped = self
            .source
            .skip(skip_head + wanted)?
            .saturating_sub(skip_head);
        self.position += skipped;
        Ok(skipped)
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        if !self.skipped {
            self.source.skip(self.head)?;
            self.skipped = true;
        }
        let channels = self.source.channels();
        let want = ((out.len() / channels) as u64).min(self.frames - self.position) as usize;
        if want == 0 {
            return Ok(0);
        }
        let got = self.source.read(&mut out[..want * channels])?;
        self.position += got as u64;
        Ok(got)
    }
}
