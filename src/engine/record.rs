//! Recording the stages that ran: each under its key, in the build state,
//! once its files' digests are known (at once, unless a clean build is
//! still learning one as the stages read it, see
//! [`crate::engine::source_digest`]).

use petgraph::graph::NodeIndex;
use rayon::prelude::*;

use crate::engine::{
    db::State,
    decide::key_fields,
    fingerprint::StatCache,
    graph::StageGraph,
    key::Digest,
    outcome::StageOutcome,
    source_digest::{PendingSources, Resolution},
    stage::{InputObject, SourceFile},
};

/// A stage recorded: its node, key, output, size and files (with the
/// digests its key was computed with).
pub(super) type Recorded = (NodeIndex, Digest, Digest, u64, Vec<SourceFile>);

/// A stage that ran, to be recorded in the state once its files' digests
/// are known.
pub(super) struct Unrecorded {
    pub(super) node: NodeIndex,
    pub(super) files: Vec<SourceFile>,
    pub(super) inputs: Vec<InputObject>,
    pub(super) output: Digest,
    pub(super) size: u64,
}

/// Records each stage that ran whose files' digests are all known now (all
/// of them when `hash`, hashing the files no stage read whole, in
/// parallel); drops those with a file that changed during the build (they
/// run again next time); keeps the rest waiting. A recorded stage's
/// outcome gets its key. Returns the stages recorded.
pub(super) fn record_ran(
    graph: &StageGraph,
    state: &mut State,
    outcomes: &mut [Option<StageOutcome>],
    unrecorded: &mut Vec<Unrecorded>,
    pending: &PendingSources,
    stats: &StatCache,
    hash: bool,
) -> Vec<Recorded> {
    let learn = |stage: &Unrecorded| learnt_digests(&stage.files, pending, stats, hash);
    // Hashing runs on the pool (the caller installs it); a check of what
    // is already known stays on the scheduler's thread.
    let learnt: Vec<Option<Vec<SourceFile>>> = if hash {
        unrecorded.par_iter().map(learn).collect()
    } else {
        unrecorded.iter().map(learn).collect()
    };
    let mut waiting = Vec::new();
    let mut recorded = Vec::new();
    for (stage, files) in std::mem::take(unrecorded).into_iter().zip(learnt) {
        let Some(files) = files else {
            continue;
        };
        let node = graph.stage(stage.node);
        match key_fields(node, &files, &stage.inputs, true) {
            Some((key, manifest)) => {
                state.set_action(key, stage.output, stage.size);
                state.set_stage(node.id(), key, manifest);
                recorded.push((stage.node, key, stage.output, stage.size, files));
                if let Some(outcome) = outcomes[stage.node.index()].as_mut() {
                    outcome.key = Some(key);
                }
            }
            None => waiting.push(stage),
        }
    }
    *unrecorded = waiting;
    recorded
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
