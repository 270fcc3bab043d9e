//! One file per subcommand.

pub mod build;
pub mod cache;
pub mod check;
pub mod clean;
pub mod cuesheet;
pub mod fmt;
pub mod graph;
pub mod measure;
pub mod plan;
pub mod rights;
