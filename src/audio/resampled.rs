//! A source resampled to another rate as it is read, with the length and
//! quality of [`crate::audio::resample::Resampler`] (the album path's).

use super::{
    error::AudioError,
    resample::{resampled_len, Resampler},
    source::{Source, BLOCK_FRAMES},
};

/// `source` at `from_hz`, read at `to_hz`.
pub struct Resampled {
    source: Box<dyn Source>,
    resampler: Resampler,
    frames: u64,
    /// Output frames ready to be read, and how many of them were read.
    ready: Vec<f32>,
    taken: usize,
    input: Vec<f32>,
    finished: bool,
}

impl Resampled {
    /// Resamples `source` from `from_hz` to `to_hz`.
    pub fn new(source: Box<dyn Source>, from_hz: u32, to_hz: u32) -> Result<Self, AudioError> {
        let channels = source.channels();
        let resampler =
            Resampler::new(from_hz, to_hz, channels).map_err(|error| AudioError::InvalidValue {
                what: "resampler",
                detail: error.to_string(),
                help: "export the source at a common rate (44.1, 48, 88.2, 96 or 192 kHz)".into(),
            })?;
        Ok(Self {
            frames: resampled_len(source.frames(), from_hz, to_hz),
            source,
            resampler,
            ready: Vec::new(),
            taken: 0,
            input: vec![0.0; BLOCK_FRAMES * channels],
            finished: false,
        })
    }

    fn refill(&mut self) -> Result<(), AudioError> {
        let channels = self.source.channels();
        self.ready.clear();
        self.taken = 0;
        while self.ready.is_empty() && !self.finished {
            let got = self.source.read(&mut self.input)?;
            let error = |error: crate::audio::dsp_error::DspError| AudioError::InvalidValue {
                what: "resampler",
                detail: error.to_string(),
                help: "export the source at the project's rate".into(),
            };
            if got == 0 {
                self.resampler.finish(&mut self.ready).map_err(error)?;
                self.finished = true;
            } else {
                self.resampler
                    .process(&self.input[..got * channels], &mut self.ready)
                    .map_err(error)?;
            }
        }
        Ok(())
    }
}

impl Source for Resampled {
    fn channels(&self) -> usize {
        self.source.channels()
    }

    fn frames(&self) -> u64 {
        self.frames
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.channels();
        let want = out.len() / channels * channels;
        let mut written = 0;
        while written < want {
            if self.taken == self.ready.len() {
                if self.finished {
                    break;
                }
                self.refill()?;
                continue;
            }
            let n = (want - written).min(self.ready.len() - self.taken);
            out[written..written + n].copy_from_slice(&self.ready[self.taken..self.taken + n]);
            self.taken += n;
            written += n;
        }
        Ok(written / channels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{read_to_end, Buffer};

    #[test]
    fn a_sine_keeps_its_pitch_and_its_length() {
        let (from, to) = (96_000u32, 48_000u32);
        let frames = 96_000;
        let sine: Vec<f32> = (0..frames)
            .map(|n| (std::f64::consts::TAU * 1000.0 * n as f64 / f64::from(from)).sin() as f32)
            .collect();
        let source = Box::new(Buffer::new(sine, 1).unwrap());
        let mut resampled = Resampled::new(source, from, to).unwrap();
        assert_eq!(resampled.frames(), 48_000);
        let out = read_to_end(&mut resampled).unwrap();
        assert_eq!(out.len(), 48_000);
        for (n, sample) in out.iter().enumerate().skip(500).take(47_000) {
            let expected = (std::f64::consts::TAU * 1000.0 * n as f64 / f64::from(to)).sin();
            assert!((f64::from(*sample) - expected).abs() < 1e-3, "{n}");
        }
    }
}
