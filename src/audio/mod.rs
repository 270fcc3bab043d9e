//! The audio core: streaming WAV I/O, placement, buses, layouts and downmix,
//! loudness, normalisation, resampling and dither.
//!
//! Audio moves between stages as blocks of interleaved `f32` frames.

pub mod bext;
pub mod block_energy;
pub mod bus;
pub mod channel_role;
pub mod convert;
pub mod dialogue_gate;
pub mod dither;
pub mod dsp_error;
pub mod error;
pub mod fade;
pub mod gain;
mod generator;
#[cfg(all(test, feature = "interop"))]
mod interop_tools;
pub mod layout;
pub mod loudness;
pub mod loudness_range;
pub mod matrix;
pub mod measure;
pub mod noise;
pub mod normalize;
pub mod pan;
pub mod peak_limiter;
pub mod place;
pub mod read_tap;
pub mod resample;
pub mod sample_format;
pub mod silence;
pub mod source;
pub mod tone;
pub mod trim;
pub mod true_peak;
pub mod wav_format;
pub mod wav_reader;
pub mod wav_writer;

pub use bus::Bus;
pub use convert::Convert;
pub use error::AudioError;
pub use fade::{Fade, FadeShape};
pub use gain::Gain;
pub use layout::ChannelLayout;
pub use matrix::Matrix;
pub use noise::{Noise, NoiseKind};
pub use pan::Pan;
pub use place::Place;
pub use sample_format::SampleFormat;
pub use silence::Silence;
pub use source::{Source, BLOCK_FRAMES};
pub use tone::Tone;
pub use trim::Trim;
pub use wav_format::WavFormat;
pub use wav_reader::WavReader;
pub use wav_writer::{WavEncoder, WavSpec, WavWriter, WriteSummary};
