//! The scheduler (the role of n2's `work.rs`): the state of one build, a
//! [`StageState`] per stage, and its loop. A stage is queued once its
//! inputs are done, decided fresh or stale when it is dequeued
//! ([`crate::engine::decide`]), and a stale one runs on the pool
//! ([`crate::engine::job`]) while the loop goes on; its completion
//! releases its dependants.
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
//! read them ([`crate::engine::source_digest`]); each stage is recorded
//! under its key once its files' digests are known
//! ([`crate::engine::record`]).
//!
//! With a remote cache, a stale stage is looked up there first, on the
//! remote threads ([`fetch`]): a hit is done like a fresh stage, a miss
//! runs; what ran is uploaded once it is recorded (with uploads on).
//!
//! A stage that runs may render, in its own pass, dependants it can lead
//! ([`crate::engine::lead`]): they are queued with what the pass left
//! them ([`StageState::Led`]) and decided like any other stage.

mod fetch;

use std::{cmp::Reverse, collections::BinaryHeap, sync::mpsc, time::Instant};

use petgraph::graph::NodeIndex;

use crate::engine::{
    db::State,
    decide::{manifest, Decision},
    files::Sources,
    graph::StageGraph,
    job::{Completion, Job, Message},
    key::Digest,
    lead::{followers, Prepared},
    open::{save, Parts},
    options::BuildOptions,
    out::{materialise, materialised_path},
    outcome::{Reason, StageOutcome, Status},
    progress::Progress,
    record::{record_ran, Unrecorded},
    remote::workers::Tasks,
    stage::{InputObject, SourceFile, Stage},
};

/// Where a stage is in a build.
pub(super) enum StageState {
    /// Not selected: not part of this build.
    Unselected,
    /// Waiting for this many of its inputs (one listed twice counts twice).
    Waiting { inputs_left: usize },
    /// Queued: its inputs are done.
    Ready,
    /// Queued with what its leader's pass left it.
    Led(Prepared),
    /// Being decided, or running on the pool.
    Running,
    /// Fresh or ran: its output, for its dependants.
    Done(Digest),
    /// It failed (its run, a file of it or its materialisation).
    Failed,
    /// Not run because an input failed; the stage that failed first.
    Skipped(String),
}

/// One build's state.
pub(super) struct Schedule<'a> {
    graph: &'a StageGraph,
    parts: Parts<'a>,
    state: &'a mut State,
    sources: &'a Sources,
    options: &'a BuildOptions,
    progress: &'a dyn Progress,
    stages: Vec<StageState>,
    /// Each stage's position in the graph's order.
    position: Vec<usize>,
    /// Queued stages, by position: the earliest runs first.
    ready: BinaryHeap<Reverse<usize>>,
    /// Jobs on the pool (stages and digests being learnt).
    running: usize,
    outcomes: Vec<Option<StageOutcome>>,
    failures: Vec<(NodeIndex, miette::Report)>,
    /// Stages that ran and are not recorded yet: at once if their files'
    /// digests are known, else once they are learnt.
    unrecorded: Vec<Unrecorded>,
    last_save: Instant,
    /// The remote cache and the queue to its threads, when there is one.
    remote: Option<fetch::RemoteLink<'a>>,
}

/// The scope the jobs of a build run in.
type Scope<'s> = rayon::Scope<'s>;

impl<'a> Schedule<'a> {
    /// A build of the `selected` stages, those without inputs queued.
    // The build's borrowed pieces, each from a different owner.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        graph: &'a StageGraph,
        selected: &[bool],
        parts: Parts<'a>,
        state: &'a mut State,
        sources: &'a Sources,
        options: &'a BuildOptions,
        progress: &'a dyn Progress,
        tasks: Option<Tasks<'a>>,
    ) -> Self {
        let mut position = vec![0; graph.len()];
        for (index, node) in graph.order().iter().enumerate() {
            position[node.index()] = index;
        }
        let stages = selected
            .iter()
            .enumerate()
            .map(|(index, chosen)| {
                let inputs_left = graph.inputs(NodeIndex::new(index)).len();
                match (chosen, inputs_left) {
                    (false, _) => StageState::Unselected,
                    (true, 0) => StageState::Ready,
                    (true, inputs_left) => StageState::Waiting { inputs_left },
                }
            })
            .collect::<Vec<_>>();
        let ready = (0..graph.len())
            .filter(|index| matches!(stages[*index], StageState::Ready))
            .map(|index| Reverse(position[index]))
            .collect();
        Self {
            graph,
            parts,
            state,
            sources,
            options,
            progress,
            stages,
            position,
            ready,
            running: 0,
            outcomes: vec![None; graph.len()],
            failures: Vec::new(),
            unrecorded: Vec::new(),
            last_save: Instant::now(),
            remote: fetch::RemoteLink::new(options, tasks),
        }
    }

    /// Runs the build on `pool` until nothing is queued or running, then
    /// records the stages still waiting for their files' digests.
    pub(super) fn run(&mut self, pool: &rayon::ThreadPool) {
        let (sender, receiver) = mpsc::channel::<Message>();
        pool.in_place_scope(|scope| loop {
            while let Some(Reverse(next)) = self.ready.pop() {
                self.start(scope, &sender, self.graph.order()[next]);
            }
            if self.running == 0 {
                break;
            }
            let Ok(message) = receiver.recv() else {
                break;
            };
            self.running -= 1;
            match message {
                Message::Finished(completion) => self.finished(scope, &sender, *completion),
                Message::Fetched(fetched) => self.fetched(scope, &sender, *fetched),
                Message::Learnt => {}
            }
            self.record(false);
            if self.last_save.elapsed() >= self.options.save_interval {
                let _ = save(self.parts.dir, self.state, self.parts.stats);
                self.last_save = Instant::now();
            }
        });
        // A file whose readers did not all finish (after a failure) is
        // hashed now.
        pool.install(|| self.record(true));
    }

    /// Decides a queued stage: fresh, it is done; stale, it runs.
    fn start(&mut self, scope: &Scope<'a>, sender: &mpsc::Sender<Message>, node: NodeIndex) {
        let led = match std::mem::replace(&mut self.stages[node.index()], StageState::Running) {
            StageState::Led(prepared) => Some(prepared),
            _ => None,
        };
        let stage = self.graph.stage(node);
        let mut outcome = StageOutcome::of(stage, Status::Fresh, Reason::UpToDate);
        if self.options.materialise {
            outcome.materialised = materialised_path(stage);
        }
        let files = match self.parts.stage_files(stage, &self.sources.fingerprints) {
            Ok(files) => files,
            Err(error) => {
                self.fail(node, outcome, error.to_string(), miette::Report::new(error));
                self.learn(scope, sender, stage);
                return;
            }
        };
        let inputs = self
            .parts
            .input_objects(self.graph, node, |input| self.output(input));
        match self.parts.decide(self.state, stage, &files, &inputs) {
            Decision::Fresh {
                key,
                output,
                restored,
            } => {
                self.state.touch(&key);
                if restored {
                    let manifest = manifest(stage, &files, &inputs);
                    self.state.set_stage(stage.id(), key, manifest);
                    outcome.reason = Reason::Restored;
                }
                outcome.key = Some(key);
                self.fresh(node, outcome, output);
            }
            Decision::Stale { key, reason } => {
                // A recorded output that was missing or damaged.
                self.state.remove_action(&key);
                outcome.key = Some(key);
                outcome.reason = reason;
                if led.is_none() && self.remote.is_some() {
                    return self.look_up(sender, node, outcome, files, inputs, key);
                }
                let job = self.job(node, outcome, files, inputs, led);
                self.spawn(scope, sender, job);
            }
            Decision::Unkeyed => {
                outcome.reason = Reason::New;
                let job = self.job(node, outcome, files, inputs, led);
                self.spawn(scope, sender, job);
            }
        }
    }

    /// A fresh stage's output materialised (when the build materialises):
    /// it is done.
    fn fresh(&mut self, node: NodeIndex, mut outcome: StageOutcome, output: Digest) {
        let stage = self.graph.stage(node);
        let parts = self.parts;
        if self.options.materialise {
            if let Err(error) = materialise(parts.dir, parts.store, parts.stats, stage, &output) {
                let message = error.to_string();
                return self.fail(node, outcome, message, miette::Report::new(error));
            }
        }
        outcome.output = Some(output);
        self.progress.finished(&outcome);
        self.outcomes[node.index()] = Some(outcome);
        self.stages[node.index()] = StageState::Done(output);
        self.release(node);
    }

    /// The job of a stale stage: it leads its followers unless it is led
    /// itself.
    fn job(
        &mut self,
        node: NodeIndex,
        mut outcome: StageOutcome,
        files: Vec<SourceFile>,
        inputs: Vec<InputObject>,
        led: Option<Prepared>,
    ) -> Job<'a> {
        let graph = self.graph;
        let stage = graph.stage(node);
        outcome.status = Status::Ran;
        outcome.led_by = led
            .as_ref()
            .map(|prepared| graph.stage(prepared.leader).id().to_owned());
        let followers = match led {
            None if self.options.lead => followers(graph, node, |dependant| {
                !matches!(self.stages[dependant.index()], StageState::Unselected)
            }),
            _ => Vec::new(),
        };
        let sources: &'a Sources = self.sources;
        let previous = self
            .state
            .stages
            .get(stage.id())
            .and_then(|record| self.state.actions.get(&record.key))
            .map(|action| action.output);
        let previous_unshared = previous.is_some_and(|digest| {
            !self.state.stages.iter().any(|(id, record)| {
                id != stage.id()
                    && self
                        .state
                        .actions
                        .get(&record.key)
                        .is_some_and(|action| action.output == digest)
            })
        });
        Job {
            node,
            stage,
            outcome,
            files,
            inputs,
            followers,
            prepared: led,
            project_dir: self.parts.dir,
            store: self.parts.store,
            stats: self.parts.stats,
            pending: &sources.pending,
            materialise: self.options.materialise,
            previous,
            previous_unshared,
        }
    }

    /// Runs a stale stage's job on the pool.
    fn spawn(&mut self, scope: &Scope<'a>, sender: &mpsc::Sender<Message>, job: Job<'a>) {
        self.progress.started(job.stage.id(), job.stage.kind());
        self.running += 1;
        let sender = sender.clone();
        scope.spawn(move |_| {
            let _ = sender.send(Message::Finished(Box::new(job.run())));
        });
    }

    /// A job came back: its stage is done (its followers queued with what
    /// its pass left them) or failed.
    fn finished(&mut self, scope: &Scope<'a>, sender: &mpsc::Sender<Message>, done: Completion) {
        let Completion {
            node,
            mut outcome,
            result,
            files,
            inputs,
            followers,
        } = done;
        let stage = self.graph.stage(node);
        match result {
            Ok((output, size, materialise_error)) => {
                self.unrecorded.push(Unrecorded {
                    node,
                    files,
                    inputs,
                    output,
                    size,
                });
                outcome.output = Some(output);
                if let Some(error) = materialise_error {
                    self.fail(node, outcome, error.to_string(), error);
                } else {
                    self.progress.finished(&outcome);
                    self.outcomes[node.index()] = Some(outcome);
                    self.stages[node.index()] = StageState::Done(output);
                    self.release(node);
                    for (follower, prepared) in followers {
                        let state = &mut self.stages[follower.index()];
                        if matches!(state, StageState::Ready) {
                            *state = StageState::Led(prepared);
                        }
                    }
                }
            }
            Err(error) => self.fail(node, outcome, one_line(&error), error),
        }
        self.learn(scope, sender, stage);
    }

    /// Marks `node` failed with `error`, `message` in its outcome.
    fn fail(
        &mut self,
        node: NodeIndex,
        mut outcome: StageOutcome,
        message: String,
        error: miette::Report,
    ) {
        outcome.fail(message);
        self.progress.finished(&outcome);
        self.outcomes[node.index()] = Some(outcome);
        self.stages[node.index()] = StageState::Failed;
        self.failures.push((node, error));
    }

    /// Counts `node` done for its selected dependants, queueing those that
    /// have all their inputs now.
    fn release(&mut self, node: NodeIndex) {
        for dependant in self.graph.dependants(node) {
            let state = &mut self.stages[dependant.index()];
            let StageState::Waiting { inputs_left } = state else {
                continue;
            };
            // An input listed twice is one edge but counts twice.
            let uses = self
                .graph
                .inputs(dependant)
                .iter()
                .filter(|input| **input == node)
                .count();
            *inputs_left -= uses;
            if *inputs_left == 0 {
                *state = StageState::Ready;
                self.ready.push(Reverse(self.position[dependant.index()]));
            }
        }
    }

    /// After `stage` finished (or failed): hashes, on the pool, each pending
    /// file of its whose last reader it was and that no tap saw whole.
    fn learn(&mut self, scope: &Scope<'a>, sender: &mpsc::Sender<Message>, stage: &dyn Stage) {
        let dir = self.parts.dir;
        let paths: Vec<_> = stage.files().iter().map(|file| dir.join(file)).collect();
        let sources = self
            .sources
            .pending
            .reader_finished(paths.iter().map(|path| path.as_path()));
        for source in sources {
            let sender = sender.clone();
            let stats = self.parts.stats;
            self.running += 1;
            scope.spawn(move |_| {
                source.resolve(stats, true);
                let _ = sender.send(Message::Learnt);
            });
        }
    }

    /// Records the stages that ran whose files' digests are known (all,
    /// hashing what is left, when `hash`).
    fn record(&mut self, hash: bool) {
        let recorded = record_ran(
            self.graph,
            self.state,
            &mut self.outcomes,
            &mut self.unrecorded,
            &self.sources.pending,
            self.parts.stats,
            hash,
        );
        self.upload(recorded);
    }

    /// The output of a done stage.
    fn output(&self, node: NodeIndex) -> Option<Digest> {
        match self.stages[node.index()] {
            StageState::Done(output) => Some(output),
            _ => None,
        }
    }

    /// The stage whose failure stopped `node`, if one did.
    fn failed_first(&self, node: NodeIndex) -> Option<String> {
        match &self.stages[node.index()] {
            StageState::Failed => Some(self.graph.stage(node).id().to_owned()),
            StageState::Skipped(root) => Some(root.clone()),
            _ => None,
        }
    }

    /// Ends the build: the stages left without an outcome sit downstream
    /// of a failure and are skipped. Every selected stage's outcome, in
    /// topological order, and the failures, in the same order.
    pub(super) fn finish(mut self) -> (Vec<StageOutcome>, Vec<(String, miette::Report)>) {
        let graph = self.graph;
        for &node in graph.order() {
            if matches!(self.stages[node.index()], StageState::Unselected)
                || self.outcomes[node.index()].is_some()
            {
                continue;
            }
            let root = graph
                .inputs(node)
                .iter()
                .find_map(|input| self.failed_first(*input))
                .unwrap_or_default();
            let stage = graph.stage(node);
            let outcome =
                StageOutcome::of(stage, Status::Skipped, Reason::InputFailed(root.clone()));
            self.progress.finished(&outcome);
            self.outcomes[node.index()] = Some(outcome);
            self.stages[node.index()] = StageState::Skipped(root);
        }
        let outcomes = graph
            .order()
            .iter()
            .filter_map(|node| self.outcomes[node.index()].take())
            .collect();
        let position = &self.position;
        self.failures
            .sort_by_key(|(node, _)| position[node.index()]);
        let failures = self
            .failures
            .into_iter()
            .map(|(node, report)| (graph.stage(node).id().to_owned(), report))
            .collect();
        (outcomes, failures)
    }
}

/// An error on one line, for an outcome's reason.
fn one_line(report: &miette::Report) -> String {
    report.to_string().lines().collect::<Vec<_>>().join(" ")
}
