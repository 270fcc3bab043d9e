//! `Engine::build`: prepare the store and `out/`, gather the sources, run
//! the [`crate::engine::schedule`], save; and what it did
//! ([`BuildReport`]).

use std::{io, time::Instant};

use crate::engine::{
    atomic_file,
    error::EngineError,
    graph::StageGraph,
    open::{save, Engine, Parts},
    options::BuildOptions,
    out::out_dir,
    outcome::{StageOutcome, Status},
    progress::{Progress, Summary},
    remote::workers::with_workers,
    schedule::Schedule,
};

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    /// One outcome per selected stage, in topological order.
    pub outcomes: Vec<StageOutcome>,
    /// The diagnostic of each failed stage, in topological order.
    pub failures: Vec<(String, miette::Report)>,
    pub summary: Summary,
}

impl BuildReport {
    /// Whether every stage succeeded.
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty()
    }

    /// Ids of the stages that ran, in topological order.
    pub fn ran(&self) -> Vec<&str> {
        self.with_status(Status::Ran)
    }

    /// Ids of the stages with this status, in topological order.
    pub fn with_status(&self, status: Status) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.status == status)
            .map(|outcome| outcome.id.as_str())
            .collect()
    }

    /// The outcome of a stage.
    pub fn outcome(&self, id: &str) -> Option<&StageOutcome> {
        self.outcomes.iter().find(|outcome| outcome.id == id)
    }

    /// The failures with each distinct error once: the stages that failed
    /// with the same error (the code and the message: several stages that
    /// read one broken source file) are grouped, in topological order of
    /// the first of them, with that first stage's diagnostic.
    pub fn distinct_failures(&self) -> Vec<(Vec<&str>, &miette::Report)> {
        let mut distinct: Vec<(Vec<&str>, &miette::Report)> = Vec::new();
        let same = |a: &miette::Report, b: &miette::Report| {
            let code = |report: &miette::Report| report.code().map(|code| code.to_string());
            code(a) == code(b) && a.to_string() == b.to_string()
        };
        for (id, failure) in &self.failures {
            match distinct.iter_mut().find(|(_, first)| same(first, failure)) {
                Some((ids, _)) => ids.push(id),
                None => distinct.push((vec![id], failure)),
            }
        }
        distinct
    }

    /// [`EngineError::BuildFailed`] when a stage failed.
    pub fn error(&self) -> Option<EngineError> {
        (!self.failures.is_empty()).then_some(EngineError::BuildFailed {
            failed: self.failures.len(),
        })
    }
}

/// The totals of `outcomes`, for a build that took `seconds`.
fn summary(outcomes: &[StageOutcome], seconds: f64) -> Summary {
    let count = |status| outcomes.iter().filter(|o| o.status == status).count();
    Summary {
        ran: count(Status::Ran),
        fresh: count(Status::Fresh),
        fetched: count(Status::Fetched),
        failed: count(Status::Failed),
        skipped: count(Status::Skipped),
        seconds,
    }
}

impl Engine {
    /// Builds the selected stages: fresh ones are taken from the cache (and
    /// materialised if their `out/` file is missing or different), stale
    /// ones run on `options.jobs` threads as soon as their inputs are ready.
    /// Stage failures are in the report; an `Err` is an engine failure.
    pub fn build(
        &mut self,
        graph: &StageGraph,
        options: &BuildOptions,
        progress: &dyn Progress,
    ) -> Result<BuildReport, EngineError> {
        let started = Instant::now();
        let selected = graph.select(&options.targets)?;
        self.store
            .clear_temporaries()
            .map_err(|source| EngineError::io(self.store.root().join("tmp"), source))?;
        // A killed build may have left a half-written deliverable's temporary
        // file beside its destination; the project lock says none is in use.
        let out = out_dir(&self.dir);
        atomic_file::remove_leftovers(&out).map_err(|source| EngineError::io(&out, source))?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.jobs)
            .thread_name(|index| format!("sndtrk-stage-{index}"))
            .build()
            .map_err(|error| EngineError::io(&self.dir, io::Error::other(error)))?;
        let parts = Parts {
            dir: &self.dir,
            store: &self.store,
            stats: &self.stats,
            verify: options.verify,
        };
        let state = &mut self.state;
        // With no state at all (a clean build) no stage can be fresh, so the
        // sources are not hashed up front: their digests are learnt as the
        // stages read them (see `source_digest`).
        // A remote lookup needs the key, so with a remote cache they are
        // hashed up front.
        let learn = state.actions.is_empty() && state.stages.is_empty() && options.remote.is_none();
        let sources = pool.install(|| parts.sources(graph, &selected, learn));

        progress.begin(selected.iter().filter(|chosen| **chosen).count());
        let connections = options
            .remote
            .as_ref()
            .map_or(0, |remote| remote.settings().connections);
        // The remote threads end (their uploads done) before the state is
        // saved.
        let (outcomes, failures) = with_workers(connections, |tasks| {
            let mut schedule = Schedule::new(
                graph, &selected, parts, state, &sources, options, progress, tasks,
            );
            schedule.run(&pool);
            schedule.finish()
        });

        if options.targets.is_empty() && failures.is_empty() {
            self.state.retain_stages(|id| graph.node(id).is_some());
        }
        save(&self.dir, &mut self.state, &self.stats)?;
        let summary = summary(&outcomes, started.elapsed().as_secs_f64());
        progress.end(&summary);
        Ok(BuildReport {
            outcomes,
            failures,
            summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stages that failed with the same error are one failure; the order
    /// is their first stage's.
    #[test]
    fn the_same_error_of_several_stages_is_one_distinct_failure() {
        let report = BuildReport {
            outcomes: Vec::new(),
            failures: vec![
                ("bus:DX".into(), miette::miette!("stem dx: cannot open")),
                ("bus:FX".into(), miette::miette!("stem fx: cannot open")),
                (
                    "dialogue:pm".into(),
                    miette::miette!("stem dx: cannot open"),
                ),
            ],
            summary: Summary::default(),
        };
        let distinct: Vec<(Vec<&str>, String)> = report
            .distinct_failures()
            .into_iter()
            .map(|(ids, failure)| (ids, failure.to_string()))
            .collect();
        assert_eq!(
            distinct,
            [
                (
                    vec!["bus:DX", "dialogue:pm"],
                    "stem dx: cannot open".to_owned()
                ),
                (vec!["bus:FX"], "stem fx: cannot open".to_owned()),
            ]
        );
    }
}
