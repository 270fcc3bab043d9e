//! One file per subcommand.

pub mod cache;
pub mod clean;
