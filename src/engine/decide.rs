//! Fresh or stale: a stage's key from its parameters, files and inputs'
//! outputs, looked up in the build state and the store, and why a stale
//! stage must run.

use petgraph::graph::NodeIndex;

use crate::engine::{
    db::State,
    graph::StageGraph,
    key::{stage_key, stage_manifest, Digest, Manifest, Params},
    open::Parts,
    outcome::Reason,
    stage::{InputObject, SourceFile, Stage},
    store::ObjectState,
};

/// The decision for a stage whose inputs are known.
pub(super) enum Decision {
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

impl Parts<'_> {
    /// Decides fresh or stale for a stage whose files and inputs are known.
    /// Removes a damaged object from the store (but changes no state).
    pub(super) fn decide(
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

    /// The input objects of `node`: each input's output, as `output` knows
    /// it (an input without one is left out).
    pub(super) fn input_objects(
        &self,
        graph: &StageGraph,
        node: NodeIndex,
        output: impl Fn(NodeIndex) -> Option<Digest>,
    ) -> Vec<InputObject> {
        graph
            .inputs(node)
            .iter()
            .filter_map(|input| {
                output(*input).map(|digest| InputObject {
                    id: graph.stage(*input).id().to_owned(),
                    digest,
                    path: self.store.object_path(&digest),
                })
            })
            .collect()
    }
}

/// The key of a stage, and its manifest when asked: one call of
/// [`crate::engine::key::write_stage_key`] for each. `None` while a file's digest
/// is not known.
pub(super) fn key_fields(
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
    let params = |params: &mut Params<'_>| stage.params(params);
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
pub(super) fn manifest(
    stage: &dyn Stage,
    files: &[SourceFile],
    inputs: &[InputObject],
) -> Manifest {
    key_fields(stage, files, inputs, true)
        .map(|(_, manifest)| manifest)
        .unwrap_or_default()
}
