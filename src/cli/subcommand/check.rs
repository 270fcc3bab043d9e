//! `sndtrk check`: parse, resolve and lint recipes; report diagnostics.
//!
//! The lint rules run on a recipe that resolved without errors (a rule on a
//! half-resolved model would only echo the resolver's errors). The exit code
//! is 1 when any diagnostic of error severity remains after the recipe's
//! `lint` configuration and inline suppressions.

use std::path::PathBuf;

use crate::{
    cli::arguments::{CheckArgs, DiagnosticFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    cli::subcommand::schedule::open_state,
    diagnostic::{Diagnostic, Severity},
    emit,
    lint::{self, Scheduled},
    project::config::Config,
    project::status,
    resolve::{resolve_path, Resolved},
    syntax::ast::Date,
};

pub fn run(config: &Config, args: &CheckArgs) -> i32 {
    let files: Vec<PathBuf> = if args.paths.is_empty() {
        vec![config.recipe_path()]
    } else {
        let paths: Vec<PathBuf> = args
            .paths
            .iter()
            .map(|path| match config.given_directory() {
                Some(directory) if path.is_relative() => directory.join(path),
                _ => path.clone(),
            })
            .collect();
        match crate::project::walk::recipe_files(&paths) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("{:?}", miette::Report::new(error));
                return EXIT_FAILURE;
            }
        }
    };
    let mut results: Vec<(Resolved, Vec<Diagnostic>)> = files
        .iter()
        .map(|file| {
            let resolved = resolve_path(file);
            let diagnostics = crate::project::check::diagnostics(&resolved);
            (resolved, diagnostics)
        })
        .collect();
    // The project's own recipe is checked against its delivery schedule
    // too (S002), on `--today` or today's date.
    if args.paths.is_empty() {
        let today = args.today.unwrap_or_else(Date::today);
        if let Some((resolved, diagnostics)) = results.first_mut() {
            match schedule_diagnostics(config, resolved, today) {
                Ok(found) if !found.is_empty() => {
                    diagnostics.extend(found);
                    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                }
                Ok(_) => {}
                Err(code) => return code,
            }
        }
    }
    let diagnostics: Vec<_> = results
        .iter()
        .flat_map(|(resolved, diagnostics)| {
            diagnostics
                .iter()
                .map(move |diagnostic| (&resolved.model.sources, diagnostic))
        })
        .collect();
    let errors = diagnostics
        .iter()
        .filter(|(_, diagnostic)| diagnostic.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        DiagnosticFormat::Human => {
            for (sources, diagnostic) in &diagnostics {
                eprint!("{}", emit::human::render(sources, diagnostic));
                eprintln!();
            }
            if !diagnostics.is_empty() {
                eprintln!("{}", emit::human::summary(errors, warnings));
            }
        }
        DiagnosticFormat::Json => print!("{}", emit::json::render(&diagnostics)),
        DiagnosticFormat::Sarif => print!("{}", emit::sarif::render(&diagnostics)),
        DiagnosticFormat::Github => print!("{}", emit::github::render(&diagnostics)),
    }
    if errors > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// The diagnostics of the rules on the schedule (S002) for the project's
/// recipe on `today`: none when the recipe has errors (it cannot be
/// built) or nothing is due within the week (the build state is then not
/// read). `Err` is the exit code of a build state that cannot be opened.
fn schedule_diagnostics(
    config: &Config,
    resolved: &Resolved,
    today: Date,
) -> Result<Vec<Diagnostic>, i32> {
    if resolved.has_errors() || !status::any_due_soon(&resolved.model, today) {
        return Ok(Vec::new());
    }
    let Ok(project) = crate::project::load(config) else {
        return Ok(Vec::new());
    };
    let mut engine = open_state(config)?;
    let rows = match status::schedule(&project, engine.as_mut(), today) {
        Ok(rows) => rows,
        Err(error) => return Err(crate::cli::report::report_error(error)),
    };
    // The diagnostics point into this resolution's sources, which are the
    // same files read again: spans carry over.
    Ok(lint::check_schedule(&Scheduled {
        model: &project.resolved.model,
        today,
        rows: &rows,
    }))
}
