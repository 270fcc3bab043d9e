//! The scheduler's remote steps: a stale stage is looked up in the remote
//! cache before it renders ([`Schedule::look_up`], on a remote thread), a
//! hit is done like a fresh stage and a miss renders
//! ([`Schedule::fetched`]); a stage that ran is uploaded once recorded
//! under its key ([`Schedule::upload`]).

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::mpsc,
    time::Instant,
};

use petgraph::graph::NodeIndex;

use super::{Schedule, Scope};
use crate::engine::{
    decide::manifest,
    job::{Fetched, Message},
    key::Digest,
    options::BuildOptions,
    outcome::{StageOutcome, Status},
    record::Recorded,
    remote::{
        manifest::RemoteManifest,
        seconds_since,
        workers::{Task, Tasks},
        Lookup, Remote,
    },
    stage::{InputObject, SourceFile},
};

/// The remote cache of a build, and the queue to its threads.
pub(super) struct RemoteLink<'a> {
    remote: &'a Remote,
    tasks: Tasks<'a>,
}

impl<'a> RemoteLink<'a> {
    /// The link when the build has a remote cache and its threads.
    pub(super) fn new(options: &'a BuildOptions, tasks: Option<Tasks<'a>>) -> Option<Self> {
        Some(Self {
            remote: options.remote.as_deref()?,
            tasks: tasks?,
        })
    }

    /// Queues `task`; run here if the threads are gone.
    fn send(&self, task: Task<'a>) {
        if let Err(mpsc::SendError(task)) = self.tasks.send(task) {
            task();
        }
    }
}

impl<'a> Schedule<'a> {
    /// Looks a stale stage with `key` up in the remote cache; the answer
    /// comes back as [`Message::Fetched`].
    pub(super) fn look_up(
        &mut self,
        sender: &mpsc::Sender<Message>,
        node: NodeIndex,
        outcome: StageOutcome,
        files: Vec<SourceFile>,
        inputs: Vec<InputObject>,
        key: Digest,
    ) {
        let Some(link) = &self.remote else {
            return;
        };
        let remote = link.remote;
        let (store, stats) = (self.parts.store, self.parts.stats);
        let sender = sender.clone();
        self.running += 1;
        link.send(Box::new(move || {
            let started = Instant::now();
            let lookup = catch_unwind(AssertUnwindSafe(|| {
                remote.fetch(&key, &outcome.id, store, stats)
            }))
            .unwrap_or(Lookup::Miss);
            let fetched = Fetched {
                node,
                outcome,
                files,
                inputs,
                key,
                lookup,
                seconds: seconds_since(started),
            };
            let _ = sender.send(Message::Fetched(Box::new(fetched)));
        }));
    }

    /// A lookup came back: a hit is done, a miss renders, a required
    /// remote cache that failed fails the stage.
    pub(super) fn fetched(
        &mut self,
        scope: &Scope<'a>,
        sender: &mpsc::Sender<Message>,
        fetched: Fetched,
    ) {
        let Fetched {
            node,
            mut outcome,
            files,
            inputs,
            key,
            lookup,
            seconds,
        } = fetched;
        let stage = self.graph.stage(node);
        match lookup {
            Lookup::Hit(found) => {
                self.state.set_action(key, found.output, found.size);
                self.state
                    .set_stage(stage.id(), key, manifest(stage, &files, &inputs));
                outcome.status = Status::Fetched;
                outcome.seconds = seconds;
                outcome.notes = found.notes;
                self.fresh(node, outcome, found.output);
            }
            Lookup::Miss => {
                let job = self.job(node, outcome, files, inputs, None);
                self.spawn(scope, sender, job);
            }
            Lookup::Failed(message) => {
                let error = match &self.remote {
                    Some(link) => link.remote.required_error(&message),
                    None => return,
                };
                self.fail(node, outcome, error.to_string(), miette::Report::new(error));
                self.learn(scope, sender, stage);
            }
        }
    }

    /// Uploads the stages just recorded, when uploads are on: each output
    /// and its manifest, on the remote threads.
    pub(super) fn upload(&mut self, recorded: Vec<Recorded>) {
        let Some(link) = &self.remote else {
            return;
        };
        if !link.remote.uploads() {
            return;
        }
        for (node, key, output, size, files) in recorded {
            let Some(outcome) = self.outcomes[node.index()].as_ref() else {
                continue;
            };
            let manifest = RemoteManifest {
                key,
                stage: outcome.id.clone(),
                output,
                size,
                notes: outcome.notes.clone(),
                // Upload adds the region index it finds beside the output.
                regions: None,
            };
            let (remote, store, stats) = (link.remote, self.parts.store, self.parts.stats);
            link.send(Box::new(move || {
                // A source that changed since its digest was taken (an
                // edit during the build) would put this output under a
                // key it does not belong to: not uploaded.
                let unchanged = files.iter().all(|file| {
                    file.digest.is_none_or(|digest| {
                        digest == Digest::UNREADABLE
                            || stats.fingerprint(&file.path).ok() == Some(digest)
                    })
                });
                if unchanged {
                    remote.upload(&manifest, store, stats);
                }
            }));
        }
    }
}
