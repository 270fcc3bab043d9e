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
pub enum Command {}
