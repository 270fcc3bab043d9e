//! Gain in decibels applied to a source.

use super::{error::AudioError, source::Source};

/// The linear amplitude factor of `db` decibels: 10^(db/20).
pub fn db_to_gain(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// Checks that a decibel value is finite and not absurd (|db| ≤ 200).
pub fn check_db(what: &'static str, db: f64) -> Result<(), AudioError> {
    if db.is_finite() && db.abs() <= 200.0 {
        Ok(())
    } else {
        Err(AudioError::InvalidValue {
            what,
            detail: format!("{db} dB (expected a finite value within ±200 dB)"),
            help: format!("give a {what} that is finite and within ±200 dB"),
        })
    }
}

/// A source scaled by a fixed gain.
pub struct Gain<S> {
    source: S,
    factor: f32,
}

impl<S: Source> Gain<S> {
    /// Scales `source` by `db` decibels.
    pub fn new(source: S, db: f64) -> Result<Self, AudioError> {
        check_db("gain", db)?;
        Ok(Self {
            source,
            factor: db_to_gain(db),
        })
    }

    /// The linear factor applied.
    pub fn factor(&self) -> f32 {
        self.factor
    }
}

impl<S: Source> Source for Gain<S> {
    fn channels(&self) -> usize {
        self.source.channels()
    }
    fn frames(&self) -> u64 {
        self.source.frames()
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let frames = self.source.read(out)?;
        for sample in &mut out[..frames * self.source.channels()] {
            *sample *= self.factor;
        }
        Ok(frames)
    }
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        self.source.skip(frames)
    }
}
