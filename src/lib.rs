//! sndtrk: a build tool and compiler for film soundtrack deliverables.
//!
//! The modules read as the pipeline, in order:
//!
//! | module | stage |
//! |---|---|
//! | [`syntax`] | recipe text to a typed syntax tree with spans; the formatter |
//! | [`resolve`] | imports, names, units and ranges: the tree to a [`model`] |
//! | [`model`] | the resolved project, its timing, what reaches a target, clearances |
//! | [`lint`] | the review rules (rights, cue sheet, delivery) over the model |
//! | [`report`] | the cue sheet and the rights matrix |
//! | [`review`] | `sndtrk diff`: two revisions of a project compared for code review |
//! | [`lower`] | the one place that decides which render stages exist |
//! | [`stages`] | what each render stage does, with the [`audio`] core |
//! | [`engine`] | the generic build engine: keys, store, state, scheduler |
//! | [`audio`] | WAV I/O and every audio operation |
//! | [`diagnostic`] | the one diagnostic type every error uses |
//! | [`emit`] | diagnostics as JSON, and (feature `cli`) human text, SARIF or GitHub annotations |
//! | [`project`] | a project on disk, loaded for the commands that render it |
//! | `lsp` | the language server, `sndtrk lsp` (feature `lsp`, part of `cli`) |
//! | `cli` | the command line (feature `cli`) |

pub mod audio;
pub mod diagnostic;
pub mod emit;
pub mod engine;
pub mod lint;
pub mod lower;
pub mod model;
pub mod project;
pub mod report;
pub mod resolve;
pub mod review;
pub mod stages;
pub mod syntax;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "lsp")]
pub mod lsp;
