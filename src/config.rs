//! What the command line resolves to before a subcommand runs.

use std::path::PathBuf;

/// The project directory and the recipe in it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project directory (`-C DIR`, else the working directory).
    pub directory: PathBuf,
}

/// The name of a project's recipe file.
pub const RECIPE_FILE: &str = "soundtrack.sndtrk";

impl Config {
    pub fn new(directory: Option<PathBuf>) -> Self {
        Self {
            directory: directory.unwrap_or_else(|| PathBuf::from(".")),
        }
    }

    /// `DIR/soundtrack.sndtrk`, written relative to DIR as given.
    pub fn recipe_path(&self) -> PathBuf {
        if self.directory == std::path::Path::new(".") {
            PathBuf::from(RECIPE_FILE)
        } else {
            self.directory.join(RECIPE_FILE)
        }
    }
}
