//! One file per subcommand.

pub mod build;
pub mod check;
pub mod measure;
