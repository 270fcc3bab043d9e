//! Fades in and out, linear or equal-power.
//!
//! Over a fade of N frames, frame n of the fade-in has gain g(n/N) and the
//! k-th last frame of the fade-out has gain g((k-1)/N), so the first frame of
//! a fade-in and the last of a fade-out are silent. Linear: g(x) = x.
//! Equal-power: g(x) = sin(x·π/2), so a fade-out crossed with a fade-in of
//! the same length keeps constant power (sin² + cos² = 1).

use super::{error::AudioError, source::Source};

/// The gain curve of a fade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FadeShape {
    /// Gain rises in proportion to time.
    Linear,
    /// Gain follows a quarter sine, keeping power constant across a crossfade.
    EqualPower,
}

impl FadeShape {
    /// The gain at fraction `x` (0 to 1) of the fade.
    pub fn gain(self, x: f64) -> f32 {
        match self {
            Self::Linear => x as f32,
            Self::EqualPower => (x * std::f64::consts::FRAC_PI_2).sin() as f32,
        }
    }
}

/// A source with a fade-in at its start and a fade-out at its end.
pub struct Fade<S> {
    source: S,
    fade_in: u64,
    fade_out: u64,
    shape: FadeShape,
    position: u64,
}

impl<S: Source> Fade<S> {
    /// Fades `source` in over `fade_in` frames and out over `fade_out`
    /// frames; an error if either fade is longer than the source.
    pub fn new(
        source: S,
        fade_in: u64,
        fade_out: u64,
        shape: FadeShape,
    ) -> Result<Self, AudioError> {
        let total = source.frames();
        if fade_in > total || fade_out > total {
            return Err(AudioError::InvalidValue {
                what: "fade",
                detail: format!(
                    "a fade of {} frames on a source of {total} frames",
                    fade_in.max(fade_out)
                ),
                help: format!("give fades of at most {total} frames, the source's length"),
            });
        }
        Ok(Self {
            source,
            fade_in,
            fade_out,
            shape,
            position: 0,
        })
    }

    fn gain_at(&self, frame: u64) -> f32 {
        let mut gain = 1.0f32;
        if frame < self.fade_in {
            gain *= self.shape.gain(frame as f64 / self.fade_in as f64);
        }
        let total = self.source.frames();
        if frame + self.fade_out >= total {
            let remaining = total - frame - 1;
            gain *= self.shape.gain(remaining as f64 / self.fade_out as f64);
        }
        gain
    }
}

impl<S: Source> Source for Fade<S> {
    fn channels(&self) -> usize {
        self.source.channels()
    }
    fn frames(&self) -> u64 {
        self.source.frames()
    }
    /// Skips in the source itself (a file seeks); the gains count from
    /// the position skipped to.
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let skipped = self.source.skip(frames)?;
        self.position += skipped;
        Ok(skipped)
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.source.channels();
        let frames = self.source.read(out)?;
        let total = self.source.frames();
        let start = self.position;
        let end = start + frames as u64;
        let in_fade = start < self.fade_in;
        let out_fade = self.fade_out > 0 && end + self.fade_out > total;
        if in_fade || out_fade {
            for (i, frame) in out[..frames * channels]
                .chunks_exact_mut(channels)
                .enumerate()
            {
                let gain = self.gain_at(start + i as u64);
                for sample in frame {
                    *sample *= gain;
                }
            }
        }
        self.position = end;
        Ok(frames)
    }
}
