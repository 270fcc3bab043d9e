//! The command-line driver: arguments to configuration to subcommand.

pub(crate) mod arguments;
pub mod byte_size;
mod remote;
pub mod report;
pub mod subcommand;

use clap::Parser;

use crate::{
    cli::arguments::{Arguments, Command},
    cli::report::{report_handler, EXIT_OK, EXIT_USAGE},
    project::config::Config,
};

/// Parses the process arguments, runs the subcommand and returns the exit code.
pub fn run() -> i32 {
    let arguments = match Arguments::try_parse() {
        Ok(arguments) => arguments,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            };
            let _ = error.print();
            return code;
        }
    };
    install_report_handler();
    let config = Config::new(arguments.directory);
    match &arguments.command {
        Command::Check(args) => subcommand::check::run(&config, args),
        Command::Cuesheet(args) => subcommand::cuesheet::run(&config, args),
        Command::Rights(args) => subcommand::rights::run(&config, args),
        Command::Build(args) => subcommand::build::run(&config, args),
        Command::Plan(args) => subcommand::plan::run(&config, args),
        Command::Diff(args) => subcommand::diff::run(&config, args),
        Command::Graph(args) => subcommand::graph::run(&config, args),
        Command::Schedule(args) => subcommand::schedule::run(&config, args),
        Command::Fmt(args) => subcommand::fmt::run(config.given_directory(), args),
        Command::Measure(args) => subcommand::measure::run(config.given_directory(), args),
        Command::Clean => subcommand::clean::run(&config.directory),
        Command::Lsp => subcommand::lsp::run(),
        Command::Cache { command } => subcommand::cache::run(&config.directory, *command),
    }
}

/// Installs miette's graphical handler for the binary's human output.
fn install_report_handler() {
    let _ = miette::set_hook(Box::new(|_| Box::new(report_handler())));
}
