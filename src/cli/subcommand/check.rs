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
    diagnostic::{Diagnostic, Severity},
    emit,
    project::config::Config,
    resolve::{resolve_path, Resolved},
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
    let results: Vec<(Resolved, Vec<Diagnostic>)> = files
        .iter()
        .map(|file| {
            let resolved = resolve_path(file);
            let diagnostics = crate::project::check::diagnostics(&resolved);
            (resolved, diagnostics)
        })
        .collect();
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
