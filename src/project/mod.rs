//! Loading a project for the commands that render it: resolve the recipe,
//! stop on errors, lower it and build the stage graph.

pub mod config;
pub mod walk;

use crate::{
    diagnostic::Diagnostic,
    engine::graph::StageGraph,
    lower::{lower, RenderPlan},
    project::config::Config,
    resolve::{resolve_path, Resolved},
    stages::stages,
};

/// A project ready to build.
pub struct Project {
    pub resolved: Resolved,
    pub plan: RenderPlan,
    pub graph: StageGraph,
}

/// Why a project could not be loaded.
pub enum LoadError {
    /// The recipe has errors (every diagnostic found, warnings included).
    Recipe(Box<Resolved>),
    /// The stage graph could not be built.
    Graph(miette::Report),
}

/// Resolves and lowers the project in `config.directory`.
pub fn load(config: &Config) -> Result<Project, LoadError> {
    let resolved = resolve_path(&config.recipe_path());
    if resolved.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadError::Recipe(Box::new(resolved)));
    }
    let plan = lower(&resolved.model, &config.directory);
    let mut stages = stages(&plan).map_err(LoadError::Graph)?;
    stages.extend(reports(&resolved.model));
    let graph = StageGraph::new(stages).map_err(|error| LoadError::Graph(error.into()))?;
    Ok(Project {
        resolved,
        plan,
        graph,
    })
}

/// The reports written to `out/reports/` by every build: the music cue
/// sheet (CSV and JSON) and the rights matrix. Their text is computed here
/// (it reads the cue files' headers for their lengths) and keyed by its
/// hash, so a report is rewritten only when it changes. A cue sheet that
/// cannot be made (a cue file that cannot be read) is left out: the bus that
/// reads the file fails with the reason.
fn reports(model: &crate::model::Model) -> Vec<Box<dyn crate::engine::stage::Stage>> {
    let mut texts = Vec::new();
    if let Ok(sheet) = crate::report::cuesheet::cue_sheet(model) {
        texts.push(("cuesheet.csv", crate::report::cuesheet::to_csv(&sheet)));
        texts.push(("cuesheet.json", crate::report::cuesheet::to_json(&sheet)));
    }
    texts.push((
        "rights.json",
        crate::report::rights::to_json(&crate::report::rights::matrix(model)),
    ));
    texts
        .into_iter()
        .map(|(name, text)| {
            let digest = blake3::hash(text.as_bytes()).to_hex().to_string();
            let stage = crate::engine::stage::FnStage::new(
                format!("report:{name}"),
                "report",
                move |context| {
                    use std::io::Write;
                    context
                        .output()
                        .write_all(text.as_bytes())
                        .map_err(|error| miette::miette!("writing the report: {error}"))
                },
            )
            .param("text", digest)
            .output_to(std::path::Path::new("reports").join(name));
            Box::new(stage) as Box<dyn crate::engine::stage::Stage>
        })
        .collect()
}

/// The stage ids a command line names: `NAME` of a target (its deliverable
/// and its measurement) or of an album (all its tracks). `Err` names the
/// first unknown one with a suggestion.
pub fn select(project: &Project, names: &[String]) -> Result<Vec<String>, String> {
    let model = &project.resolved.model;
    let mut ids = Vec::new();
    for name in names {
        if model.targets.index(name).is_some() {
            ids.push(format!("target:{name}"));
            let measure = format!("measure:{name}");
            if project.graph.node(&measure).is_some() {
                ids.push(measure);
            }
        } else if model.albums.index(name).is_some() {
            let prefix = format!("album:{name}/");
            ids.extend(
                project
                    .plan
                    .stages
                    .iter()
                    .map(|stage| stage.id().to_owned())
                    .filter(|id| id.starts_with(&prefix)),
            );
        } else if project.graph.node(name).is_some() {
            ids.push(name.clone());
        } else {
            let candidates = model.targets.names().chain(model.albums.names());
            let hint = crate::syntax::keyword::closest(name, candidates)
                .map(|suggestion| format!("; did you mean `{suggestion}`?"))
                .unwrap_or_default();
            return Err(format!("no target or album is named `{name}`{hint}"));
        }
    }
    Ok(ids)
}
