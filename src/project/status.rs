//! Where each deliverable stands after the last build, for `sndtrk
//! schedule`, the S002 lint and the QC report: ready, stale, failing,
//! blocked or not built ([`Status`]).
//!
//! Nothing is rendered and nothing re-implements freshness: the engine's
//! own [`Engine::plan`] says which stages a build would run, and the
//! build's own judgement ([`judge`], with D004 from the stored
//! measurements and D007) says whether the fresh ones pass. Per file
//! (a target, an album track), in this order:
//!
//! 1. **blocked**: an error of the checks points at it;
//! 2. **not built**: its stage was never recorded by a build;
//! 3. **stale**: it or its measurement would run again (the recipe or a
//!    source changed since, or its output left the cache);
//! 4. **failing**: both are fresh, and D004 or D007 rejects it;
//! 5. **ready** otherwise.
//!
//! An album is its tracks: blocked if one is, not built if none was built,
//! stale if one is stale or not built, failing if one fails, else ready.

use crate::{
    engine::{
        error::EngineError,
        key::Digest,
        outcome::{StageOutcome, Status as StageStatus},
        store::Store,
        BuildReport, Engine,
    },
    lint::rules::s002_due_soon_not_ready::WITHIN_DAYS,
    lint::{self, Built},
    lower::{Renders, StageId},
    model::{Model, Spanned},
    project::{
        blocked::Subject,
        deliver::{deliverables, judge, Checks, Judgement, Verdict},
        Project,
    },
    report::schedule::{self, Row, Status},
    stages::Measurement,
    syntax::ast::Date,
};

/// Each target's and each album's status, indexed like `model.targets`
/// and `model.albums`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statuses {
    pub targets: Vec<Status>,
    pub albums: Vec<Status>,
}

/// The status of every deliverable of `project` in `engine`'s build state
/// (with `None`, no build state: every deliverable not built or blocked).
pub fn statuses(project: &Project, engine: Option<&mut Engine>) -> Result<Statuses, EngineError> {
    let outcomes = match engine {
        Some(engine) => {
            let outcomes = engine.plan(&project.graph, &[])?;
            let recorded: Vec<bool> = outcomes
                .iter()
                .map(|outcome| engine.state().stages.contains_key(&outcome.id))
                .collect();
            (outcomes, recorded, Some(engine.store().clone()))
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let (outcomes, recorded, store) = outcomes;
    let checks = Checks::run(project);
    let deliverables = checks.deliverables.clone();
    let fresh = |id: &str| {
        outcomes
            .iter()
            .any(|outcome| outcome.id == id && outcome.status == StageStatus::Fresh)
    };
    let was_built = |id: &str| {
        outcomes
            .iter()
            .zip(&recorded)
            .any(|(outcome, recorded)| outcome.id == id && *recorded)
    };
    // The fresh stages, as a build that found them all fresh reports them.
    let report = BuildReport {
        outcomes: outcomes
            .iter()
            .filter(|outcome| outcome.status == StageStatus::Fresh)
            .cloned()
            .collect(),
        failures: Vec::new(),
        summary: Default::default(),
    };
    let measurements = match &store {
        Some(store) => measurements(&report.outcomes, store),
        None => Vec::new(),
    };
    let after = lint::check_built(&Built {
        model: &project.resolved.model,
        plan: &project.plan,
        measurements,
    });
    let judgement = judge(project, checks, &report, &after, |digest| {
        read_measurement(store.as_ref()?, digest)
    });
    let model = &project.resolved.model;
    let mut targets = vec![Status::NotBuilt; model.targets.len()];
    let mut tracks: Vec<Vec<Status>> = vec![Vec::new(); model.albums.len()];
    for deliverable in &deliverables {
        let verdict = judgement
            .deliverables
            .iter()
            .find(|judged| judged.deliverable.id == deliverable.id)
            .map(|judged| &judged.verdict);
        let status = match verdict {
            Some(Verdict::Blocked(_)) => Status::Blocked,
            _ if !was_built(&deliverable.id) => Status::NotBuilt,
            _ if !fresh(&deliverable.id) || !fresh(&deliverable.measure) => Status::Stale,
            Some(Verdict::Delivered) => Status::Ready,
            Some(Verdict::Rejected(_)) => Status::Failing,
            // Fresh, but its measurement cannot be read: build it again.
            Some(Verdict::Failed(_)) | None => Status::Stale,
        };
        match deliverable.subject {
            Subject::Target(index) => targets[index] = status,
            Subject::Track { album, .. } | Subject::Album(album) => tracks[album].push(status),
        }
    }
    let albums = tracks.iter().map(|tracks| album_status(tracks)).collect();
    Ok(Statuses { targets, albums })
}

/// The status of every deliverable right after a build, from that build's
/// own outcomes and judgement, when they cover every deliverable: each one
/// blocked, or built (ran, fresh or fetched) with its measurement. Then a
/// second plan of the graph and a second judgement ([`statuses`]) would
/// find the same: what ran or was fresh is fresh, and it is judged the
/// same way from the same measurements. `None` when a deliverable was
/// left out of the build (`sndtrk build t1` of several) or failed.
pub fn statuses_after_build(
    project: &Project,
    report: &BuildReport,
    judgement: &Judgement,
) -> Option<Statuses> {
    let model = &project.resolved.model;
    let built = |id: &str| {
        report.outcome(id).is_some_and(|outcome| {
            matches!(
                outcome.status,
                StageStatus::Ran | StageStatus::Fresh | StageStatus::Fetched
            )
        })
    };
    let mut targets = vec![Status::NotBuilt; model.targets.len()];
    let mut tracks: Vec<Vec<Status>> = vec![Vec::new(); model.albums.len()];
    for deliverable in deliverables(model, &project.plan) {
        let verdict = &judgement
            .deliverables
            .iter()
            .find(|judged| judged.deliverable.id == deliverable.id)?
            .verdict;
        let status = match verdict {
            Verdict::Blocked(_) => Status::Blocked,
            _ if !built(&deliverable.id) || !built(&deliverable.measure) => return None,
            Verdict::Delivered => Status::Ready,
            Verdict::Rejected(_) => Status::Failing,
            // Built, but its measurement cannot be read: build it again.
            Verdict::Failed(_) => Status::Stale,
        };
        match deliverable.subject {
            Subject::Target(index) => targets[index] = status,
            Subject::Track { album, .. } | Subject::Album(album) => tracks[album].push(status),
        }
    }
    let albums = tracks.iter().map(|tracks| album_status(tracks)).collect();
    Some(Statuses { targets, albums })
}

/// The schedule of `project` on `today` ([`crate::report::schedule`]),
/// with each deliverable's status in `engine`'s build state.
pub fn schedule(
    project: &Project,
    engine: Option<&mut Engine>,
    today: Date,
) -> Result<Vec<Row>, EngineError> {
    let statuses = statuses(project, engine)?;
    Ok(rows(project, &statuses, today))
}

/// The schedule's rows on `today` for these statuses.
pub fn rows(project: &Project, statuses: &Statuses, today: Date) -> Vec<Row> {
    schedule::rows(
        &project.resolved.model,
        today,
        &statuses.targets,
        &statuses.albums,
    )
}

/// Whether a target or album of `model` is due within S002's days of
/// `today` (or overdue): only then does `check` need the build state.
pub fn any_due_soon(model: &Model, today: Date) -> bool {
    let soon = |due: Option<Spanned<Date>>| {
        due.is_some_and(|due| today.days_until(due.value) <= WITHIN_DAYS)
    };
    model.targets.iter().any(|target| soon(target.due))
        || model.albums.iter().any(|album| soon(album.due))
}

/// An album's status from its tracks'.
fn album_status(tracks: &[Status]) -> Status {
    let any = |status: Status| tracks.contains(&status);
    if any(Status::Blocked) {
        Status::Blocked
    } else if tracks.iter().all(|status| *status == Status::NotBuilt) {
        Status::NotBuilt
    } else if any(Status::Stale) || any(Status::NotBuilt) {
        Status::Stale
    } else if any(Status::Failing) {
        Status::Failing
    } else {
        Status::Ready
    }
}

/// The measurement stored in object `digest`, if it reads as one.
pub fn read_measurement(store: &Store, digest: &Digest) -> Option<Measurement> {
    let bytes = std::fs::read(store.object_path(digest)).ok()?;
    Measurement::decode(&bytes)
}

/// The measurements of the deliverables' measurement stages (a target's,
/// an album's as one) that ran or were fresh, in the outcomes' order, as
/// the rules after a build read them (D004).
pub fn measurements(outcomes: &[StageOutcome], store: &Store) -> Vec<(StageId, Measurement)> {
    let mut found = Vec::new();
    for outcome in outcomes {
        let Some(measure) = StageId::parse(&outcome.id) else {
            continue;
        };
        if !matches!(
            measure.renders(),
            Renders::Measurement(_) | Renders::AlbumMeasurement(_)
        ) {
            continue;
        }
        if !matches!(
            outcome.status,
            StageStatus::Ran | StageStatus::Fresh | StageStatus::Fetched
        ) {
            continue;
        }
        let Some(digest) = outcome.output else {
            continue;
        };
        if let Some(measured) = read_measurement(store, &digest) {
            found.push((measure, measured));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_album_is_as_ready_as_its_tracks() {
        use Status::*;
        assert_eq!(album_status(&[Ready, Ready]), Ready);
        assert_eq!(album_status(&[Ready, Failing]), Failing);
        assert_eq!(album_status(&[Failing, Stale]), Stale);
        assert_eq!(album_status(&[Ready, NotBuilt]), Stale);
        assert_eq!(album_status(&[NotBuilt, NotBuilt]), NotBuilt);
        assert_eq!(album_status(&[]), NotBuilt);
        assert_eq!(album_status(&[Stale, Blocked]), Blocked);
    }
}
