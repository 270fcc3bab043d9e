//! `sndtrk cuesheet`: print the music cue sheet as CSV or JSON.

use crate::{
    cli::arguments::{CuesheetArgs, CuesheetFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    cli::subcommand::rights::resolve_or_report,
    project::config::Config,
    report::cuesheet,
};

/// Prints the cue sheet of the project's recipe; exit 1 when the recipe
/// does not resolve or a cue's file cannot be read.
pub fn run(config: &Config, args: &CuesheetArgs) -> i32 {
    let Some(resolved) = resolve_or_report(config) else {
        return EXIT_FAILURE;
    };
    match cuesheet::cue_sheet(&resolved.model) {
        Ok(sheet) => {
            match args.format {
                CuesheetFormat::Csv => print!("{}", cuesheet::to_csv(&sheet)),
                CuesheetFormat::Json => print!("{}", cuesheet::to_json(&sheet)),
            }
            EXIT_OK
        }
        Err(errors) => {
            for error in &errors {
                eprint!(
                    "{}",
                    crate::emit::human::render(&resolved.model.sources, error)
                );
                eprintln!();
            }
            EXIT_FAILURE
        }
    }
}
