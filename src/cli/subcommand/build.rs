//! `sndtrk build`: render what is stale, and deliver what passes the
//! checks ([`deliver`]).

mod deliver;

use std::io::IsTerminal;

use crate::{
    cli::arguments::{BuildArgs, ReportFormat},
    cli::report::{EXIT_FAILURE, EXIT_USAGE},
    diagnostic::Diagnostic,
    emit,
    engine::progress::{BarProgress, JsonProgress, PlainProgress, Progress},
    engine::{remote::RemoteSources, BuildOptions, Engine, ReadAhead},
    lint::{self, Built},
    project::config::Config,
    project::{self, LoadError, Project},
};

pub fn run(config: &Config, args: &BuildArgs) -> i32 {
    let (project, targets, mut engine) = match open(config, &args.targets) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    for warning in engine.take_warnings() {
        eprintln!("warning: {warning}");
    }
    let sources = RemoteSources::from_environment(
        args.remote.remote_cache.clone(),
        args.remote.remote_upload,
        args.remote.remote_required,
    );
    let sources = RemoteSources {
        flag_off: args.remote.no_remote_cache,
        ..sources
    };
    let remote = match crate::cli::remote::open(config, sources) {
        Ok(remote) => remote,
        Err(code) => return code,
    };
    let checks = deliver::checks(&project);
    // Only stages the graph has: a report whose text cannot be made (a cue
    // file that cannot be read) is planned but left out of it.
    let selection = checks.selection(&project.plan, &targets).map(|ids| {
        ids.into_iter()
            .filter(|id| project.graph.node(id).is_some())
            .collect()
    });
    let options = BuildOptions {
        jobs: args.jobs.unwrap_or(0),
        targets,
        remote: remote.clone(),
        ..BuildOptions::default()
    };
    let progress: Box<dyn Progress> = match args.format {
        ReportFormat::Json => Box::new(JsonProgress::new(std::io::stdout())),
        ReportFormat::Human if std::io::stderr().is_terminal() => {
            Box::new(BarProgress::new(args.explain))
        }
        ReportFormat::Human => Box::new(PlainProgress::new(std::io::stderr(), args.explain)),
    };
    let built = deliver::build(
        &mut engine,
        &project.graph,
        selection,
        options,
        progress.as_ref(),
    );
    crate::cli::remote::print_warnings(remote.as_deref());
    let report = match built {
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
    // Only caches: a header or a tree that cannot be saved is read or
    // parsed again next time.
    let _ = project::headers::save(&config.directory);
    let _ = project::parsed::save(&config.directory);
    // One broken source fails every stage that reads it: its error once.
    for (ids, failure) in report.distinct_failures() {
        eprintln!("{} failed:\n{failure:?}", ids.join(", "));
    }
    let measurements = crate::project::status::measurements(&report.outcomes, engine.store());
    // The rules that read what the build made (D004), with the severities
    // of the recipe's `lint` block (`allow D004` silences it, `warn D004`
    // lets the build pass).
    let diagnostics: Vec<Diagnostic> = lint::check_built(&Built {
        model: &project.resolved.model,
        plan: &project.plan,
        measurements,
    });
    for diagnostic in &diagnostics {
        eprint!(
            "{}",
            emit::human::render(&project.resolved.model.sources, diagnostic)
        );
        eprintln!();
    }
    let code = deliver::finish(
        &project,
        &mut engine,
        &report,
        checks,
        &diagnostics,
        args.format,
        args.today.unwrap_or_else(crate::syntax::ast::Date::today),
    );
    // The process ends here: freeing the model, the plan and the graph
    // (a few hundred thousand allocations for 1,000 stems) is work nobody
    // waits for. The engine is dropped, which releases the project lock.
    drop(engine);
    std::mem::forget(project);
    code
}

/// Loads the project, prints its warnings, selects the named targets and
/// opens the engine (waiting for the project lock); `Err` is the exit code.
pub fn open(config: &Config, names: &[String]) -> Result<(Project, Vec<String>, Engine), i32> {
    // The engine's files are read while the recipe loads; the lock is
    // taken after, as before, once the recipe is known to be sound.
    let (loaded, ahead) = std::thread::scope(|scope| {
        let ahead = scope.spawn(|| ReadAhead::read(&config.directory));
        let loaded = project::load(config);
        (loaded, ahead.join())
    });
    let ahead = ahead.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let project = loaded.map_err(report_load_error)?;
    for diagnostic in &project.resolved.diagnostics {
        eprint!(
            "{}",
            emit::human::render(&project.resolved.model.sources, diagnostic)
        );
        eprintln!();
    }
    let targets = project::select(&project, names).map_err(|message| {
        eprintln!("error: {message}");
        EXIT_USAGE
    })?;
    let engine = Engine::open_with(&config.directory, crate::cli::report::say_waiting, ahead)
        .map_err(crate::cli::report::report_error)?;
    Ok((project, targets, engine))
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
                    emit::human::render(&resolved.model.sources, diagnostic)
                );
                eprintln!();
            }
            eprintln!(
                "{}",
                emit::human::summary(errors, resolved.diagnostics.len() - errors)
            );
            EXIT_FAILURE
        }
        LoadError::Graph(report) => {
            eprintln!("{report:?}");
            EXIT_FAILURE
        }
    }
}
