//! A bus: the sum of any number of sources, each placed at a sample offset
//! with its own gain.
//!
//! Members are decoded block by block, in parallel (rayon) when asked, each
//! into its own buffer; the sum is then taken sequentially in member order,
//! so the output is bit-identical whatever the thread count.

use rayon::prelude::*;

use super::{
    error::AudioError,
    gain::{check_db, db_to_gain},
    source::Source,
};

struct Member {
    source: Box<dyn Source>,
    offset: u64,
    end: u64,
    gain: f32,
    scratch: Vec<f32>,
    /// Frames of this block, and where they go in the output block.
    pending: usize,
    at: usize,
}

impl Member {
    fn fill(&mut self, channels: usize) -> Result<(), AudioError> {
        let want = self.pending * channels;
        self.scratch.resize(want, 0.0);
        let mut filled = 0;
        while filled < want {
            let got = self.source.read(&mut self.scratch[filled..want])?;
            if got == 0 {
                // The source ended early: the rest is silence.
                self.scratch[filled..want].fill(0.0);
                break;
            }
            filled += got * channels;
        }
        Ok(())
    }
}

/// The sum of placed sources with per-member gain, as a source.
pub struct Bus {
    channels: usize,
    members: Vec<Member>,
    length: Option<u64>,
    position: u64,
    parallel: bool,
}

impl Bus {
    /// An empty bus of `channels` channels.
    pub fn new(channels: usize) -> Result<Self, AudioError> {
        if channels == 0 {
            return Err(AudioError::InvalidValue {
                what: "channel count",
                detail: "a bus needs at least one channel".into(),
                help: "give a channel count of at least 1".into(),
            });
        }
        Ok(Self {
            channels,
            members: Vec::new(),
            length: None,
            position: 0,
            parallel: false,
        })
    }

    /// Adds `source` starting at frame `offset` of the bus, scaled by
    /// `gain_db` decibels; an error if its channel count differs from the bus's.
    pub fn add(
        &mut self,
        source: Box<dyn Source>,
        offset: u64,
        gain_db: f64,
    ) -> Result<(), AudioError> {
        if source.channels() != self.channels {
            return Err(AudioError::ChannelCount {
                operation: format!("bus member {}", self.members.len() + 1),
                expected: self.channels,
                found: source.channels(),
            });
        }
        check_db("member gain", gain_db)?;
        let end = offset.saturating_add(source.frames());
        self.members.push(Member {
            source,
            offset,
            end,
            gain: db_to_gain(gain_db),
            scratch: Vec::new(),
            pending: 0,
            at: 0,
        });
        Ok(())
    }

    /// Fixes the bus length in frames (padding with silence or cutting);
    /// by default it ends where its last member ends.
    pub fn set_length(&mut self, frames: u64) {
        self.length = Some(frames);
    }

    /// Decodes members in parallel on rayon's pool. The output is identical
    /// either way.
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }
}

impl Source for Bus {
    fn channels(&self) -> usize {
        self.channels
    }

    fn frames(&self) -> u64 {
        self.length
            .unwrap_or_else(|| self.members.iter().map(|m| m.end).max().unwrap_or(0))
    }

    /// Skips in every member that plays in the frames skipped (a file
    /// seeks), so the frames after are mixed as in one pass.
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let start = self.position;
        let end = start.saturating_add(frames).min(self.frames());
        for member in &mut self.members {
            let from = member.offset.max(start);
            let to = member.end.min(end);
            if to > from {
                member.source.skip(to - from)?;
            }
        }
        self.position = end;
        Ok(end - start)
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.channels;
        let start = self.position;
        let frames =
            ((out.len() / channels) as u64).min(self.frames().saturating_sub(start)) as usize;
        let end = start + frames as u64;
        for member in &mut self.members {
            let from = member.offset.max(start);
            let to = member.end.min(end);
            member.pending = to.saturating_sub(from) as usize;
            member.at = from.saturating_sub(start) as usize;
        }
        let active = self.members.iter().filter(|m| m.pending > 0).count();
        if self.parallel && active > 1 {
            let results: Vec<Result<(), AudioError>> = self
                .members
                .par_iter_mut()
                .map(|m| {
                    if m.pending > 0 {
                        m.fill(channels)
                    } else {
                        Ok(())
                    }
                })
                .collect();
            results.into_iter().collect::<Result<(), AudioError>>()?;
        } else {
            for member in self.members.iter_mut().filter(|m| m.pending > 0) {
                member.fill(channels)?;
            }
        }
        let out = &mut out[..frames * channels];
        out.fill(0.0);
        for member in self.members.iter().filter(|m| m.pending > 0) {
            let target = &mut out[member.at * channels..(member.at + member.pending) * channels];
            let gain = member.gain;
            for (o, s) in target.iter_mut().zip(&member.scratch) {
                *o += gain * s;
            }
        }
        self.position = end;
        Ok(frames)
    }
}
