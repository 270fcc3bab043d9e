//! A loudspeaker renderer for immersive scenes, written from ITU-R
//! BS.2127 (the ADM renderer): a Dolby Atmos scene (a channel bed and
//! objects with room-centric cartesian positions) rendered to the
//! loudspeaker layouts sndtrk delivers (2.0, 5.1, 5.1.2, 7.1, 7.1.4).
//!
//! The parts, one file each:
//!
//! - [`target`]: the target layouts, each loudspeaker with its sndtrk label
//!   (WAV order), its ITU-R BS.2051 name and nominal direction, and the
//!   allocentric position BS.2127 gives it for cartesian rendering;
//! - [`allocentric`]: the allocentric point-source panner (cartesian
//!   positions, `cartesian=1`);
//! - [`object_gains`]: one object block's gains (coordinate clipping, the
//!   panner, the block's gain, silent LFE);
//! - [`direct_speakers`]: a bed channel's gains (same label, same position,
//!   LFE to LFE, else the allocentric panner at the channel's position);
//! - [`interpolation`]: the gains of a sequence of object blocks over time
//!   (linear over a block, a jump over its interpolation length, none on the
//!   first block) applied to a mono signal;
//! - [`stream`]: the same, as a [`crate::audio::Source`] read block by
//!   block (a scene's re-render);
//! - [`bed_labels`]: the Dolby Atmos Master ADM Profile's bed channels
//!   (`RC_` labels and their positions) by sndtrk bed label.
//!
//! Only what a Dolby Atmos master uses is implemented: no polar
//! (egocentric) positions, extent, divergence, diffuseness, screen
//! scaling, zone exclusion or channel lock, and no HOA or matrix types.

pub mod allocentric;
pub mod bed_labels;
pub mod direct_speakers;
pub mod error;
pub mod interpolation;
pub mod object_gains;
pub mod stream;
pub mod target;

#[cfg(test)]
mod tests;

pub use allocentric::AllocentricPanner;
pub use direct_speakers::{bed_channel_gains, render_bed_channel, BedChannel};
pub use error::RenderError;
pub use interpolation::{render_object, ObjectBlock};
pub use object_gains::object_gains;
pub use stream::{ObjectPanner, ObjectStream};
pub use target::{Position, Speaker, TargetLayout};
