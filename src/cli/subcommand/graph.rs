//! `sndtrk graph`: the stage graph as Graphviz DOT or JSON.

use serde::Serialize;

use crate::{
    cli::arguments::{GraphArgs, GraphFormat},
    cli::subcommand::build::report_load_error,
    cli::EXIT_OK,
    project,
    project::config::Config,
};

#[derive(Serialize)]
struct Node<'a> {
    id: &'a str,
    kind: &'a str,
    inputs: Vec<&'a str>,
    files: Vec<String>,
    output: Option<String>,
}

pub fn run(config: &Config, args: &GraphArgs) -> i32 {
    let project = match project::load(config) {
        Ok(project) => project,
        Err(error) => return report_load_error(error),
    };
    let graph = &project.graph;
    let nodes: Vec<Node<'_>> = graph
        .order()
        .iter()
        .map(|&node| {
            let stage = graph.stage(node);
            Node {
                id: stage.id(),
                kind: stage.kind(),
                inputs: stage.inputs().iter().map(String::as_str).collect(),
                files: stage
                    .files()
                    .iter()
                    .map(|file| file.display().to_string())
                    .collect(),
                output: stage
                    .output_path()
                    .map(|path| format!("out/{}", path.display())),
            }
        })
        .collect();
    match args.format {
        GraphFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&nodes).unwrap_or_else(|_| "[]".to_owned())
            );
        }
        GraphFormat::Dot => {
            println!("digraph sndtrk {{");
            println!("    rankdir=LR;");
            for node in &nodes {
                let shape = if node.output.is_some() {
                    "box"
                } else {
                    "ellipse"
                };
                println!("    {:?} [shape={shape}];", node.id);
            }
            for node in &nodes {
                for input in &node.inputs {
                    println!("    {input:?} -> {:?};", node.id);
                }
            }
            println!("}}");
        }
    }
    EXIT_OK
}
