//! The audio core: streaming WAV I/O, placement, buses, layouts and downmix,
//! loudness, normalisation, resampling and dither.
//!
//! Audio moves between stages as blocks of interleaved `f32` frames.

pub mod adm;
pub mod bext;
pub(crate) mod block_energy;
pub mod bs2127;
pub(crate) mod bus;
pub(crate) mod channel_role;
pub mod chunk_stats;
pub mod clip;
pub(crate) mod convert;
pub mod dialogue_gate;
pub mod dither;
pub mod dsp_error;
pub(crate) mod error;
pub(crate) mod fade;
pub(crate) mod gain;
mod generator;
pub(crate) mod interleave;
#[cfg(all(test, feature = "interop"))]
mod interop_tools;
pub(crate) mod k_weighting;
pub(crate) mod layout;
pub mod loudness;
pub(crate) mod loudness_range;
pub mod matrix;
pub mod measure;
pub(crate) mod noise;
pub(crate) mod normalize;
pub(crate) mod pan;
pub mod pan_law;
pub mod pan_ring;
pub(crate) mod peak_limiter;
pub(crate) mod place;
pub mod read_tap;
pub mod resample;
pub(crate) mod resampled;
pub(crate) mod sample_format;
pub(crate) mod silence;
pub mod source;
pub(crate) mod tone;
pub(crate) mod trim;
pub(crate) mod true_peak;
pub(crate) mod wav_format;
pub(crate) mod wav_reader;
pub(crate) mod wav_writer;

pub use bus::Bus;
pub use convert::Convert;
pub use error::AudioError;
pub use fade::{Fade, FadeShape};
pub use gain::Gain;
pub use interleave::Interleave;
pub use layout::ChannelLayout;
pub use matrix::Matrix;
pub use noise::{Noise, NoiseKind};
pub use pan::Pan;
pub use place::Place;
pub use resampled::Resampled;
pub use sample_format::SampleFormat;
pub use silence::Silence;
pub use source::{Source, BLOCK_FRAMES};
pub use tone::Tone;
pub use trim::Trim;
pub use wav_format::WavFormat;
pub use wav_reader::WavReader;
pub use wav_writer::{Chunk, WavEncoder, WavSpec, WavWriter, WriteSummary};
