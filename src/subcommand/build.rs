//! `sndtrk build`: render what is stale.

use std::io::IsTerminal;

use crate::{
    arguments::{BuildArgs, ReportFormat},
    cli::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE},
    config::Config,
    conformance,
    diagnostic::Diagnostic,
    outcome::Status,
    progress::{BarProgress, JsonProgress, PlainProgress, Progress},
    project::{self, LoadError},
    render,
    stages::Measurement,
    work::{BuildOptions, Engine},
};

pub fn run(config: &Config, args: &BuildArgs) -> i32 {
    let project = match project::load(config) {
        Ok(project) => project,
        Err(error) => return report_load_error(error),
    };
    for diagnostic in &project.resolved.diagnostics {
        eprint!(
            "{}",
            render::human::render(&project.resolved.model.sources, diagnostic)
        );
        eprintln!();
    }
    let targets = match project::select(&project, &args.targets) {
        Ok(targets) => targets,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let mut engine = match Engine::open(&config.directory, |lock| {
        eprintln!(
            "waiting for another sndtrk build to finish ({})",
            lock.display()
        );
    }) {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    for warning in engine.take_warnings() {
        eprintln!("warning: {warning}");
    }
    let options = BuildOptions {
        jobs: args.jobs.unwrap_or(0),
        targets,
        ..BuildOptions::default()
    };
    let progress: Box<dyn Progress> = match args.format {
        ReportFormat::Json => Box::new(JsonProgress::new(std::io::stdout())),
        ReportFormat::Human if std::io::stderr().is_terminal() => {
            Box::new(BarProgress::new(args.explain))
        }
        ReportFormat::Human => Box::new(PlainProgress::new(std::io::stderr(), args.explain)),
    };
    let report = match engine.build(&project.graph, &options, progress.as_ref()) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    if let Err(error) = engine.save() {
        eprintln!("{:?}", miette::Report::new(error));
        return EXIT_FAILURE;
    }
    for (id, failure) in &report.failures {
        eprintln!("{id} failed:\n{failure:?}");
    }
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for outcome in &report.outcomes {
        let Some(target) = outcome.id.strip_prefix("measure:") else {
            continue;
        };
        if !matches!(outcome.status, Status::Ran | Status::Fresh) {
            continue;
        }
        let Some(digest) = outcome.output else {
            continue;
        };
        let measured: Option<Measurement> = std::fs::read(engine.store().object_path(&digest))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        if let Some(measured) = measured {
            diagnostics.extend(conformance::check(
                &project.resolved.model,
                &project.plan,
                target,
                &measured,
            ));
        }
    }
    for diagnostic in &diagnostics {
        eprint!(
            "{}",
            render::human::render(&project.resolved.model.sources, diagnostic)
        );
        eprintln!();
    }
    if report.succeeded() && diagnostics.iter().all(|diagnostic| !diagnostic.is_error()) {
        EXIT_OK
    } else {
        EXIT_FAILURE
    }
}

/// Prints why a project could not be loaded; the exit code.
pub fn report_load_error(error: LoadError) -> i32 {
    match error {
        LoadError::Recipe(resolved) => {
            let errors = resolved
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.is_error())
                .count();
            for diagnostic in &resolved.diagnostics {
                eprint!(
                    "{}",
                    render::human::render(&resolved.model.sources, diagnostic)
                );
                eprintln!();
            }
            eprintln!(
                "{}",
                render::human::summary(errors, resolved.diagnostics.len() - errors)
            );
            EXIT_FAILURE
        }
        LoadError::Graph(report) => {
            eprintln!("{report:?}");
            EXIT_FAILURE
        }
    }
}
