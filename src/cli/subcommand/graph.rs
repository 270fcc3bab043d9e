//! `sndtrk graph`: the stage graph as Graphviz DOT or JSON, as
//! [`crate::engine::graph::StageGraph::to_dot`] and `to_json` write it.

use crate::{
    cli::arguments::{GraphArgs, GraphFormat},
    cli::subcommand::build::report_load_error,
    cli::EXIT_OK,
    project,
    project::config::Config,
};

pub fn run(config: &Config, args: &GraphArgs) -> i32 {
    let project = match project::load(config) {
        Ok(project) => project,
        Err(error) => return report_load_error(error),
    };
    match args.format {
        GraphFormat::Json => print!("{}", project.graph.to_json()),
        GraphFormat::Dot => print!("{}", project.graph.to_dot()),
    }
    EXIT_OK
}
