//! One file per subcommand.

pub(crate) mod build;
pub(crate) mod cache;
pub(crate) mod check;
pub(crate) mod clean;
pub(crate) mod cuesheet;
pub(crate) mod diff;
pub mod fmt;
pub(crate) mod graph;
pub(crate) mod lsp;
pub(crate) mod measure;
pub(crate) mod plan;
pub(crate) mod rights;
pub(crate) mod schedule;
