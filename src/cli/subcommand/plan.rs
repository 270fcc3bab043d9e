//! `sndtrk plan`: what `build` would run and why, running nothing.

use crate::{
    cli::arguments::{PlanArgs, ReportFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    cli::subcommand::build::open,
    engine::outcome::Status,
    engine::progress::json_line,
    project::config::Config,
};

pub fn run(config: &Config, args: &PlanArgs) -> i32 {
    let (project, targets, mut engine) = match open(config, &args.targets) {
        Ok(opened) => opened,
        Err(code) => return code,
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
