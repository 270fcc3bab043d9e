//! `sndtrk rights`: print the clearance matrix.

use crate::{
    cli::arguments::{RightsArgs, RightsFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    diagnostic::Severity,
    emit,
    project::config::Config,
    report::rights,
    resolve::{resolve_path, Resolved},
};

/// Prints the clearance matrix of the project's recipe; exit 1 when the
/// recipe does not resolve (a blocked use is reported, not a failure: `check`
/// fails on it).
pub fn run(config: &Config, args: &RightsArgs) -> i32 {
    let Some(resolved) = resolve_or_report(config) else {
        return EXIT_FAILURE;
    };
    let entries = rights::matrix(&resolved.model);
    match args.format {
        RightsFormat::Human => print!("{}", rights::to_human(&entries)),
        RightsFormat::Json => print!("{}", rights::to_json(&entries)),
    }
    EXIT_OK
}

/// Resolves the project's recipe; on errors, prints them (as `check` does)
/// and returns `None`: a report on a recipe that does not resolve would be
/// wrong.
pub fn resolve_or_report(config: &Config) -> Option<Resolved> {
    let resolved = resolve_path(&config.recipe_path());
    if !resolved.has_errors() {
        return Some(resolved);
    }
    let errors: Vec<_> = resolved
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .collect();
    for diagnostic in &errors {
        eprint!(
            "{}",
            emit::human::render(&resolved.model.sources, diagnostic)
        );
        eprintln!();
    }
    eprintln!("{}", emit::human::summary(errors.len(), 0));
    None
}
