//! Clipped samples: samples at digital full scale, counted as a stream.
//!
//! A sample is **at full scale** when it holds the largest or smallest
//! value its encoding can hold:
//!
//! | encoding | positive full scale | negative full scale |
//! |---|---|---|
//! | 16-bit integer | +32767 | −32768 |
//! | 24-bit integer | +8388607 | −8388608 |
//! | 32-bit float | ≥ +1.0 | ≤ −1.0 |
//!
//! Integer samples reach sndtrk as `f32` divided by 2^(bits−1) (see
//! [`crate::audio::sample_format`]), exactly, so +8388607 arrives as
//! 8388607/8388608 and −8388608 as −1.0: the thresholds below are those
//! exact values. Every channel's sample counts on its own: a frame clipped
//! on both channels of a stereo file is two clipped samples.

use crate::audio::sample_format::SampleFormat;

/// The smallest decoded value that is positive full scale in `format`.
pub fn positive_full_scale(format: SampleFormat) -> f32 {
    match format {
        SampleFormat::Int16 => 32_767.0 / 32_768.0,
        SampleFormat::Int24 => 8_388_607.0 / 8_388_608.0,
        SampleFormat::Float32 => 1.0,
    }
}

/// Whether a decoded sample of `format` is at full scale.
pub fn is_full_scale(sample: f32, format: SampleFormat) -> bool {
    sample >= positive_full_scale(format) || sample <= -1.0
}

/// Counts the samples at full scale in a stream of interleaved frames and
/// finds the first frame holding one.
#[derive(Debug, Clone)]
pub struct ClipCounter {
    channels: usize,
    positive: f32,
    frames: u64,
    clipped: u64,
    first: Option<u64>,
}

impl ClipCounter {
    /// A counter for `channels`-channel audio decoded from `format`.
    pub fn new(channels: usize, format: SampleFormat) -> Self {
        Self {
            channels: channels.max(1),
            positive: positive_full_scale(format),
            frames: 0,
            clipped: 0,
            first: None,
        }
    }

    /// Feeds a block of whole interleaved frames.
    pub fn push(&mut self, block: &[f32]) {
        let positive = self.positive;
        let at_full_scale = |sample: &f32| *sample >= positive || *sample <= -1.0;
        let clipped = block.iter().filter(|sample| at_full_scale(sample)).count() as u64;
        if clipped > 0 && self.first.is_none() {
            if let Some(index) = block.iter().position(at_full_scale) {
                self.first = Some(self.frames + (index / self.channels) as u64);
            }
        }
        self.clipped += clipped;
        self.frames += (block.len() / self.channels) as u64;
    }

    /// Samples at full scale so far.
    pub fn clipped(&self) -> u64 {
        self.clipped
    }

    /// The first frame (from 0) holding a sample at full scale.
    pub fn first(&self) -> Option<u64> {
        self.first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_scale_is_the_largest_and_smallest_code() {
        let step24 = 1.0 / 8_388_608.0;
        let cases = [
            (SampleFormat::Int24, 8_388_607.0 * step24, true),
            (SampleFormat::Int24, 8_388_606.0 * step24, false),
            (SampleFormat::Int24, -1.0, true),
            (SampleFormat::Int24, -8_388_607.0 * step24, false),
            (SampleFormat::Int16, 32_767.0 / 32_768.0, true),
            (SampleFormat::Int16, 32_766.0 / 32_768.0, false),
            (SampleFormat::Int16, -1.0, true),
            (SampleFormat::Float32, 1.0, true),
            (SampleFormat::Float32, 8_388_607.0 * step24, false),
            (SampleFormat::Float32, -1.5, true),
            (SampleFormat::Float32, f32::NAN, false),
        ];
        for (format, sample, clipped) in cases {
            assert_eq!(
                is_full_scale(sample, format),
                clipped,
                "{format:?} {sample}"
            );
        }
    }

    #[test]
    fn the_counter_counts_samples_and_finds_the_first_frame() {
        let mut counter = ClipCounter::new(2, SampleFormat::Int24);
        counter.push(&[0.0, 0.5, 0.1, 0.2]);
        assert_eq!((counter.clipped(), counter.first()), (0, None));
        // Frames 2 and 3 of the stream: the right channel of frame 2 and
        // both channels of frame 3 are at full scale.
        counter.push(&[0.0, -1.0, 1.0, 1.0]);
        counter.push(&[-1.0, 0.0]);
        assert_eq!((counter.clipped(), counter.first()), (4, Some(2)));
    }
}
