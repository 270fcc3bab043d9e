//! What a WAV file holds, as reported by the reader.

use super::{layout::ChannelLayout, sample_format::SampleFormat};

/// The format of a WAV file: rate, channels, encoding, speaker mask, length
/// and Broadcast WAV time reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavFormat {
    /// Frames per second.
    pub sample_rate: u32,
    /// Channels per frame.
    pub channels: usize,
    /// Sample encoding.
    pub sample_format: SampleFormat,
    /// WAVE_FORMAT_EXTENSIBLE channel mask; 0 when absent or unassigned.
    pub channel_mask: u32,
    /// Whether the format chunk is WAVE_FORMAT_EXTENSIBLE.
    pub extensible: bool,
    /// Length in frames.
    pub frames: u64,
    /// `bext` time reference (samples since midnight), if the file has one.
    pub time_reference: Option<u64>,
}

impl WavFormat {
    /// Bits per sample.
    pub fn bits(&self) -> u16 {
        self.sample_format.bits()
    }

    /// Whether samples are floating point.
    pub fn is_float(&self) -> bool {
        self.sample_format.is_float()
    }

    /// The channel layout the mask and channel count describe.
    pub fn layout(&self) -> ChannelLayout {
        ChannelLayout::from_wav_mask(self.channel_mask, self.channels)
    }

    /// Length in seconds.
    pub fn duration_seconds(&self) -> f64 {
        self.frames as f64 / f64::from(self.sample_rate)
    }
}
