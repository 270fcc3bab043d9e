//! What the command line resolves to before a subcommand runs.

use std::path::PathBuf;

/// The project directory and the recipe in it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project directory (`-C DIR`, else the working directory).
    pub directory: PathBuf,
    /// Whether `-C DIR` was given (paths on the command line are then
    /// relative to DIR).
    pub explicit: bool,
}

pub use crate::project::walk::RECIPE_FILE;

impl Config {
    pub fn new(directory: Option<PathBuf>) -> Self {
        Self {
            explicit: directory.is_some(),
            directory: directory.unwrap_or_else(|| PathBuf::from(".")),
        }
    }

    /// The directory given with `-C`, if any.
    pub fn given_directory(&self) -> Option<&std::path::Path> {
        self.explicit.then_some(self.directory.as_path())
    }

    /// `DIR/soundtrack.sndtrk`, written relative to DIR as given.
    pub fn recipe_path(&self) -> PathBuf {
        if !self.explicit {
            PathBuf::from(RECIPE_FILE)
        } else {
            self.directory.join(RECIPE_FILE)
        }
    }
}
