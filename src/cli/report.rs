//! What the binary prints when something fails, and its exit codes: shared
//! by every subcommand, so they depend on this file and not on the driver.

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when a diagnostic of error severity was reported or a build failed.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a usage error.
pub const EXIT_USAGE: i32 = 2;

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
