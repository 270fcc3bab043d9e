//! sndtrk: a build tool and compiler for film soundtrack deliverables.
//!
//! The pipeline, one stage per module: a recipe is parsed (`parse`) into a
//! typed syntax tree (`ast`), resolved against its imports and the standard
//! library (`resolve`) into a `model`, linted, lowered to a graph of render
//! stages, fingerprinted and rendered with the `audio` core.

pub mod audio;

#[cfg(feature = "cli")]
pub mod arguments;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod subcommand;

pub mod ast;
pub mod comment;
pub mod diagnostic;
pub mod format;
pub mod grammar;
pub mod keyword;
pub mod parse;
pub mod source;
pub mod span;
pub mod syntax_error;
pub mod unit;
pub mod walk;
