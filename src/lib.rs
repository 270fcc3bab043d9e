//! sndtrk: a build tool and compiler for film soundtrack deliverables.
//!
//! The pipeline, one stage per module: a recipe is parsed (`parse`) into a
//! typed syntax tree (`ast`), resolved against its imports and the standard
//! library (`resolve`) into a `model`, linted, lowered to a graph of render
//! stages, fingerprinted and rendered with the `audio` core.

pub mod atomic_file;
pub mod audio;
pub mod byte_size;
pub mod db;
pub mod engine_error;
pub mod fingerprint;
pub mod hash;
pub mod lock;
pub mod outcome;
pub mod progress;
pub mod read_tap;
pub mod stage;
pub mod stage_graph;
pub mod store;
pub mod versioned_file;
pub mod work;
pub mod writeback;

#[cfg(feature = "cli")]
pub mod arguments;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod subcommand;

pub mod ast;
pub mod clearance;
pub mod comment;
pub mod config;
pub mod conformance;
pub mod cuesheet;
pub mod delivery;
pub mod diagnostic;
pub mod follow;
pub mod format;
pub mod grammar;
pub mod keyword;
pub mod lint;
pub mod lower;
pub mod mix;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod project;
pub mod reach;
pub mod render;
pub mod resolve;
pub mod rights;
pub mod source;
pub mod source_digest;
pub mod span;
pub mod stages;
pub mod stdlib;
pub mod syntax_error;
pub mod timing;
pub mod unit;
pub mod walk;
pub mod wav_header;
