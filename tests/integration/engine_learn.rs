//! A clean build learns its sources' digests as the stages read them
//! (`src/engine/source_digest.rs`) instead of hashing every source first: what it
//! records must be what hashing up front would have recorded.

use std::{
    fs,
    io::Write,
    path::Path,
    time::{Duration, SystemTime},
};

use sndtrk::{
    audio::{ChannelLayout, SampleFormat},
    engine::graph::StageGraph,
    engine::key::Digest,
    engine::progress::Silent,
    engine::stage::{FnStage, RunContext, Stage},
    engine::{BuildOptions, BuildReport, Engine},
    project,
    project::config::Config,
};

use crate::audio_support::{test_signal, write_wav};

fn age(path: &Path) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(600))
        .unwrap();
}

fn stems(dir: &Path) {
    fs::create_dir_all(dir.join("stems")).unwrap();
    for (name, bytes) in [("dx", "dialogue take 3"), ("fx", "door slam")] {
        let path = dir.join(format!("stems/{name}.wav"));
        fs::write(&path, bytes).unwrap();
        age(&path);
    }
}

/// Reads each file whole, showing the bytes to the engine's tap when it
/// offers one (as the WAV reader does), and writes them out.
fn tapping(context: &mut RunContext<'_>) -> miette::Result<()> {
    let mut all = Vec::new();
    for file in context.files().to_vec() {
        let bytes = fs::read(&file.path).map_err(|e| miette::miette!("{e}"))?;
        if let Some(mut tap) = context.tap(&file.declared) {
            let (head, tail) = bytes.split_at(bytes.len() / 2);
            tap.bytes(0, head);
            tap.bytes(head.len() as u64, tail);
            tap.end();
        }
        all.extend(bytes);
    }
    context
        .output()
        .write_all(&all)
        .map_err(|e| miette::miette!("{e}"))
}

fn graph(stages: Vec<FnStage>) -> StageGraph {
    StageGraph::new(
        stages
            .into_iter()
            .map(|stage| Box::new(stage) as Box<dyn Stage>)
            .collect(),
    )
    .unwrap()
}

fn build(dir: &Path, graph: &StageGraph) -> (BuildReport, Engine) {
    let mut engine = Engine::open(dir, |_| panic!("lock held")).unwrap();
    let report = engine
        .build(graph, &BuildOptions::default(), &Silent)
        .unwrap();
    assert!(report.succeeded());
    engine.save().unwrap();
    (report, engine)
}

#[test]
fn a_clean_build_hashes_no_source_its_stages_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    stems(dir.path());
    let film = graph(vec![
        FnStage::new("bus:DX", "bus", tapping).file("stems/dx.wav"),
        FnStage::new("bus:FX", "bus", tapping)
            .file("stems/fx.wav")
            .file("stems/dx.wav")
            .output_to("fx.wav"),
    ]);
    let (first, engine) = build(dir.path(), &film);
    assert_eq!(first.ran(), ["bus:DX", "bus:FX"]);
    assert!(first.outcomes.iter().all(|outcome| outcome.key.is_some()));
    assert_eq!(engine.stat_cache().counters().files, 0, "no separate read");
    // What was learnt is the files' real blake3.
    for (name, bytes) in [("dx", "dialogue take 3"), ("fx", "door slam")] {
        let (_, digest) = engine
            .stat_cache()
            .known(&dir.path().join(format!("stems/{name}.wav")))
            .unwrap();
        assert_eq!(digest, Some(Digest::of(bytes.as_bytes())), "{name}");
    }
    drop(engine);
    // The keys recorded are the ones a build that hashes up front computes:
    // with the stat cache gone, the next build hashes both files and finds
    // everything fresh.
    fs::remove_file(dir.path().join(".sndtrk/stat-cache")).unwrap();
    let (second, engine) = build(dir.path(), &film);
    assert_eq!(second.ran(), Vec::<&str>::new());
    // Two sources, two objects and `out/fx.wav`, all hashed afresh.
    assert_eq!(engine.stat_cache().counters().files, 5);
    assert_eq!(
        fs::read_to_string(dir.path().join("out/fx.wav")).unwrap(),
        "door slamdialogue take 3"
    );
}

#[test]
fn a_source_no_stage_reads_whole_is_hashed_once_its_readers_are_done() {
    let dir = tempfile::tempdir().unwrap();
    stems(dir.path());
    // The timeline reads headers only: it never shows a tap the whole file.
    let header_only = |context: &mut RunContext<'_>| {
        let header = fs::read(&context.files()[0].path).map_err(|e| miette::miette!("{e}"))?;
        context
            .output()
            .write_all(&header[..4])
            .map_err(|e| miette::miette!("{e}"))
    };
    let film = graph(vec![
        FnStage::new("timeline", "timeline", header_only).file("stems/dx.wav"),
        FnStage::new("bus:FX", "bus", header_only).file("stems/fx.wav"),
        FnStage::new("bus:DX", "bus", tapping)
            .file("stems/dx.wav")
            .input("timeline"),
    ]);
    let (first, engine) = build(dir.path(), &film);
    assert!(first.outcomes.iter().all(|outcome| outcome.key.is_some()));
    // fx.wav had to be read again; dx.wav was learnt from bus:DX.
    assert_eq!(engine.stat_cache().counters().files, 1);
    drop(engine);
    let (second, _) = build(dir.path(), &film);
    assert_eq!(second.ran(), Vec::<&str>::new());
}

#[test]
fn a_source_changed_during_a_clean_build_leaves_its_stage_to_run_again() {
    let dir = tempfile::tempdir().unwrap();
    stems(dir.path());
    let rewrite = |context: &mut RunContext<'_>| {
        tapping(context)?;
        // Someone saves a new take while the build runs.
        fs::write(&context.files()[0].path, "dialogue take 4, longer").unwrap();
        Ok(())
    };
    let film = graph(vec![
        FnStage::new("bus:DX", "bus", rewrite).file("stems/dx.wav"),
        FnStage::new("bus:FX", "bus", tapping).file("stems/fx.wav"),
    ]);
    let (first, _) = build(dir.path(), &film);
    assert_eq!(first.outcome("bus:DX").unwrap().key, None, "not recorded");
    assert!(first.outcome("bus:FX").unwrap().key.is_some());
    let film = graph(vec![
        FnStage::new("bus:DX", "bus", tapping).file("stems/dx.wav"),
        FnStage::new("bus:FX", "bus", tapping).file("stems/fx.wav"),
    ]);
    let (second, _) = build(dir.path(), &film);
    assert_eq!(second.ran(), ["bus:DX"]);
    assert_eq!(
        second.outcome("bus:DX").unwrap().reason.to_string(),
        "not built before"
    );
}

#[test]
fn a_clean_recipe_build_reads_each_source_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("stems")).unwrap();
    for name in ["dx", "mx"] {
        let path = dir.path().join(format!("stems/{name}.wav"));
        write_wav(
            &path,
            &test_signal(2, 48_000, 48_000),
            ChannelLayout::stereo(),
            SampleFormat::Int24,
            48_000,
            None,
        );
        age(&path);
    }
    fs::write(
        dir.path().join("soundtrack.sndtrk"),
        r#"import "std/layouts"

project "Learn" {
    frame_rate 24
    sample_rate 48kHz
}

stem dx {
    role dialogue
    layout 2.0
    file "stems/dx.wav"
}

cue 1M1 "Opening" {
    file "stems/mx.wav"
    layout 2.0
    at 00:00:00:00
    to 00:00:00:12
}

bus PM 2.0 { dx 1M1 }

target stereo {
    from PM
    layout 2.0
    format wav 48kHz 24bit
}
"#,
    )
    .unwrap();
    let config = Config::new(Some(dir.path().to_path_buf()));
    let loaded = project::load(&config).unwrap_or_else(|_| panic!("the recipe loads"));
    let (first, engine) = build(dir.path(), &loaded.graph);
    assert!(first.outcomes.iter().all(|outcome| outcome.key.is_some()));
    // dx.wav is read whole by bus:PM; the cue stops at half a second, so
    // mx.wav is hashed on its own once its last reader is done.
    assert_eq!(engine.stat_cache().counters().files, 1);
    assert_eq!(
        engine
            .stat_cache()
            .known(&dir.path().join("stems/dx.wav"))
            .unwrap()
            .1,
        Some(Digest::of(
            &fs::read(dir.path().join("stems/dx.wav")).unwrap()
        ))
    );
    drop(engine);
    let (second, engine) = build(dir.path(), &loaded.graph);
    assert_eq!(second.ran(), Vec::<&str>::new());
    assert_eq!(engine.stat_cache().counters().files, 0);
}
