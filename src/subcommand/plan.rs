//! `sndtrk plan`: what `build` would run and why, running nothing.

use crate::{
    arguments::{PlanArgs, ReportFormat},
    cli::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE},
    config::Config,
    outcome::Status,
    progress::json_line,
    project,
    subcommand::build::report_load_error,
    work::Engine,
};

pub fn run(config: &Config, args: &PlanArgs) -> i32 {
    let project = match project::load(config) {
        Ok(project) => project,
        Err(error) => return report_load_error(error),
    };
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
    let outcomes = match engine.plan(&project.graph, &targets) {
        Ok(outcomes) => outcomes,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    let mut stale = 0;
    for outcome in &outcomes {
        if outcome.status == Status::Stale {
            stale += 1;
        }
        match args.format {
            ReportFormat::Json => println!("{}", json_line(outcome)),
            ReportFormat::Human => {
                println!("{} {}: {}", outcome.status, outcome.id, outcome.reason)
            }
        }
    }
    if args.format == ReportFormat::Human {
        println!("{stale} of {} stages would run", outcomes.len());
    }
    EXIT_OK
}
