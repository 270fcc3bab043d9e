//! The audio core: streaming WAV I/O, placement, buses, layouts and downmix,
//! loudness, normalisation, resampling and dither.
//!
//! Audio moves between stages as blocks of interleaved `f32` frames.

pub mod block_energy;
pub mod channel_role;
pub mod dialogue_gate;
pub mod dither;
pub mod dsp_error;
pub mod loudness;
pub mod loudness_range;
pub mod normalize;
pub mod peak_limiter;
pub mod resample;
pub mod true_peak;
