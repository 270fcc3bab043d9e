//! [`Engine::deliver`]: the delivery step after a build that did not
//! materialise ([`crate::engine::BuildOptions::materialise`] off). The
//! caller, which knows what a good output is, names each deliverable
//! stage's fate: its output object put in `out/`, or its file there
//! withdrawn. The engine knows only stages, objects and paths.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use crate::engine::{
    error::EngineError, graph::StageGraph, key::Digest, open::Engine, out::out_dir,
};

/// What became of one deliverable's file in `out/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// The file holds the output now; `changed` is false when it already did.
    Materialised { changed: bool },
    /// The deliverable is not in `out/`; `removed` is true when a file of an
    /// earlier build was there and has been removed.
    Withdrawn { removed: bool },
    /// The stage has no output path (it is no deliverable): nothing done.
    NotADeliverable,
}

impl Engine {
    /// Delivers stage `id`'s `output` into `out/` (atomically: a link or
    /// copy renamed into place, see [`crate::engine::store::Store::materialise`]),
    /// or, with `None`, withdraws its file from `out/` (and the directories
    /// it leaves empty there). Only the stage's own path under `out/` is
    /// ever touched.
    pub fn deliver(
        &mut self,
        graph: &StageGraph,
        id: &str,
        output: Option<Digest>,
    ) -> Result<Delivered, EngineError> {
        let node = graph.node(id).ok_or_else(|| EngineError::UnknownTarget {
            name: id.to_owned(),
        })?;
        let Some(relative) = graph.stage(node).output_path() else {
            return Ok(Delivered::NotADeliverable);
        };
        let out = out_dir(&self.dir);
        let destination = out.join(relative);
        match output {
            Some(digest) => {
                let changed = self
                    .store
                    .materialise(&digest, &destination, &self.stats)
                    .map_err(|source| EngineError::io(&destination, source))?;
                Ok(Delivered::Materialised { changed })
            }
            None => {
                let removed = withdraw(&out, &destination)
                    .map_err(|source| EngineError::io(&destination, source))?;
                self.stats.forget(&destination);
                Ok(Delivered::Withdrawn { removed })
            }
        }
    }
}

/// Removes the file (or link) at `destination`, a path under `out`, and
/// then each directory between it and `out` that it left empty. True when
/// there was a file to remove; a directory at `destination` is left alone.
fn withdraw(out: &Path, destination: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(destination) {
        Ok(metadata) if metadata.is_dir() => return Ok(false),
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    }
    match fs::remove_file(destination) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    }
    let mut directory: Option<PathBuf> = destination.parent().map(Path::to_path_buf);
    while let Some(dir) = directory {
        if dir == out || !dir.starts_with(out) || fs::remove_dir(&dir).is_err() {
            break;
        }
        directory = dir.parent().map(Path::to_path_buf);
    }
    if let Some(parent) = destination.parent() {
        crate::engine::atomic_file::sync_directory(parent);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::engine::{progress::Silent, stage::FnStage, BuildOptions};

    fn graph() -> StageGraph {
        let write = |bytes: &'static [u8]| {
            move |context: &mut crate::engine::stage::RunContext<'_>| {
                context
                    .output()
                    .write_all(bytes)
                    .map_err(|error| miette::miette!("{error}"))
            }
        };
        StageGraph::new(vec![
            Box::new(FnStage::new("mix", "mix", write(b"mix"))),
            Box::new(
                FnStage::new("target:a", "target", write(b"a"))
                    .input("mix")
                    .output_to("a.wav"),
            ),
            Box::new(
                FnStage::new("album:x/01", "album", write(b"x1"))
                    .input("mix")
                    .output_to("x/01 One.wav"),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn a_build_that_does_not_materialise_leaves_out_alone_until_delivery() {
        let project = tempfile::tempdir().unwrap();
        let dir = project.path();
        let graph = graph();
        let mut engine = Engine::open(dir, |_| {}).unwrap();
        let options = BuildOptions {
            materialise: false,
            ..BuildOptions::default()
        };
        let report = engine.build(&graph, &options, &Silent).unwrap();
        assert!(!dir.join("out").exists());
        let outcome = report.outcome("target:a").unwrap();
        assert_eq!(outcome.materialised, None);
        let a = outcome.output;
        let x = report.outcome("album:x/01").unwrap().output;

        assert_eq!(
            engine.deliver(&graph, "target:a", a).unwrap(),
            Delivered::Materialised { changed: true }
        );
        assert_eq!(
            engine.deliver(&graph, "target:a", a).unwrap(),
            Delivered::Materialised { changed: false }
        );
        assert_eq!(fs::read(dir.join("out/a.wav")).unwrap(), b"a");
        engine.deliver(&graph, "album:x/01", x).unwrap();
        assert_eq!(fs::read(dir.join("out/x/01 One.wav")).unwrap(), b"x1");
        assert_eq!(
            engine.deliver(&graph, "mix", None).unwrap(),
            Delivered::NotADeliverable
        );

        // Withdrawn: the file goes, and the album's directory it leaves
        // empty; `out/` itself and the other deliverable stay.
        assert_eq!(
            engine.deliver(&graph, "album:x/01", None).unwrap(),
            Delivered::Withdrawn { removed: true }
        );
        assert!(!dir.join("out/x").exists());
        assert!(dir.join("out/a.wav").exists());
        assert_eq!(
            engine.deliver(&graph, "album:x/01", None).unwrap(),
            Delivered::Withdrawn { removed: false }
        );
        // A fresh build that does not materialise puts nothing back.
        let again = engine.build(&graph, &options, &Silent).unwrap();
        assert!(again.ran().is_empty());
        assert!(!dir.join("out/x").exists());
        assert!(matches!(
            engine.deliver(&graph, "target:b", None),
            Err(EngineError::UnknownTarget { .. })
        ));
    }

    #[test]
    fn withdrawing_leaves_a_directory_and_a_shared_parent_alone() {
        let project = tempfile::tempdir().unwrap();
        let out = project.path().join("out");
        fs::create_dir_all(out.join("x/inner")).unwrap();
        fs::write(out.join("x/keep.txt"), b"keep").unwrap();
        fs::write(out.join("x/gone.wav"), b"gone").unwrap();
        assert!(!withdraw(&out, &out.join("x/inner")).unwrap());
        assert!(withdraw(&out, &out.join("x/gone.wav")).unwrap());
        assert!(out.join("x/keep.txt").exists());
        assert!(!withdraw(&out, &out.join("nothing.wav")).unwrap());
    }
}
