//! The source files of the stages to build, with their digests: hashed up
//! front, or (a clean build) left to be learnt as the stages read them.

use std::{collections::HashMap, ffi::OsString, io, path::PathBuf};

use rayon::prelude::*;

use crate::engine::{
    error::EngineError,
    graph::StageGraph,
    key::Digest,
    open::Parts,
    source_digest::PendingSources,
    stage::{SourceFile, Stage, UnreadableFiles},
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

    /// The files of a stage with their hashes, or the first unreadable one
    /// (which, for a stage that keys unreadable files, is
    /// [`Digest::UNREADABLE`] instead).
    pub(super) fn stage_files(
        &self,
        stage: &dyn Stage,
        fingerprints: &Fingerprints,
    ) -> Result<Vec<SourceFile>, EngineError> {
        let keyed = stage.unreadable_files() == UnreadableFiles::Key;
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
                    Some(Err(_)) if keyed => Ok(SourceFile {
                        declared: declared.clone(),
                        path,
                        digest: Some(Digest::UNREADABLE),
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

#[cfg(test)]
mod tests {
    use std::{fs, io::Write, path::Path};

    use crate::engine::{
        graph::StageGraph, outcome::Status, progress::Silent, stage::FnStage, BuildOptions,
        BuildReport, Engine,
    };

    /// A stage that keys its unreadable file, writing what it found, and
    /// one that reads the same file the default way.
    fn graph() -> StageGraph {
        let tolerant = FnStage::new("summary", "summary", |context| {
            let file = &context.files()[0];
            let text = match std::fs::read(&file.path) {
                Ok(bytes) if !file.is_unreadable() => bytes,
                _ => b"no take".to_vec(),
            };
            context
                .output()
                .write_all(&text)
                .map_err(|error| miette::miette!("{error}"))
        })
        .file("take.wav")
        .keying_unreadable_files()
        .output_to("summary.txt");
        let strict = FnStage::new("copy", "copy", |context| {
            let bytes = std::fs::read(&context.files()[0].path)
                .map_err(|error| miette::miette!("{error}"))?;
            context
                .output()
                .write_all(&bytes)
                .map_err(|error| miette::miette!("{error}"))
        })
        .file("take.wav")
        .output_to("copy.wav");
        StageGraph::new(vec![Box::new(tolerant), Box::new(strict)]).unwrap()
    }

    fn build(dir: &Path) -> BuildReport {
        let mut engine = Engine::open(dir, |_| {}).unwrap();
        engine
            .build(&graph(), &BuildOptions::default(), &Silent)
            .unwrap()
    }

    fn status(report: &BuildReport, id: &str) -> (Status, String) {
        let outcome = report.outcome(id).unwrap();
        (outcome.status, outcome.reason.to_string())
    }

    /// A missing file is part of the key of a stage that keys unreadable
    /// files: it runs without it, is fresh while the file stays missing,
    /// runs again when the file appears and comes back from the cache when
    /// it goes; a stage that does not key them fails before it runs.
    #[test]
    fn an_unreadable_file_is_keyed_as_such_by_a_stage_that_asks() {
        let project = tempfile::tempdir().unwrap();
        let dir = project.path();
        let summary = || fs::read(dir.join("out/summary.txt")).unwrap();
        let missing = "cannot read source file take.wav: No such file or directory (os error 2)";

        let first = build(dir);
        assert_eq!(status(&first, "summary").0, Status::Ran);
        assert_eq!(summary(), b"no take");
        assert_eq!(status(&first, "copy"), (Status::Failed, missing.to_owned()));
        let code = first.failures[0].1.code().map(|code| code.to_string());
        assert_eq!(code.as_deref(), Some("E0703"));

        let again = build(dir);
        assert_eq!(status(&again, "summary").0, Status::Fresh);
        assert_eq!(status(&again, "copy").0, Status::Failed);

        fs::write(dir.join("take.wav"), b"take one").unwrap();
        let found = build(dir);
        assert_eq!(
            status(&found, "summary"),
            (Status::Ran, "file take.wav changed".to_owned())
        );
        assert_eq!(summary(), b"take one");
        assert_eq!(status(&found, "copy").0, Status::Ran);

        fs::remove_file(dir.join("take.wav")).unwrap();
        let gone = build(dir);
        assert_eq!(
            status(&gone, "summary"),
            (Status::Fresh, "restored from the cache".to_owned())
        );
        assert_eq!(summary(), b"no take");
        assert_eq!(status(&gone, "copy").0, Status::Failed);

        // A directory where the file should be is unreadable too.
        fs::create_dir(dir.join("take.wav")).unwrap();
        let directory = build(dir);
        assert_eq!(status(&directory, "summary").0, Status::Fresh);
        assert_eq!(status(&directory, "copy").0, Status::Failed);
    }

    /// The key says `unreadable` where a digest would be, in the
    /// manifest's words too.
    #[test]
    fn the_manifest_names_an_unreadable_file() {
        use crate::engine::key::{stage_key, stage_manifest, Digest};
        let manifest = stage_manifest("s", "k", &|_| {}, &[("take.wav", Digest::UNREADABLE)], &[]);
        let line = manifest.lines.last().unwrap();
        assert_eq!(
            (line.name.as_str(), line.value.as_str()),
            ("file take.wav", "\"unreadable\"")
        );
        let key = |digest| stage_key("s", "k", &|_| {}, &[("take.wav", digest)], &[]);
        assert_ne!(key(Digest::UNREADABLE), key(Digest::of(b"")));
    }
}
