//! The pest parser generated from `grammar/sndtrk.pest`.

#![allow(missing_docs)]

use pest_derive::Parser;

/// The parser for `.sndtrk` recipes; its rules are documented in the grammar.
#[derive(Parser)]
#[grammar = "../grammar/sndtrk.pest"]
pub struct SndtrkParser;
