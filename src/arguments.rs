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
    /// Rewrite recipes in the one canonical layout.
    Fmt(FmtArgs),
}

/// Arguments of `sndtrk fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing: list the files that would change and exit 1 if any would.
    #[arg(long)]
    pub check: bool,

    /// Recipe files, or directories to search for `*.sndtrk` files
    /// [default: DIR/soundtrack.sndtrk].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}
