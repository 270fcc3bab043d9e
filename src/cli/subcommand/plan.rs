//! `sndtrk plan`: what `build` would run and why, running nothing.

use crate::{
    cli::arguments::{PlanArgs, ReportFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    cli::subcommand::build::open,
    engine::outcome::Status,
    engine::{progress::json_line, remote::RemoteSources},
    project::config::Config,
};

pub fn run(config: &Config, args: &PlanArgs) -> i32 {
    let (project, targets, mut engine) = match open(config, &args.targets) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let remote = match &args.remote_cache {
        None => None,
        Some(url) => {
            let flag = (!url.is_empty()).then(|| url.clone());
            match crate::cli::remote::open(
                config,
                RemoteSources::from_environment(flag, false, false),
            ) {
                Ok(remote) => remote,
                Err(code) => return code,
            }
        }
    };
    let outcomes = match engine.plan_with_remote(&project.graph, &targets, remote.as_deref()) {
        Ok(outcomes) => outcomes,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    crate::cli::remote::print_warnings(remote.as_deref());
    let mut stale = 0;
    let mut fetched = 0;
    for outcome in &outcomes {
        match outcome.status {
            Status::Stale => stale += 1,
            Status::Fetched => fetched += 1,
            _ => {}
        }
        match args.format {
            ReportFormat::Json => println!("{}", json_line(outcome)),
            ReportFormat::Human => {
                println!("{} {}: {}", outcome.status, outcome.id, outcome.reason)
            }
        }
    }
    if args.format == ReportFormat::Human {
        if remote.is_some() {
            println!(
                "{stale} of {} stages would run, {fetched} would be fetched from the remote cache",
                outcomes.len()
            );
        } else {
            println!("{stale} of {} stages would run", outcomes.len());
        }
    }
    EXIT_OK
}
