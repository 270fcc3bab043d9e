//! The ADM BWF master of an immersive scene (ITU-R BS.2076 metadata in a
//! BW64 file, ITU-R BS.2088), as the Dolby Atmos Master ADM Profile
//! constrains it: the bed's channels in the profile's order, then one track
//! per object; a `chna` chunk ([`chna`]) naming each track's audioTrackUID,
//! audioTrackFormat and audioPackFormat, and an `axml` chunk ([`axml`])
//! holding the XML. An object's movement becomes audioBlockFormats on a
//! sample-exact grid ([`blocks`]); the bed's channels are DirectSpeakers
//! with the profile's `RC_` labels and positions ([`bed`]).
//!
//! The sample data is written by the WAV writer like any deliverable's
//! (RF64 with `ds64` past 4 GiB); this module makes the two chunks.

pub mod axml;
pub mod bed;
pub mod blocks;
pub mod chna;

pub use blocks::{compile, Block, Point};
