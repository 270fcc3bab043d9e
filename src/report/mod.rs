//! The reports a recipe yields besides audio: the music cue sheet
//! (`cuesheet`) and the rights matrix (`rights`).

pub mod cuesheet;
pub mod ics;
pub mod qc;
pub mod rights;
pub mod schedule;
