//! The scheduler (the role of n2's `work.rs`): decides per stage whether it
//! is fresh or stale and why, runs stale stages in parallel with rayon as
//! soon as their inputs are ready, stores their outputs, materialises
//! deliverables and records the build state.
//!
//! A stage's key covers its inputs' *output* hashes, not their keys, so a
//! stage that re-runs and yields the same bytes stops the rebuild there
//! (early cutoff). Keys map to outputs in the state, so reverting a change
//! finds the earlier output without running anything. A failing stage stops
//! its dependants; independent stages go on and finished work is recorded
//! (the state is also saved periodically during long builds, so a killed
//! build keeps what finished). Outputs depend only on keys, so they are the
//! same whatever the number of threads. In a clean build (no state) the
//! sources are not hashed before anything runs: nothing can be fresh, so
//! stages run at once and the sources' digests are learnt as the stages
//! read them ([`crate::engine::source_digest`]); each stage is recorded under its
//! key once its files' digests are known.
//!
//! A stage that runs may render, in its own pass, dependants it can lead
//! ([`Stage::can_lead`]: a bus and the deliverables that read it alone),
//! so they need not read its output back. Their outputs wait, unfinished,
//! for their own decision once the leader is done: a stale one is stored
//! as if it had run then, a fresh one (early cutoff) is dropped and does
//! not count as run. A follower the pass only measured (a normalised
//! deliverable) runs then with that measurement ([`Stage::run_carried`]);
//! one that failed in the pass runs on its own.
//!
//! Plugging stages in: implement [`Stage`] (or use
//! [`crate::engine::stage::FnStage`]), put the stages in a [`StageGraph`], open the
//! project and build:
//!
//! ```
//! use std::io::Write;
//! use sndtrk::{engine::progress::Silent, engine::stage::FnStage, engine::graph::StageGraph,
//!              work::{BuildOptions, Engine}};
//!
//! # fn main() -> miette::Result<()> {
//! let project = tempfile::tempdir().unwrap();
//! std::fs::write(project.path().join("dx.wav"), b"dialogue").unwrap();
//! let graph = StageGraph::new(vec![
//!     Box::new(FnStage::new("stem:dx", "source", |context| {
//!         let bytes = std::fs::read(&context.files()[0].path).unwrap();
//!         context.output().write_all(&bytes).map_err(|e| miette::miette!("{e}"))
//!     }).file("dx.wav")),
//!     Box::new(FnStage::new("target:stereo", "target", |context| {
//!         let bytes = std::fs::read(&context.inputs()[0].path).unwrap();
//!         context.output().write_all(&bytes.to_ascii_uppercase()).map_err(|e| miette::miette!("{e}"))
//!     }).input("stem:dx").param("gain_db", -3.0).output_to("stereo.wav")),
//! ])?;
//! let mut engine = Engine::open(project.path(), |lock| eprintln!("waiting for {}", lock.display()))?;
//! let report = engine.build(&graph, &BuildOptions::default(), &Silent)?;
//! assert_eq!(report.ran(), ["stem:dx", "target:stereo"]);
//! assert_eq!(std::fs::read(project.path().join("out/stereo.wav")).unwrap(), b"DIALOGUE");
//! let again = engine.build(&graph, &BuildOptions::default(), &Silent)?;
//! assert!(again.ran().is_empty());
//! # Ok(())
//! # }
//! ```

use std::{
    cmp::Reverse,
    collections::{BinaryHeap, HashMap},
    ffi::OsString,
    fs, io,
    panic::{catch_unwind, AssertUnwindSafe},
    path::{Path, PathBuf},
    sync::mpsc,
    time::{Duration, Instant},
};

use petgraph::graph::NodeIndex;
use rayon::prelude::*;

use crate::{
    engine::db::State,
    engine::error::{EngineError, EngineWarning},
    engine::fingerprint::StatCache,
    engine::graph::StageGraph,
    engine::key::{stage_key, stage_manifest, Digest, Manifest},
    engine::lock::ProjectLock,
    engine::outcome::{Reason, StageOutcome, Status},
    engine::progress::{Progress, Summary},
    engine::source_digest::{PendingSources, Resolution},
    engine::stage::{Follower, InputObject, RunContext, SourceFile, Stage},
    engine::store::{ObjectState, ObjectWriter, Store},
};

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Threads running stages; 0 means one per core.
    pub jobs: usize,
    /// Stage ids to build (with everything upstream); empty builds all.
    pub targets: Vec<String>,
    /// How often the state is saved during a build.
    pub save_interval: Duration,
    /// Re-hash every cached output before trusting it, instead of trusting
    /// an unchanged stat (slow; for CI or after disk trouble).
    pub verify: bool,
    /// Let a stage that runs render, in the same pass, the dependants it
    /// can lead ([`Stage::run_leading`]), instead of each dependant reading
    /// its finished output afterwards. The outputs are the same bytes
    /// either way; off, every stage runs on its own.
    pub lead: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            jobs: 0,
            targets: Vec::new(),
            save_interval: Duration::from_secs(2),
            verify: false,
            lead: true,
        }
    }
}

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

    /// [`EngineError::BuildFailed`] when a stage failed.
    pub fn error(&self) -> Option<EngineError> {
        (!self.failures.is_empty()).then_some(EngineError::BuildFailed {
            failed: self.failures.len(),
        })
    }
}

/// What `cache gc` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    pub objects_before: usize,
    pub bytes_before: u64,
    pub objects_removed: usize,
    pub bytes_removed: u64,
}

/// The decision for a stage whose inputs are known.
enum Decision {
    Fresh {
        key: Digest,
        output: Digest,
        /// The key differs from the stage's last build.
        restored: bool,
    },
    Stale {
        key: Digest,
        reason: Reason,
    },
    /// Stale with its key not known yet: a file's digest is being learnt
    /// as the stage reads it (a clean build, see [`crate::engine::source_digest`]).
    Unkeyed,
}

/// Each source file's digest (`None`: being learnt as stages read it), or
/// why it could not be had; keyed by resolved path.
type Fingerprints = HashMap<OsString, Result<Option<Digest>, (io::ErrorKind, String)>>;

/// The borrowed pieces of an [`Engine`] that stage decisions and running
/// jobs share, apart from the mutable build state.
#[derive(Clone, Copy)]
struct Parts<'a> {
    dir: &'a Path,
    store: &'a Store,
    stats: &'a StatCache,
    verify: bool,
}

impl Parts<'_> {
    /// Fingerprints every source file of the selected stages (in parallel
    /// when the pool has threads), keyed by resolved path. With `pending`,
    /// a file the stat cache does not know is not read: it is added to
    /// `pending` and its digest learnt as stages read it.
    fn fingerprint_files(
        &self,
        graph: &StageGraph,
        selected: &[bool],
        pending: Option<&mut PendingSources>,
    ) -> Fingerprints {
        let mut paths: Vec<PathBuf> = graph
            .order()
            .iter()
            .filter(|node| selected[node.index()])
            .flat_map(|node| graph.stage(*node).files())
            .map(|file| self.dir.join(file))
            .collect();
        paths.sort();
        paths.dedup();
        let stats = self.stats;
        let error = |error: io::Error| (error.kind(), error.to_string());
        let Some(pending) = pending else {
            return paths
                .into_par_iter()
                .map(|path| {
                    let digest = stats.fingerprint(&path).map(Some).map_err(error);
                    (path.into_os_string(), digest)
                })
                .collect();
        };
        let mut fingerprints = Fingerprints::new();
        for path in paths {
            let digest = match stats.known(&path) {
                Ok((_, Some(digest))) => Ok(Some(digest)),
                Ok((stat, None)) => {
                    pending.add(path.clone(), stat);
                    Ok(None)
                }
                Err(failure) => Err(error(failure)),
            };
            fingerprints.insert(path.into_os_string(), digest);
        }
        fingerprints
    }

    /// The files of a stage with their hashes, or the first unreadable one.
    fn stage_files(
        &self,
        stage: &dyn Stage,
        fingerprints: &Fingerprints,
    ) -> Result<Vec<SourceFile>, EngineError> {
        stage
            .files()
            .iter()
            .map(|declared| {
                let path = self.dir.join(declared);
                match fingerprints.get(path.as_os_str()) {
                    Some(Ok(digest)) => Ok(SourceFile {
                        declared: declared.clone(),
                        path,
                        digest: *digest,
                    }),
                    Some(Err((kind, message))) => Err(EngineError::SourceFile {
                        path: declared.clone(),
                        cause: io::Error::new(*kind, message.clone()),
                    }),
                    None => Err(EngineError::SourceFile {
                        path: declared.clone(),
                        cause: io::Error::other("not fingerprinted"),
                    }),
                }
            })
            .collect()
    }

    /// Decides fresh or stale for a stage whose files and inputs are known.
    /// Removes a damaged object from the store (but changes no state).
    fn decide(
        &self,
        state: &State,
        stage: &dyn Stage,
        files: &[SourceFile],
        inputs: &[InputObject],
    ) -> Decision {
        let Some((key, _)) = key_fields(stage, files, inputs, false) else {
            return Decision::Unkeyed;
        };
        let previous = state.stages.get(stage.id());
        let mut damaged = false;
        if let Some(action) = state.actions.get(&key) {
            let state = if self.verify {
                self.store.verify(&action.output, self.stats)
            } else {
                self.store.check(&action.output, self.stats)
            };
            match state {
                ObjectState::Present => {
                    return Decision::Fresh {
                        key,
                        output: action.output,
                        restored: previous.is_none_or(|record| record.key != key),
                    }
                }
                ObjectState::Missing => {}
                ObjectState::Damaged => damaged = true,
            }
        }
        let reason = match previous {
            _ if damaged => Reason::OutputDamaged,
            None => Reason::New,
            Some(record) if record.key == key => Reason::OutputMissing,
            Some(record) => Reason::Changed(manifest(stage, files, inputs).diff(&record.manifest)),
        };
        Decision::Stale { key, reason }
    }

    fn input_objects(
        &self,
        graph: &StageGraph,
        node: NodeIndex,
        outputs: &[Option<Digest>],
    ) -> Vec<InputObject> {
        graph
            .inputs(node)
            .iter()
            .filter_map(|input| {
                outputs[input.index()].map(|digest| InputObject {
                    id: graph.stage(*input).id().to_owned(),
                    digest,
                    path: self.store.object_path(&digest),
                })
            })
            .collect()
    }
}

/// The engine of one project: holds the project lock, the store, the stat
/// cache and the build state while it lives.
pub struct Engine {
    dir: PathBuf,
    _lock: ProjectLock,
    store: Store,
    stats: StatCache,
    state: State,
    warnings: Vec<EngineWarning>,
}

fn out_dir(project_dir: &Path) -> PathBuf {
    project_dir.join("out")
}

fn stat_cache_path(project_dir: &Path) -> PathBuf {
    project_dir.join(".sndtrk").join("stat-cache")
}

impl Engine {
    /// Opens the project in `project_dir`: takes the lock (calling `on_wait`
    /// first if another sndtrk holds it), loads the state and stat cache.
    pub fn open(project_dir: &Path, on_wait: impl FnOnce(&Path)) -> Result<Self, EngineError> {
        let lock = ProjectLock::acquire(project_dir, on_wait)?;
        // One spelling of every path, however the directory was named, so
        // the stat cache hits whether sndtrk runs in DIR or with `-C DIR`.
        let project_dir = &fs::canonicalize(project_dir)
            .map_err(|source| EngineError::io(project_dir, source))?;
        let (state, state_warning) = State::load(&State::path(project_dir));
        let (stats, stats_warning) = StatCache::load(&stat_cache_path(project_dir));
        Ok(Self {
            dir: project_dir.to_path_buf(),
            _lock: lock,
            store: Store::new(project_dir),
            stats,
            state,
            warnings: state_warning.into_iter().chain(stats_warning).collect(),
        })
    }

    /// Warnings from opening (a discarded state or stat cache), once.
    pub fn take_warnings(&mut self) -> Vec<EngineWarning> {
        std::mem::take(&mut self.warnings)
    }

    /// The project directory.
    pub fn project_dir(&self) -> &Path {
        &self.dir
    }

    /// The object store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The stat cache (its counters show how many files were read).
    pub fn stat_cache(&self) -> &StatCache {
        &self.stats
    }

    /// The build state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Saves the state and the stat cache (each only if it changed).
    pub fn save(&mut self) -> Result<(), EngineError> {
        save(&self.dir, &mut self.state, &self.stats)
    }

    fn parts(&self) -> Parts<'_> {
        Parts {
            dir: &self.dir,
            store: &self.store,
            stats: &self.stats,
            verify: false,
        }
    }

    /// What `build` would do, running nothing: each selected stage, in
    /// topological order, fresh or stale with the reason. A stage downstream
    /// of a stale one is stale with "input X will be rebuilt" (at build time
    /// early cutoff may still spare it).
    pub fn plan(
        &mut self,
        graph: &StageGraph,
        targets: &[String],
    ) -> Result<Vec<StageOutcome>, EngineError> {
        let selected = graph.select(targets)?;
        let parts = self.parts();
        let fingerprints = parts.fingerprint_files(graph, &selected, None);
        let mut outputs: Vec<Option<Digest>> = vec![None; graph.len()];
        let mut outcomes = Vec::new();
        for &node in graph.order() {
            if !selected[node.index()] {
                continue;
            }
            let stage = graph.stage(node);
            let mut outcome = StageOutcome::of(stage, Status::Stale, Reason::New);
            let unknown_input = graph
                .inputs(node)
                .iter()
                .find(|input| outputs[input.index()].is_none());
            if let Some(input) = unknown_input {
                outcome.reason = Reason::InputWillRebuild(graph.stage(*input).id().to_owned());
                outcomes.push(outcome);
                continue;
            }
            let files = match parts.stage_files(stage, &fingerprints) {
                Ok(files) => files,
                Err(error) => {
                    outcome.fail(error.to_string());
                    outcomes.push(outcome);
                    continue;
                }
            };
            let inputs = parts.input_objects(graph, node, &outputs);
            match parts.decide(&self.state, stage, &files, &inputs) {
                Decision::Fresh {
                    key,
                    output,
                    restored,
                } => {
                    outcome.status = Status::Fresh;
                    outcome.reason = if restored {
                        Reason::Restored
                    } else {
                        Reason::UpToDate
                    };
                    outcome.key = Some(key);
                    outcome.output = Some(output);
                    outcome.materialised =
                        stage.output_path().map(|path| Path::new("out").join(path));
                    outputs[node.index()] = Some(output);
                }
                Decision::Stale { key, reason } => {
                    outcome.reason = reason;
                    outcome.key = Some(key);
                }
                Decision::Unkeyed => {}
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

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
        crate::engine::atomic_file::remove_leftovers(&out)
            .map_err(|source| EngineError::io(&out, source))?;
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
        let mut pending = PendingSources::default();
        let learn = state.actions.is_empty() && state.stages.is_empty();
        let fingerprints = pool
            .install(|| parts.fingerprint_files(graph, &selected, learn.then_some(&mut pending)));
        for node in graph.order() {
            if selected[node.index()] {
                for file in graph.stage(*node).files() {
                    pending.add_reader(&self.dir.join(file));
                }
            }
        }
        let pending = &pending;
        // Stages that ran and are not recorded yet: at once if their
        // files' digests are known, else once they are learnt.
        let mut unrecorded: Vec<Unrecorded> = Vec::new();

        let total = selected.iter().filter(|chosen| **chosen).count();
        progress.begin(total);
        let position: HashMap<NodeIndex, usize> = graph
            .order()
            .iter()
            .enumerate()
            .map(|(position, node)| (*node, position))
            .collect();
        let mut remaining: Vec<usize> = (0..graph.len())
            .map(|index| graph.inputs(NodeIndex::new(index)).len())
            .collect();
        let mut outputs: Vec<Option<Digest>> = vec![None; graph.len()];
        let mut outcomes: Vec<Option<StageOutcome>> = vec![None; graph.len()];
        let mut failures: Vec<(NodeIndex, miette::Report)> = Vec::new();
        let mut ready: BinaryHeap<Reverse<usize>> = graph
            .order()
            .iter()
            .filter(|node| selected[node.index()] && remaining[node.index()] == 0)
            .map(|node| Reverse(position[node]))
            .collect();
        let mut last_save = Instant::now();
        let (sender, receiver) = mpsc::channel::<Message>();
        let mut running = 0usize;
        // Outputs rendered in a leader's pass, waiting for their stage's
        // decision: used if it is stale, dropped if it is fresh.
        let mut prepared: HashMap<NodeIndex, Prepared> = HashMap::new();

        pool.in_place_scope(|scope| {
            loop {
                while let Some(Reverse(next)) = ready.pop() {
                    let node = graph.order()[next];
                    let stage = graph.stage(node);
                    // What its leader's pass left for it, if anything.
                    let led = prepared.remove(&node);
                    let mut outcome = StageOutcome::of(stage, Status::Fresh, Reason::UpToDate);
                    outcome.materialised =
                        stage.output_path().map(|path| Path::new("out").join(path));
                    let files = match parts.stage_files(stage, &fingerprints) {
                        Ok(files) => files,
                        Err(error) => {
                            outcome.fail(error.to_string());
                            progress.finished(&outcome);
                            outcomes[node.index()] = Some(outcome);
                            failures.push((node, miette::Report::new(error)));
                            running += learn_digests(scope, &sender, parts, pending, stage);
                            continue;
                        }
                    };
                    let inputs = parts.input_objects(graph, node, &outputs);
                    match parts.decide(state, stage, &files, &inputs) {
                        Decision::Fresh {
                            key,
                            output,
                            restored,
                        } => {
                            state.touch(&key);
                            if restored {
                                let manifest = manifest(stage, &files, &inputs);
                                state.set_stage(stage.id(), key, manifest);
                                outcome.reason = Reason::Restored;
                            }
                            outcome.key = Some(key);
                            if let Err(error) =
                                materialise(parts.dir, parts.store, parts.stats, stage, &output)
                            {
                                outcome.fail(error.to_string());
                                progress.finished(&outcome);
                                outcomes[node.index()] = Some(outcome);
                                failures.push((node, miette::Report::new(error)));
                                continue;
                            }
                            outcome.output = Some(output);
                            progress.finished(&outcome);
                            outcomes[node.index()] = Some(outcome);
                            outputs[node.index()] = Some(output);
                            release(
                                graph,
                                node,
                                &selected,
                                &mut remaining,
                                &position,
                                &mut ready,
                            );
                        }
                        decision => {
                            if let Decision::Stale { key, reason } = decision {
                                // A recorded output that was missing or damaged.
                                state.remove_action(&key);
                                outcome.key = Some(key);
                                outcome.reason = reason;
                            } else {
                                outcome.reason = Reason::New;
                            }
                            outcome.status = Status::Ran;
                            progress.started(stage.id(), stage.kind());
                            running += 1;
                            let followers = if led.is_none() && options.lead {
                                followers(graph, node, &selected)
                            } else {
                                Vec::new()
                            };
                            let job = Job {
                                node,
                                stage,
                                outcome,
                                files,
                                inputs,
                                followers,
                                prepared: led,
                                project_dir: parts.dir,
                                store: parts.store,
                                stats: parts.stats,
                                pending,
                            };
                            let sender = sender.clone();
                            scope.spawn(move |_| {
                                let _ = sender.send(Message::Finished(Box::new(job.run())));
                            });
                        }
                    }
                }
                if running == 0 {
                    break;
                }
                let Ok(message) = receiver.recv() else {
                    break;
                };
                running -= 1;
                if let Message::Finished(completion) = message {
                    let Completion {
                        node,
                        mut outcome,
                        result,
                        files,
                        inputs,
                        followers,
                    } = *completion;
                    let stage = graph.stage(node);
                    match result {
                        Ok((output, size, materialise_error)) => {
                            // Recorded below, at once when its files'
                            // digests are known.
                            unrecorded.push(Unrecorded {
                                node,
                                files,
                                inputs,
                                output,
                                size,
                            });
                            outcome.output = Some(output);
                            if let Some(error) = materialise_error {
                                outcome.fail(error.to_string());
                                failures.push((node, error));
                            } else {
                                outputs[node.index()] = Some(output);
                                prepared.extend(followers);
                                release(
                                    graph,
                                    node,
                                    &selected,
                                    &mut remaining,
                                    &position,
                                    &mut ready,
                                );
                            }
                        }
                        Err(error) => {
                            outcome.fail(one_line(&error));
                            failures.push((node, error));
                        }
                    }
                    progress.finished(&outcome);
                    outcomes[node.index()] = Some(outcome);
                    running += learn_digests(scope, &sender, parts, pending, stage);
                }
                // A stage that ran is recorded once its files' digests are
                // known: at once, or when a digest learnt completes them.
                record_ran(
                    graph,
                    state,
                    &mut outcomes,
                    &mut unrecorded,
                    pending,
                    parts.stats,
                    false,
                );
                if last_save.elapsed() >= options.save_interval {
                    let _ = save(parts.dir, state, parts.stats);
                    last_save = Instant::now();
                }
            }
        });

        // Record the stages still waiting for digests (a file whose readers
        // did not all finish, after a failure): hashed now.
        pool.install(|| {
            record_ran(
                graph,
                state,
                &mut outcomes,
                &mut unrecorded,
                pending,
                parts.stats,
                true,
            )
        });

        // Stages left without an outcome sit downstream of a failure.
        let mut root_failure: Vec<Option<String>> = vec![None; graph.len()];
        for &(node, _) in &failures {
            root_failure[node.index()] = Some(graph.stage(node).id().to_owned());
        }
        for &node in graph.order() {
            if !selected[node.index()] || outcomes[node.index()].is_some() {
                continue;
            }
            let root = graph
                .inputs(node)
                .iter()
                .find_map(|input| root_failure[input.index()].clone())
                .unwrap_or_default();
            root_failure[node.index()] = Some(root.clone());
            let stage = graph.stage(node);
            let outcome = StageOutcome::of(stage, Status::Skipped, Reason::InputFailed(root));
            progress.finished(&outcome);
            outcomes[node.index()] = Some(outcome);
        }

        if options.targets.is_empty() && failures.is_empty() {
            state.retain_stages(|id| graph.node(id).is_some());
        }
        save(parts.dir, state, parts.stats)?;

        let outcomes: Vec<StageOutcome> = graph
            .order()
            .iter()
            .filter_map(|node| outcomes[node.index()].take())
            .collect();
        failures.sort_by_key(|(node, _)| position[node]);
        let count = |status| outcomes.iter().filter(|o| o.status == status).count();
        let summary = Summary {
            ran: count(Status::Ran),
            fresh: count(Status::Fresh),
            failed: count(Status::Failed),
            skipped: count(Status::Skipped),
            seconds: started.elapsed().as_secs_f64(),
        };
        progress.end(&summary);
        Ok(BuildReport {
            outcomes,
            failures: failures
                .into_iter()
                .map(|(node, report)| (graph.stage(node).id().to_owned(), report))
                .collect(),
            summary,
        })
    }

    /// Shrinks the store: deletes objects no key refers to, then, when
    /// `max_size` is given, the least recently used objects until the store
    /// holds at most `max_size` bytes.
    pub fn gc(&mut self, max_size: Option<u64>) -> Result<GcReport, EngineError> {
        let root = self.store.root().to_path_buf();
        let io_error = |source| EngineError::io(&root, source);
        self.store.clear_temporaries().map_err(io_error)?;
        let objects = self.store.list().map_err(io_error)?;
        let mut last_used: HashMap<Digest, u64> = HashMap::new();
        for action in self.state.actions.values() {
            let entry = last_used.entry(action.output).or_insert(0);
            *entry = (*entry).max(action.last_used);
        }
        let mut report = GcReport {
            objects_before: objects.len(),
            bytes_before: objects.iter().map(|object| object.size).sum(),
            ..GcReport::default()
        };
        // Unreferenced objects first (as if never used), then oldest first;
        // ties broken by digest so the result is deterministic.
        let mut candidates: Vec<(u64, Digest, u64, bool)> = objects
            .iter()
            .map(|object| {
                let used = last_used.get(&object.digest).copied();
                (
                    used.unwrap_or(0),
                    object.digest,
                    object.size,
                    used.is_some(),
                )
            })
            .collect();
        candidates.sort();
        let mut kept = report.bytes_before;
        for (_, digest, size, referenced) in candidates {
            let over = max_size.is_some_and(|limit| kept > limit);
            if referenced && !over {
                continue;
            }
            self.store.remove(&digest, &self.stats).map_err(io_error)?;
            kept -= size;
            report.objects_removed += 1;
            report.bytes_removed += size;
        }
        let store = &self.store;
        self.state
            .retain_outputs(|digest| store.object_path(digest).is_file());
        self.stats.prune();
        self.save()?;
        Ok(report)
    }
}

fn save(dir: &Path, state: &mut State, stats: &StatCache) -> Result<(), EngineError> {
    let state_path = State::path(dir);
    state
        .save(&state_path)
        .map_err(|source| EngineError::io(state_path, source))?;
    let stats_path = stat_cache_path(dir);
    stats
        .save(&stats_path)
        .map_err(|source| EngineError::io(stats_path, source))
}

/// Removes `DIR/out/`, under the project lock. Returns false when there was
/// nothing to remove.
pub fn clean(project_dir: &Path, on_wait: impl FnOnce(&Path)) -> Result<bool, EngineError> {
    let _lock = ProjectLock::acquire(project_dir, on_wait)?;
    let out = out_dir(project_dir);
    match fs::remove_dir_all(&out) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(EngineError::io(out, error)),
    }
}

fn materialise(
    project_dir: &Path,
    store: &Store,
    stats: &StatCache,
    stage: &dyn Stage,
    output: &Digest,
) -> Result<(), EngineError> {
    if let Some(relative) = stage.output_path() {
        let destination = out_dir(project_dir).join(relative);
        store
            .materialise(output, &destination, stats)
            .map_err(|source| EngineError::io(destination, source))?;
    }
    Ok(())
}

/// The selected dependants of `node` its stage can render in its own pass
/// ([`Stage::can_lead`]): each has `node` as its one input and reads no
/// source file, so it can be keyed as soon as `node` is done.
fn followers<'g>(
    graph: &'g StageGraph,
    node: NodeIndex,
    selected: &[bool],
) -> Vec<(NodeIndex, &'g dyn Stage)> {
    let leader = graph.stage(node);
    let mut found: Vec<NodeIndex> = graph
        .dependants(node)
        .filter(|dependant| {
            let stage = graph.stage(*dependant);
            selected[dependant.index()]
                && graph.inputs(*dependant) == [node]
                && stage.files().is_empty()
                && leader.can_lead(stage)
        })
        .collect();
    found.sort();
    found.dedup();
    found
        .into_iter()
        .map(|dependant| (dependant, graph.stage(dependant)))
        .collect()
}

/// Marks `node` done and queues its selected dependants that have all
/// their inputs now.
fn release(
    graph: &StageGraph,
    node: NodeIndex,
    selected: &[bool],
    remaining: &mut [usize],
    position: &HashMap<NodeIndex, usize>,
    ready: &mut BinaryHeap<Reverse<usize>>,
) {
    for dependant in graph.dependants(node) {
        if !selected[dependant.index()] {
            continue;
        }
        // An input listed twice is one edge but counts twice.
        let uses = graph
            .inputs(dependant)
            .iter()
            .filter(|input| **input == node)
            .count();
        remaining[dependant.index()] -= uses;
        if remaining[dependant.index()] == 0 {
            ready.push(Reverse(position[&dependant]));
        }
    }
}

/// What a worker sends the scheduler.
enum Message {
    /// A stage finished.
    Finished(Box<Completion>),
    /// A source file's digest was learnt.
    Learnt,
}

/// A stage that ran, to be recorded in the state once its files' digests
/// are known (at once, unless a clean build is still learning one).
struct Unrecorded {
    node: NodeIndex,
    files: Vec<SourceFile>,
    inputs: Vec<InputObject>,
    output: Digest,
    size: u64,
}

/// After `stage` finished: hashes, on the pool, each pending file of its
/// whose last reader it was and that no tap saw whole. Returns how many
/// hashing jobs were started (each sends [`Message::Learnt`]).
fn learn_digests<'s>(
    scope: &rayon::Scope<'s>,
    sender: &mpsc::Sender<Message>,
    parts: Parts<'s>,
    pending: &PendingSources,
    stage: &dyn Stage,
) -> usize {
    let paths: Vec<PathBuf> = stage
        .files()
        .iter()
        .map(|file| parts.dir.join(file))
        .collect();
    let sources = pending.reader_finished(paths.iter().map(PathBuf::as_path));
    let started = sources.len();
    for source in sources {
        let sender = sender.clone();
        let stats = parts.stats;
        scope.spawn(move |_| {
            source.resolve(stats, true);
            let _ = sender.send(Message::Learnt);
        });
    }
    started
}

/// Records each stage that ran whose files' digests are all known now (all
/// of them when `hash`, hashing the files no stage read whole, in
/// parallel); drops those with a file that changed during the build (they
/// run again next time); keeps the rest waiting.
fn record_ran(
    graph: &StageGraph,
    state: &mut State,
    outcomes: &mut [Option<StageOutcome>],
    unrecorded: &mut Vec<Unrecorded>,
    pending: &PendingSources,
    stats: &StatCache,
    hash: bool,
) {
    let learn = |stage: &Unrecorded| learnt_digests(&stage.files, pending, stats, hash);
    // Hashing runs on the pool (the caller installs it); a check of what
    // is already known stays on the scheduler's thread.
    let learnt: Vec<Option<Vec<SourceFile>>> = if hash {
        unrecorded.par_iter().map(learn).collect()
    } else {
        unrecorded.iter().map(learn).collect()
    };
    let mut waiting = Vec::new();
    for (stage, files) in std::mem::take(unrecorded).into_iter().zip(learnt) {
        let Some(files) = files else {
            continue;
        };
        let node = graph.stage(stage.node);
        match key_fields(node, &files, &stage.inputs, true) {
            Some((key, manifest)) => {
                state.set_action(key, stage.output, stage.size);
                state.set_stage(node.id(), key, manifest);
                if let Some(outcome) = outcomes[stage.node.index()].as_mut() {
                    outcome.key = Some(key);
                }
            }
            None => waiting.push(stage),
        }
    }
    *unrecorded = waiting;
}

/// The stage's files with the digests learnt so far filled in (all of
/// them when `hash`, reading the files no stage read whole); `None` when a
/// file changed during the build.
fn learnt_digests(
    files: &[SourceFile],
    pending: &PendingSources,
    stats: &StatCache,
    hash: bool,
) -> Option<Vec<SourceFile>> {
    files
        .iter()
        .map(|file| {
            let mut file = file.clone();
            if file.digest.is_none() {
                if let Some(source) = pending.get(&file.path) {
                    file.digest = match source.resolve(stats, hash) {
                        Resolution::Known(digest) => Some(digest),
                        Resolution::Pending => None,
                        Resolution::Changed => return None,
                    };
                }
            }
            Some(file)
        })
        .collect()
}

/// The key of a stage, and its manifest when asked: one call of
/// [`crate::engine::key::write_stage_key`] for each. `None` while a file's digest
/// is not known.
fn key_fields(
    stage: &dyn Stage,
    files: &[SourceFile],
    inputs: &[InputObject],
    with_manifest: bool,
) -> Option<(Digest, Manifest)> {
    let declared: Vec<String> = files
        .iter()
        .map(|file| file.declared.to_string_lossy().replace('\\', "/"))
        .collect();
    let files: Vec<(&str, Digest)> = declared
        .iter()
        .zip(files)
        .map(|(name, file)| Some((name.as_str(), file.digest?)))
        .collect::<Option<_>>()?;
    let inputs: Vec<(&str, Digest)> = inputs
        .iter()
        .map(|input| (input.id.as_str(), input.digest))
        .collect();
    let params = |params: &mut crate::engine::key::Params<'_>| stage.params(params);
    let key = stage_key(stage.id(), stage.kind(), &params, &files, &inputs);
    let manifest = if with_manifest {
        stage_manifest(stage.id(), stage.kind(), &params, &files, &inputs)
    } else {
        Manifest::default()
    };
    Some((key, manifest))
}

/// The manifest of a stage whose files' digests are known (an empty one
/// otherwise).
fn manifest(stage: &dyn Stage, files: &[SourceFile], inputs: &[InputObject]) -> Manifest {
    key_fields(stage, files, inputs, true)
        .map(|(_, manifest)| manifest)
        .unwrap_or_default()
}

fn one_line(report: &miette::Report) -> String {
    report.to_string().lines().collect::<Vec<_>>().join(" ")
}

/// A stale stage handed to a worker thread.
struct Job<'a> {
    node: NodeIndex,
    stage: &'a dyn Stage,
    outcome: StageOutcome,
    files: Vec<SourceFile>,
    inputs: Vec<InputObject>,
    /// Dependants to render in this stage's pass.
    followers: Vec<(NodeIndex, &'a dyn Stage)>,
    /// This stage's output, already rendered in its input's pass.
    prepared: Option<Prepared>,
    project_dir: &'a Path,
    store: &'a Store,
    stats: &'a StatCache,
    pending: &'a PendingSources,
}

/// What a leader's pass left for a follower that did not fail there (one
/// that failed runs on its own, so any error is its own run's).
struct Prepared {
    made: Made,
    /// How long the leader's pass took.
    seconds: f64,
}

/// A follower's part of its leader's pass.
enum Made {
    /// Its output, not yet finished into the store.
    Output(Box<ObjectWriter>),
    /// What the pass learnt for the follower's own run
    /// ([`Stage::run_carried`]).
    Carry(Box<dyn std::any::Any + Send>),
}

/// A finished job: the output object and size (and a materialisation
/// failure), or the stage's error; and what its pass left for its
/// followers.
struct Completion {
    node: NodeIndex,
    outcome: StageOutcome,
    result: Result<(Digest, u64, Option<miette::Report>), miette::Report>,
    files: Vec<SourceFile>,
    inputs: Vec<InputObject>,
    followers: Vec<(NodeIndex, Prepared)>,
}

impl Job<'_> {
    fn run(self) -> Completion {
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
        } = self;
        let started = Instant::now();
        let mut earlier = 0.0;
        let mut led_nodes: Vec<NodeIndex> = Vec::new();
        let mut led: Vec<Follower<'_>> = Vec::new();
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
                })
            };
            let output = match prepared {
                Some(Prepared {
                    made: Made::Carry(carry),
                    seconds,
                }) => {
                    earlier = seconds;
                    let mut context = context()?;
                    stage.run_carried(&mut context, carry)?;
                    context.output
                }
                Some(Prepared {
                    made: Made::Output(output),
                    seconds,
                }) => {
                    earlier = seconds;
                    *output
                }
                None => {
                    for (node, stage) in followers {
                        led_nodes.push(node);
                        led.push(Follower {
                            stage,
                            output: writer()?,
                            error: None,
                            carry: None,
                        });
                    }
                    let mut context = context()?;
                    if led.is_empty() {
                        stage.run(&mut context)?;
                    } else {
                        stage.run_leading(&mut context, &mut led)?;
                    }
                    context.output
                }
            };
            let (output, size) = output
                .finish(stats)
                .map_err(|source| EngineError::io(store.root(), source))?;
            let materialised = materialise(project_dir, store, stats, stage, &output)
                .err()
                .map(miette::Report::new);
            Ok::<_, miette::Report>((output, size, materialised))
        }));
        let result = attempt.unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(miette::Report::new(EngineError::StagePanicked {
                stage: stage.id().to_owned(),
                message,
            }))
        });
        let seconds = started.elapsed().as_secs_f64();
        outcome.seconds = earlier + seconds;
        let followers = led_nodes
            .into_iter()
            .zip(led)
            .filter(|(_, follower)| follower.error.is_none())
            .map(|(node, follower)| {
                let made = match follower.carry {
                    Some(carry) => Made::Carry(carry),
                    None => Made::Output(Box::new(follower.output)),
                };
                (node, Prepared { made, seconds })
            })
            .collect();
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
