//! One file per subcommand.

pub mod check;
pub mod cuesheet;
pub mod measure;
pub mod rights;
