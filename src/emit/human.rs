//! Diagnostics for people: miette's graphical rendering with the source.

use crate::{diagnostic::Diagnostic, syntax::source::Sources};

/// Renders one diagnostic with its source snippet, as the terminal shows it.
pub fn render(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let report = miette::Report::new(diagnostic.report(sources));
    format!("{report:?}")
}

/// The closing summary line, such as `2 errors, 1 warning`.
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |count: usize, word: &str| {
        if count == 1 {
            format!("{count} {word}")
        } else {
            format!("{count} {word}s")
        }
    };
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
