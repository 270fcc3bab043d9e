//! One file per subcommand.

pub mod build;
pub mod check;
pub mod fmt;
pub mod graph;
pub mod measure;
pub mod plan;
