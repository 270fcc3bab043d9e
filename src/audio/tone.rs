//! Sine tone generator, and the 2-pop built from it.

use super::{error::AudioError, generator, source::Source};
use crate::model::time::FrameRate;

/// A sine tone at a peak level in dBFS, the same signal in every channel.
///
/// Sample n is `10^(level/20) · sin(2π · frac(f·n/rate))`, computed in `f64`
/// (the phase is reduced to one cycle before the sine so long tones stay
/// exact), starting at phase 0.
pub struct Tone {
    channels: usize,
    sample_rate: u32,
    frequency: f64,
    amplitude: f64,
    frames: u64,
    position: u64,
}

impl Tone {
    /// A tone of `frequency` Hz at `level_dbfs` (peak, at most 0 dBFS)
    /// lasting `frames` frames.
    pub fn new(
        sample_rate: u32,
        channels: usize,
        frequency: f64,
        level_dbfs: f64,
        frames: u64,
    ) -> Result<Self, AudioError> {
        generator::check_shape("tone", sample_rate, channels)?;
        let nyquist = f64::from(sample_rate) / 2.0;
        if !(frequency > 0.0 && frequency < nyquist) {
            return Err(AudioError::InvalidValue {
                what: "tone frequency",
                detail: format!("{frequency} Hz (expected above 0 and below {nyquist} Hz)"),
                help: format!(
                    "give a tone frequency above 0 Hz and below {nyquist} Hz, half the sample rate"
                ),
            });
        }
        generator::check_level("tone level", level_dbfs, "peak")?;
        Ok(Self {
            channels,
            sample_rate,
            frequency,
            amplitude: 10f64.powf(level_dbfs / 20.0),
            frames,
            position: 0,
        })
    }

    /// A 2-pop: one picture frame of 1 kHz at `level_dbfs`, the sync mark
    /// placed two seconds before the first frame of action.
    pub fn two_pop(
        sample_rate: u32,
        channels: usize,
        frame_rate: FrameRate,
        level_dbfs: f64,
    ) -> Result<Self, AudioError> {
        let frames = frame_rate.frame_to_samples(1, sample_rate);
        Self::new(sample_rate, channels, 1000.0, level_dbfs, frames)
    }
}

impl Source for Tone {
    fn channels(&self) -> usize {
        self.channels
    }
    fn frames(&self) -> u64 {
        self.frames
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let frames = ((out.len() / self.channels) as u64).min(self.frames - self.position) as usize;
        let rate = f64::from(self.sample_rate);
        for (i, frame) in out[..frames * self.channels]
            .chunks_exact_mut(self.channels)
            .enumerate()
        {
            let n = (self.position + i as u64) as f64;
            let cycles = (self.frequency * n / rate).fract();
            let sample = (self.amplitude * (std::f64::consts::TAU * cycles).sin()) as f32;
            frame.fill(sample);
        }
        self.position += frames as u64;
        Ok(frames)
    }
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let skipped = frames.min(self.frames - self.position);
        self.position += skipped;
        Ok(skipped)
    }
}
