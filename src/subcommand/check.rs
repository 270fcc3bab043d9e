//! `sndtrk check`: parse, resolve and lint recipes; report diagnostics.

use std::path::PathBuf;

use crate::{
    arguments::{CheckArgs, DiagnosticFormat},
    cli::{EXIT_FAILURE, EXIT_OK},
    config::Config,
    diagnostic::Severity,
    render,
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
        match crate::walk::recipe_files(&paths) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("{:?}", miette::Report::new(error));
                return EXIT_FAILURE;
            }
        }
    };
    let results: Vec<Resolved> = files.iter().map(|file| resolve_path(file)).collect();
    let diagnostics: Vec<_> = results
        .iter()
        .flat_map(|resolved| {
            resolved
                .diagnostics
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
                eprint!("{}", render::human::render(sources, diagnostic));
                eprintln!();
            }
            if !diagnostics.is_empty() {
                eprintln!("{}", render::human::summary(errors, warnings));
            }
        }
        DiagnosticFormat::Json => print!("{}", render::json::render(&diagnostics)),
    }
    if errors > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}
