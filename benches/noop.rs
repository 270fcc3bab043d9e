//! A no-op build of a synthetic project: 1,000 file sources feeding 50
//! targets (20 sources each), all fresh. Measures opening the project
//! (lock, state, stat cache), fingerprinting every source through the stat
//! cache, deciding every stage and checking every `out/` file, and asserts
//! that no source byte is read.
//!
//! Run: `cargo bench --bench noop`.

use std::{fs, io::Write, path::Path, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion};
use sndtrk::{
    engine::graph::StageGraph,
    engine::progress::Silent,
    engine::stage::{FnStage, Stage},
    engine::{BuildOptions, Engine},
};

const SOURCES: usize = 1000;
const TARGETS: usize = 50;

fn copy_all(context: &mut sndtrk::engine::stage::RunContext<'_>) -> miette::Result<()> {
    let mut bytes = Vec::new();
    for file in context.files() {
        bytes.extend(fs::read(&file.path).map_err(|e| miette::miette!("{e}"))?);
    }
    for input in context.inputs() {
        bytes.extend(fs::read(&input.path).map_err(|e| miette::miette!("{e}"))?);
    }
    context
        .output()
        .write_all(&bytes)
        .map_err(|e| miette::miette!("{e}"))
}

fn project(dir: &Path) -> StageGraph {
    let mut stages: Vec<Box<dyn Stage>> = Vec::new();
    for source in 0..SOURCES {
        stages.push(Box::new(
            FnStage::new(format!("source:s{source:04}"), "source", copy_all)
                .file(format!("stems/s{source:04}.wav"))
                .param("gain_db", -3.0)
                .param("at", "01:00:00:00"),
        ));
    }
    let per_target = SOURCES / TARGETS;
    for target in 0..TARGETS {
        let mut stage = FnStage::new(format!("target:t{target:02}"), "target", copy_all)
            .param("layout", "5.1")
            .param("rate", 48_000u64)
            .output_to(format!("t{target:02}.wav"));
        for source in target * per_target..(target + 1) * per_target {
            stage = stage.input(format!("source:s{source:04}"));
        }
        stages.push(Box::new(stage));
    }
    let _ = dir;
    StageGraph::new(stages).expect("valid synthetic graph")
}

fn setup(dir: &Path) {
    fs::create_dir_all(dir.join("stems")).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    for source in 0..SOURCES {
        let path = dir.join(format!("stems/s{source:04}.wav"));
        fs::write(&path, format!("source {source} ").repeat(16)).unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
}

fn noop_build(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let graph = project(dir.path());
    let options = BuildOptions::default();
    {
        let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
        let first = engine.build(&graph, &options, &Silent).unwrap();
        assert_eq!(first.ran().len(), SOURCES + TARGETS);
    }
    c.bench_function("noop build, 1000 sources, 50 targets", |b| {
        b.iter(|| {
            let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
            let report = engine.build(&graph, &options, &Silent).unwrap();
            assert!(report.ran().is_empty());
            assert_eq!(engine.stat_cache().counters().files, 0, "no file was read");
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(8));
    targets = noop_build
}
criterion_main!(benches);
