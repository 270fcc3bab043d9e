//! `sndtrk schedule`: every deliverable's due date, days left and status
//! from the last build, as a table, JSON or an iCalendar file.

use crate::{
    cli::arguments::{ScheduleArgs, ScheduleFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    cli::subcommand::build::report_load_error,
    engine::Engine,
    project::{self, config::Config, status},
    report::{ics, schedule},
    syntax::ast::Date,
};

pub fn run(config: &Config, args: &ScheduleArgs) -> i32 {
    let today = args.today.unwrap_or_else(Date::today);
    let project = match project::load(config) {
        Ok(project) => project,
        Err(error) => return report_load_error(error),
    };
    let rows = match open_state(config) {
        Ok(mut engine) => status::schedule(&project, engine.as_mut(), today),
        Err(code) => return code,
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    match args.format {
        ScheduleFormat::Human => print!("{}", schedule::to_human(&rows)),
        ScheduleFormat::Json => print!("{}", schedule::to_json(&rows)),
        ScheduleFormat::Ics => {
            let title = project
                .resolved
                .model
                .project
                .as_ref()
                .map_or("sndtrk", |project| project.title.as_str());
            print!("{}", ics::to_ics(title, &rows, today));
        }
    }
    EXIT_OK
}

/// The engine of a project that has been built (waiting for the project
/// lock), or `None` for one never built: its `.sndtrk/` is not created
/// just to say so. `Err` is the exit code.
pub fn open_state(config: &Config) -> Result<Option<Engine>, i32> {
    if !config.directory.join(".sndtrk").is_dir() {
        return Ok(None);
    }
    Engine::open(&config.directory, crate::cli::report::say_waiting)
        .map(Some)
        .map_err(crate::cli::report::report_error)
}
