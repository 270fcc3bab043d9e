//! Running one stale stage on the pool: a [`Job`] runs the stage (alone,
//! leading its followers, or from what its leader's pass left it), stores
//! its output and materialises it (when the build materialises), and comes
//! back as a [`Completion`].

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    path::Path,
    time::Instant,
};

use petgraph::graph::NodeIndex;

use crate::engine::{
    error::EngineError,
    fingerprint::StatCache,
    key::Digest,
    lead::{Pass, Prepared},
    out::materialise,
    outcome::StageOutcome,
    regions,
    source_digest::PendingSources,
    stage::{InputObject, RunContext, SourceFile, Stage},
    store::Store,
};

/// A stale stage handed to a worker thread.
pub(super) struct Job<'a> {
    pub(super) node: NodeIndex,
    pub(super) stage: &'a dyn Stage,
    pub(super) outcome: StageOutcome,
    pub(super) files: Vec<SourceFile>,
    pub(super) inputs: Vec<InputObject>,
    /// Dependants to render in this stage's pass.
    pub(super) followers: Vec<(NodeIndex, &'a dyn Stage)>,
    /// What its leader's pass left this stage, if it was led.
    pub(super) prepared: Option<Prepared>,
    pub(super) project_dir: &'a Path,
    pub(super) store: &'a Store,
    pub(super) stats: &'a StatCache,
    pub(super) pending: &'a PendingSources,
    /// Whether to materialise the output into `out/` once stored.
    pub(super) materialise: bool,
    /// The output the stage's id had in the build before, if any.
    pub(super) previous: Option<Digest>,
    /// Whether no other stage's recorded output is that object.
    pub(super) previous_unshared: bool,
}

/// A job's output object, its size and a materialisation failure.
pub(super) type Stored = (Digest, u64, Option<miette::Report>);

/// A finished job: its output (or the stage's error), and what its pass
/// left for its followers.
pub(super) struct Completion {
    pub(super) node: NodeIndex,
    pub(super) outcome: StageOutcome,
    pub(super) result: Result<Stored, miette::Report>,
    pub(super) files: Vec<SourceFile>,
    pub(super) inputs: Vec<InputObject>,
    pub(super) followers: Vec<(NodeIndex, Prepared)>,
}

/// A remote lookup that came back, for the stage it was made for.
pub(super) struct Fetched {
    pub(super) node: NodeIndex,
    pub(super) outcome: StageOutcome,
    pub(super) files: Vec<SourceFile>,
    pub(super) inputs: Vec<InputObject>,
    pub(super) key: Digest,
    pub(super) lookup: crate::engine::remote::Lookup,
    pub(super) seconds: f64,
}

/// What a worker sends the scheduler.
pub(super) enum Message {
    /// A stage finished.
    Finished(Box<Completion>),
    /// A stale stage's remote lookup came back.
    Fetched(Box<Fetched>),
    /// A source file's digest was learnt.
    Learnt,
}

impl Job<'_> {
    /// Runs the stage; a panic is the stage's failure.
    pub(super) fn run(self) -> Completion {
        let Job {
            node,
            stage,
            mut outcome,
            files,
            inputs,
            followers,
            prepared,
            project_dir,
            store,
            stats,
            pending,
            materialise: deliver,
            previous,
            previous_unshared,
        } = self;
        let previous = previous
            .map(|digest| InputObject {
                id: stage.id().to_owned(),
                path: store.object_path(&digest),
                digest,
            })
            .filter(|previous| previous.path.is_file());
        let started = Instant::now();
        let mut earlier = 0.0;
        let mut notes = Vec::new();
        let mut pass: Option<Pass<'_>> = None;
        let attempt = catch_unwind(AssertUnwindSafe(|| {
            let writer = || {
                store
                    .writer()
                    .map_err(|source| EngineError::io(store.root().join("tmp"), source))
            };
            let context = || -> Result<RunContext<'_>, EngineError> {
                Ok(RunContext {
                    project_dir,
                    inputs: inputs.clone(),
                    files: files.clone(),
                    output: writer()?,
                    pending: Some(pending),
                    notes: Vec::new(),
                    store: Some((store, stats)),
                    previous: previous.clone(),
                    previous_unshared,
                    out_file: crate::engine::out::materialised_path(stage)
                        .map(|path| project_dir.join(path)),
                    regions: None,
                })
            };
            let (output, left, index) = match prepared {
                Some(prepared) => {
                    earlier = prepared.seconds;
                    prepared.output(stage, context)?
                }
                None => {
                    let pass = pass.insert(Pass::new(followers, writer)?);
                    let mut context = context()?;
                    if pass.is_empty() {
                        stage.run(&mut context)?;
                    } else {
                        stage.run_leading(&mut context, pass.followers())?;
                    }
                    (context.output, context.notes, context.regions)
                }
            };
            notes = left;
            let (output, size, tree) = output
                .finish_with_tree(stats)
                .map_err(|source| EngineError::io(store.root(), source))?;
            if let Some(index) = index {
                // Hints: without the index the next run renders
                // everything, without the tree a patch in place hashes
                // the whole object again.
                let _ = regions::write(store, &output, &index);
                if tree.len > crate::engine::tree_hash::BLOCK {
                    let _ = regions::write_tree(store, &output, &tree);
                }
            }
            let materialised = if deliver {
                materialise(project_dir, store, stats, stage, &output)
                    .err()
                    .map(miette::Report::new)
            } else {
                None
            };
            Ok::<_, miette::Report>((output, size, materialised))
        }));
        let result = attempt.unwrap_or_else(|panic| {
            Err(miette::Report::new(EngineError::StagePanicked {
                stage: stage.id().to_owned(),
                message: panic_message(panic.as_ref()),
            }))
        });
        let seconds = started.elapsed().as_secs_f64();
        outcome.seconds = earlier + seconds;
        if result.is_ok() {
            outcome.notes = notes;
        }
        let followers = pass
            .map(|pass| pass.leave(node, seconds))
            .unwrap_or_default();
        Completion {
            node,
            outcome,
            result,
            files,
            inputs,
            followers,
        }
    }
}

/// A panic's message.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use crate::engine::{
        graph::StageGraph, outcome::Status, progress::Silent, stage::FnStage, BuildOptions, Engine,
    };

    /// What a run notes reaches the stage's outcome; a fresh stage, or one
    /// that fails, has no notes.
    #[test]
    fn a_runs_notes_reach_its_outcome() {
        let project = tempfile::tempdir().unwrap();
        let graph = StageGraph::new(vec![
            Box::new(FnStage::new("noted", "k", |context| {
                context.note("first thing");
                context.note("second thing");
                context
                    .output()
                    .write_all(b"x")
                    .map_err(|error| miette::miette!("{error}"))
            })),
            Box::new(FnStage::new("failing", "k", |context| {
                context.note("never seen");
                Err(miette::miette!("broken"))
            })),
        ])
        .unwrap();
        let mut engine = Engine::open(project.path(), |_| {}).unwrap();
        let first = engine
            .build(&graph, &BuildOptions::default(), &Silent)
            .unwrap();
        let noted = first.outcome("noted").unwrap();
        assert_eq!(
            (noted.status, noted.notes.as_slice()),
            (
                Status::Ran,
                &["first thing".to_owned(), "second thing".to_owned()][..]
            )
        );
        assert!(first.outcome("failing").unwrap().notes.is_empty());
        let again = engine
            .build(&graph, &BuildOptions::default(), &Silent)
            .unwrap();
        let fresh = again.outcome("noted").unwrap();
        assert_eq!(fresh.status, Status::Fresh);
        assert!(fresh.notes.is_empty());
    }
}
