//! `sndtrk diff [BASE [HEAD]]`: the project at two git revisions compared.

use crate::{
    cli::arguments::{DiffArgs, DiffFormat},
    cli::report::{EXIT_FAILURE, EXIT_OK},
    project::config::Config,
    review::{render, Review},
};

/// Prints the comparison; exit 1 when a side cannot be read.
pub fn run(config: &Config, args: &DiffArgs) -> i32 {
    let review = match Review::of(
        &config.directory,
        config.given_directory(),
        &args.base,
        args.head.as_deref(),
    ) {
        Ok(review) => review,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return EXIT_FAILURE;
        }
    };
    let text = match args.format {
        DiffFormat::Human => render::human::render(&review),
        DiffFormat::Json => render::json::render(&review),
        DiffFormat::Markdown => render::markdown::render(&review),
    };
    print!("{text}");
    EXIT_OK
}
