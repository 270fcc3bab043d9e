//! The command-line driver: arguments to configuration to subcommand.

pub mod arguments;
pub mod byte_size;
pub mod subcommand;

use clap::Parser;

use crate::{
    cli::arguments::{Arguments, Command},
    project::config::Config,
};

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when a diagnostic of error severity was reported or a build failed.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage error.
pub const EXIT_USAGE: i32 = 2;

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
        Command::Graph(args) => subcommand::graph::run(&config, args),
        Command::Fmt(args) => subcommand::fmt::run(config.given_directory(), args),
        Command::Measure(args) => subcommand::measure::run(config.given_directory(), args),
        Command::Clean => subcommand::clean::run(&config.directory),
        Command::Cache { command } => subcommand::cache::run(&config.directory, *command),
    }
}

/// Prints an error diagnostic on standard error and returns [`EXIT_FAILURE`].
pub fn report_error(error: impl miette::Diagnostic + Send + Sync + 'static) -> i32 {
    eprintln!("{:?}", miette::Report::new(error));
    EXIT_FAILURE
}

/// Says, on standard error, that another sndtrk holds the project lock and
/// this one waits for it.
pub fn say_waiting(lock: &std::path::Path) {
    eprintln!(
        "sndtrk: waiting for another sndtrk to finish in this project (lock {})",
        lock.display()
    );
}

/// Installs miette's graphical handler for the binary's human output.
fn install_report_handler() {
    let _ = miette::set_hook(Box::new(|_| Box::new(report_handler())));
}

/// The handler the binary renders every report with.
pub fn report_handler() -> miette::MietteHandler {
    miette::MietteHandlerOpts::new()
        .terminal_links(false)
        .unicode(true)
        .context_lines(1)
        // Dates (2027-03-14) and codes stay whole on one line.
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .build()
}

/// A diagnostic as the binary prints it on standard error (without colour
/// when standard error is not a terminal).
pub fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    struct Shown<'a>(&'a dyn miette::Diagnostic, miette::MietteHandler);
    impl std::fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            miette::ReportHandler::debug(&self.1, self.0, f)
        }
    }
    Shown(diagnostic, report_handler()).to_string()
}
