//! Command-line arguments, parsed by clap's derive API.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// sndtrk: build film soundtrack deliverables from a recipe.
#[derive(Debug, Parser)]
#[command(name = "sndtrk", version, about, long_about = None)]
pub struct Arguments {
    /// Run as if started in DIR (like `make -C`); the recipe is DIR/soundtrack.sndtrk.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; each lives in its own file under `src/subcommand/`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Remove the rendered deliverables (DIR/out/); the cache keeps them, so
    /// the next build restores them without rendering.
    Clean,
    /// Manage the content-addressed cache in DIR/.sndtrk/.
    Cache {
        #[command(subcommand)]
        command: CacheCommand,
    },
}

/// `sndtrk cache` subcommands.
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Shrink the cache: remove objects no build refers to, then the least
    /// recently used until the cache fits in --max-size.
    Gc {
        /// The most the cache may hold afterwards, e.g. 10GiB or 500MB.
        #[arg(long, value_name = "SIZE", value_parser = crate::byte_size::parse_size)]
        max_size: Option<u64>,
    },
}
