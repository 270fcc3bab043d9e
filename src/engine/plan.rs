//! `Engine::plan`: what `build` would do, running nothing.

use crate::engine::{
    decide::Decision,
    error::EngineError,
    graph::StageGraph,
    key::Digest,
    open::Engine,
    out::materialised_path,
    outcome::{Reason, StageOutcome, Status},
    remote::Remote,
};

impl Engine {
    /// What `build` would do, running nothing: each selected stage, in
    /// topological order, fresh or stale with the reason. A stage downstream
    /// of a stale one is stale with "input X will be rebuilt" (at build time
    /// early cutoff may still spare it).
    pub fn plan(
        &mut self,
        graph: &StageGraph,
        targets: &[String],
    ) -> Result<Vec<StageOutcome>, EngineError> {
        self.plan_with_remote(graph, targets, None)
    }

    /// [`Engine::plan`], asking `remote` too: a stale stage whose output
    /// the remote cache would serve is `fetched`, "in the remote cache",
    /// and its output (named by the manifest) keys the stages after it.
    /// Nothing is downloaded.
    pub fn plan_with_remote(
        &mut self,
        graph: &StageGraph,
        targets: &[String],
        remote: Option<&Remote>,
    ) -> Result<Vec<StageOutcome>, EngineError> {
        let selected = graph.select(targets)?;
        let parts = self.parts(false);
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
            let inputs = parts.input_objects(graph, node, |input| outputs[input.index()]);
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
                    outcome.materialised = materialised_path(stage);
                    outputs[node.index()] = Some(output);
                }
                Decision::Stale { key, reason } => {
                    outcome.reason = reason;
                    outcome.key = Some(key);
                    if let Some(found) = remote.and_then(|remote| remote.peek(&key, stage.id())) {
                        outcome.status = Status::Fetched;
                        outcome.reason = Reason::InRemoteCache;
                        outcome.output = Some(found.output);
                        outcome.materialised = materialised_path(stage);
                        outputs[node.index()] = Some(found.output);
                    }
                }
                Decision::Unkeyed => {}
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }
}
