//! One file per subcommand.

pub mod fmt;
