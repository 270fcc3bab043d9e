//! The source files of the stages to build, with their digests: hashed up
//! front, or (a clean build) left to be learnt as the stages read them.

use std::{collections::HashMap, ffi::OsString, io, path::PathBuf};

use rayon::prelude::*;

use crate::engine::{
    error::EngineError, graph::StageGraph, key::Digest, open::Parts, source_digest::PendingSources,
    stage::SourceFile, stage::Stage,
};

/// Each source file's digest (`None`: being learnt as stages read it), or
/// why it could not be had; keyed by resolved path.
pub(super) type Fingerprints = HashMap<OsString, Result<Option<Digest>, (io::ErrorKind, String)>>;

/// The source files of a build: their fingerprints, and those being
/// learnt as the stages read them (each with its readers).
pub(super) struct Sources {
    pub(super) fingerprints: Fingerprints,
    pub(super) pending: PendingSources,
}

impl Parts<'_> {
    /// The source files of the selected stages. When `learn` (a clean
    /// build: no stage can be fresh), a file the stat cache does not know
    /// is not hashed up front: its digest is learnt as stages read it.
    pub(super) fn sources(&self, graph: &StageGraph, selected: &[bool], learn: bool) -> Sources {
        let mut pending = PendingSources::default();
        let fingerprints = self.fingerprint_files(graph, selected, learn.then_some(&mut pending));
        for node in graph.order() {
            if selected[node.index()] {
                for file in graph.stage(*node).files() {
                    pending.add_reader(&self.dir.join(file));
                }
            }
        }
        Sources {
            fingerprints,
            pending,
        }
    }

    /// Fingerprints every source file of the selected stages (in parallel
    /// when the pool has threads), keyed by resolved path. With `pending`,
    /// a file the stat cache does not know is not read: it is added to
    /// `pending` and its digest learnt as stages read it.
    pub(super) fn fingerprint_files(
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
    pub(super) fn stage_files(
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
}
