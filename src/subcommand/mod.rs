//! One file per subcommand.

pub mod check;
pub mod cuesheet;
pub mod rights;
