//! Loading a project for the commands that render it: resolve the recipe,
//! stop on errors, lower it and build the stage graph.

pub mod blocked;
pub mod check;
pub mod config;
pub mod deliver;
pub mod headers;
pub mod parsed;
pub mod status;
pub mod walk;

use crate::{
    diagnostic::Diagnostic,
    engine::graph::StageGraph,
    lower::{lower_with_rates, RenderPlan, Renders},
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
    // The resolver reads no WAV header: while it runs, a second thread
    // loads the saved headers and stats their files, for the lowering.
    let resolved = std::thread::scope(|scope| {
        scope.spawn(|| {
            headers::load(&config.directory);
            crate::model::wav_header::HeaderCache::global().check_remembered();
        });
        parsed::load(&config.directory);
        resolve_path(&config.recipe_path())
    });
    lower(resolved, &config.directory)
}

/// Lowers a resolved recipe whose sources are read under `directory`.
pub fn lower(resolved: Resolved, directory: &std::path::Path) -> Result<Project, LoadError> {
    if resolved.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadError::Recipe(Box::new(resolved)));
    }
    let plan = lower_with_rates(
        &resolved.model,
        directory,
        &crate::model::wav_header::sample_rate,
    );
    let stages = stages(&plan, &resolved.model).map_err(LoadError::Graph)?;
    let graph = StageGraph::new(stages).map_err(|error| LoadError::Graph(error.into()))?;
    Ok(Project {
        resolved,
        plan,
        graph,
    })
}

/// The stage ids a command line names: `NAME` of a target (its deliverable
/// and its measurement) or of an album (all its tracks and their
/// measurements). `Err` names the
/// first unknown one with a suggestion.
pub fn select(project: &Project, names: &[String]) -> Result<Vec<String>, String> {
    let model = &project.resolved.model;
    let mut ids = Vec::new();
    for name in names {
        if model.targets.index(name).is_some() {
            // The deliverable and its measurement.
            ids.extend(
                project
                    .plan
                    .stages
                    .iter()
                    .filter_map(|stage| match stage.id().renders() {
                        Renders::Target(target) | Renders::Measurement(target)
                            if target == name =>
                        {
                            Some(stage.id().to_string())
                        }
                        _ => None,
                    }),
            );
        } else if model.albums.index(name).is_some() {
            ids.extend(
                project
                    .plan
                    .stages
                    .iter()
                    .filter_map(|stage| match stage.id().renders() {
                        Renders::Track { album, .. } | Renders::TrackMeasurement { album, .. }
                            if album == name =>
                        {
                            Some(stage.id().to_string())
                        }
                        _ => None,
                    }),
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
