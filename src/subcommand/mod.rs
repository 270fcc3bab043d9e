//! One file per subcommand.

pub mod measure;
