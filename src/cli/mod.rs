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

/// A reader that goes away (`sndtrk plan --format json | head`) ends the
/// process as it ends `cat`: quietly, by SIGPIPE, instead of a panic at
/// the next line printed. (Rust's runtime ignores SIGPIPE by default.)
fn quit_quietly_on_a_closed_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: setting a signal's disposition to the default before any
    // thread is started; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Parses the process arguments, runs the subcommand and returns the exit code.
pub fn run() -> i32 {
    quit_quietly_on_a_closed_pipe();
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
