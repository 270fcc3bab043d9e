//! Deep keys: what a stage's key would be if every input were keyed by its
//! own inputs instead of by its rendered bytes, computed without rendering
//! anything and without a build state.
//!
//! A stage's real key names its inputs by the digests of their outputs, so
//! it is known only once they are rendered. `sndtrk diff` compares two
//! revisions of a project that were never built: it keys each stage by the
//! very fields [`stage_key`] hashes (parameters and source files' bytes)
//! with each input named by that input's deep key. Two revisions whose deep
//! keys of a deliverable agree render it to the same bytes (stages are pure
//! functions of their keys); deep keys that differ mean its key differs.
//! A stage that reads only its files' headers
//! ([`Stage::reads_headers_only`], the timeline) is run into a scratch
//! store, and its dependants keyed by its output, as a build keys them.

use std::{collections::HashMap, path::Path};

use crate::engine::{
    fingerprint::StatCache,
    graph::StageGraph,
    key::{stage_key, Digest, Params},
    stage::{RunContext, SourceFile, Stage},
    store::Store,
};

/// Runs a stage with no inputs into `store`, its files' digests given in
/// the order of [`Stage::files`]; its output's digest, or
/// `None` when it fails (the stage is then keyed by its fields).
fn run_cheap(
    stage: &dyn Stage,
    dir: &Path,
    digests: &[(&str, Digest)],
    store: &Store,
) -> Option<Digest> {
    let files = stage
        .files()
        .iter()
        .zip(digests)
        .map(|(declared, (_, digest))| SourceFile {
            declared: declared.clone(),
            path: dir.join(declared),
            digest: Some(*digest),
        })
        .collect();
    let mut context = RunContext {
        project_dir: dir,
        inputs: Vec::new(),
        files,
        output: store.writer().ok()?,
        pending: None,
        notes: Vec::new(),
        store: None,
        previous: None,
        previous_unshared: false,
        out_file: None,
        regions: None,
    };
    stage.run(&mut context).ok()?;
    let (digest, _) = context.output.finish(&StatCache::new()).ok()?;
    Some(Digest::of(format!("output {}", digest.to_hex()).as_bytes()))
}

/// The digest of `path`'s bytes, by its real path (a link into another
/// tree is hashed, and remembered, as the file it points to).
fn digest(stats: &StatCache, path: &Path) -> Digest {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    stats.fingerprint(&real).unwrap_or(Digest::UNREADABLE)
}

/// The deep key of every stage of `graph`, by stage id, its source files
/// read under `dir` and hashed through `stats` (a project's stat cache
/// spares reading unchanged files). A file that cannot be read is keyed as
/// unreadable (the build would fail or key it so; either way the
/// comparison sees it).
pub fn deep_keys(graph: &StageGraph, dir: &Path, stats: &StatCache) -> HashMap<String, Digest> {
    let mut files: HashMap<std::path::PathBuf, Digest> = HashMap::new();
    let mut keys: Vec<Option<Digest>> = vec![None; graph.len()];
    let mut by_id = HashMap::new();
    let scratch = tempfile::tempdir().ok();
    let store = scratch.as_ref().map(|scratch| Store::new(scratch.path()));
    for &node in graph.order() {
        let stage = graph.stage(node);
        let declared: Vec<(String, Digest)> = stage
            .files()
            .iter()
            .map(|file| {
                let digest = *files
                    .entry(file.clone())
                    .or_insert_with(|| digest(stats, &dir.join(file)));
                (file.to_string_lossy().replace('\\', "/"), digest)
            })
            .collect();
        let inputs: Vec<(&str, Digest)> = graph
            .inputs(node)
            .iter()
            .map(|input| {
                (
                    graph.stage(*input).id(),
                    keys[input.index()].unwrap_or(Digest::UNREADABLE),
                )
            })
            .collect();
        let declared: Vec<(&str, Digest)> = declared
            .iter()
            .map(|(name, digest)| (name.as_str(), *digest))
            .collect();
        let params = |params: &mut Params<'_>| stage.params(params);
        let mut key = stage_key(stage.id(), stage.kind(), &params, &declared, &inputs);
        if stage.reads_headers_only() && inputs.is_empty() {
            if let Some(output) = store
                .as_ref()
                .and_then(|store| run_cheap(stage, dir, &declared, store))
            {
                key = output;
            }
        }
        keys[node.index()] = Some(key);
        by_id.insert(stage.id().to_owned(), key);
    }
    by_id
}

/// The source files (as declared) that `id` reads, itself or through any
/// stage upstream of it, with their digests under `dir`, sorted by path.
pub fn upstream_files(
    graph: &StageGraph,
    id: &str,
    dir: &Path,
    stats: &StatCache,
) -> Vec<(String, Digest)> {
    let Some(start) = graph.node(id) else {
        return Vec::new();
    };
    let mut seen = vec![false; graph.len()];
    let mut pending = vec![start];
    let mut files = std::collections::BTreeMap::new();
    while let Some(node) = pending.pop() {
        if std::mem::replace(&mut seen[node.index()], true) {
            continue;
        }
        for file in graph.stage(node).files() {
            let name = file.to_string_lossy().replace('\\', "/");
            files
                .entry(name)
                .or_insert_with(|| digest(stats, &dir.join(file)));
        }
        pending.extend_from_slice(graph.inputs(node));
    }
    files.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stage::FnStage;

    fn graph(gain: f64) -> StageGraph {
        let noop = |_: &mut crate::engine::stage::RunContext<'_>| Ok(());
        StageGraph::new(vec![
            Box::new(FnStage::new("stem:dx", "source", noop).file("dx.wav")),
            Box::new(FnStage::new("stem:mx", "source", noop).file("mx.wav")),
            Box::new(
                FnStage::new("bus:DX", "bus", noop)
                    .input("stem:dx")
                    .param("gain_db", gain),
            ),
            Box::new(FnStage::new("target:me", "target", noop).input("stem:mx")),
            Box::new(
                FnStage::new("target:pm", "target", noop)
                    .input("bus:DX")
                    .input("stem:mx"),
            ),
        ])
        .expect("a valid graph")
    }

    #[test]
    fn a_change_reaches_exactly_the_stages_downstream_of_it() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("dx.wav"), b"dialogue").expect("written");
        std::fs::write(dir.path().join("mx.wav"), b"music").expect("written");
        let before = deep_keys(&graph(-3.0), dir.path(), &StatCache::new());
        let after = deep_keys(&graph(-2.0), dir.path(), &StatCache::new());
        assert_eq!(before["target:me"], after["target:me"]);
        assert_ne!(before["bus:DX"], after["bus:DX"]);
        assert_ne!(before["target:pm"], after["target:pm"]);
        std::fs::write(dir.path().join("mx.wav"), b"music, edited").expect("written");
        let edited = deep_keys(&graph(-2.0), dir.path(), &StatCache::new());
        assert_ne!(after["target:me"], edited["target:me"]);
        assert_eq!(after["bus:DX"], edited["bus:DX"]);
    }

    #[test]
    fn upstream_files_are_every_file_a_stage_reads_through_its_inputs() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("dx.wav"), b"dialogue").expect("written");
        let files = upstream_files(&graph(0.0), "target:pm", dir.path(), &StatCache::new());
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["dx.wav", "mx.wav"]);
        assert_eq!(files[1].1, Digest::UNREADABLE);
    }
}
