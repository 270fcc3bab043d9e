//! The build engine with synthetic stages (closures producing bytes), and
//! the `clean` and `cache gc` commands.

use std::{
    collections::{BTreeMap, HashSet},
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use proptest::prelude::*;
use sndtrk::{
    engine::db::State,
    engine::graph::StageGraph,
    engine::key::Digest,
    engine::outcome::Status,
    engine::progress::{JsonProgress, PlainProgress, Silent},
    engine::stage::{FnStage, RunContext, Stage},
    engine::store::Store,
    engine::{BuildOptions, BuildReport, Engine},
};

use crate::test::Test;

/// Reads every file and input of the stage and writes
/// `label(part+part+...)`.
fn combine(label: String) -> impl Fn(&mut RunContext<'_>) -> miette::Result<()> + Send + Sync {
    move |context| {
        let mut parts = Vec::new();
        for file in context.files() {
            parts.push(fs::read(&file.path).map_err(|e| miette::miette!("{e}"))?);
        }
        for input in context.inputs() {
            parts.push(fs::read(&input.path).map_err(|e| miette::miette!("{e}"))?);
        }
        let mut bytes = format!("{label}(").into_bytes();
        bytes.extend(parts.join(&b"+"[..]));
        bytes.push(b')');
        use std::io::Write;
        context
            .output()
            .write_all(&bytes)
            .map_err(|e| miette::miette!("{e}"))
    }
}

/// The knobs of the small film project below.
#[derive(Clone, Copy)]
struct Knobs {
    dm_gain: i64,
    fx_gain: i64,
    /// Only `level / 10` reaches the output, so most edits are cut off.
    mx_level: u64,
}

const KNOBS: Knobs = Knobs {
    dm_gain: -3,
    fx_gain: 0,
    mx_level: 11,
};

/// source:dx, source:fx, source:mx (files) → bus:DM (dx, mx), bus:FX (fx),
/// quant:MX (mx) → target:stereo (DM, FX, MX), target:me (FX, MX).
fn film(knobs: Knobs) -> Vec<FnStage> {
    let source = |name: &str| {
        FnStage::new(format!("source:{name}"), "source", combine("src".into()))
            .file(format!("stems/{name}.wav"))
    };
    vec![
        source("dx"),
        source("fx"),
        source("mx"),
        FnStage::new("bus:DM", "bus", combine(format!("bus{}", knobs.dm_gain)))
            .param("gain", knobs.dm_gain)
            .input("source:dx")
            .input("source:mx"),
        FnStage::new("bus:FX", "bus", combine(format!("bus{}", knobs.fx_gain)))
            .param("gain", knobs.fx_gain)
            .input("source:fx"),
        FnStage::new(
            "quant:MX",
            "quant",
            combine(format!("q{}", knobs.mx_level / 10)),
        )
        .param("level", knobs.mx_level)
        .input("source:mx"),
        FnStage::new("target:stereo", "target", combine("stereo".into()))
            .input("bus:DM")
            .input("bus:FX")
            .input("quant:MX")
            .output_to("stereo.wav"),
        FnStage::new("target:me", "target", combine("me".into()))
            .input("bus:FX")
            .input("quant:MX")
            .output_to("me.wav"),
    ]
}

/// What the film's deliverables must hold, computed independently.
fn expected_outputs(knobs: Knobs, dx: &str, fx: &str, mx: &str) -> (String, String) {
    let dm = format!("bus{}(src({dx})+src({mx}))", knobs.dm_gain);
    let fxb = format!("bus{}(src({fx}))", knobs.fx_gain);
    let q = format!("q{}(src({mx}))", knobs.mx_level / 10);
    (format!("stereo({dm}+{fxb}+{q})"), format!("me({fxb}+{q})"))
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

fn write_stems(dir: &Path) {
    fs::create_dir_all(dir.join("stems")).unwrap();
    for (name, contents) in [("dx", "DX"), ("fx", "FX"), ("mx", "MX")] {
        fs::write(dir.join(format!("stems/{name}.wav")), contents).unwrap();
    }
}

fn build_with(dir: &Path, graph: &StageGraph, options: &BuildOptions) -> BuildReport {
    let mut engine = Engine::open(dir, |_| panic!("lock held")).unwrap();
    engine.build(graph, options, &Silent).unwrap()
}

fn build(dir: &Path, graph: &StageGraph) -> BuildReport {
    build_with(dir, graph, &BuildOptions::default())
}

fn sorted(ids: Vec<&str>) -> Vec<&str> {
    let mut ids = ids;
    ids.sort();
    ids
}

fn read(dir: &Path, relative: &str) -> String {
    String::from_utf8(fs::read(dir.join(relative)).unwrap()).unwrap()
}

fn assert_outputs(dir: &Path, knobs: Knobs) {
    let (stereo, me) = expected_outputs(knobs, "DX", "FX", "MX");
    assert_eq!(read(dir, "out/stereo.wav"), stereo);
    assert_eq!(read(dir, "out/me.wav"), me);
}

#[test]
fn first_build_runs_everything_and_second_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let film = graph(film(KNOBS));
    let first = build(dir.path(), &film);
    assert!(first.succeeded());
    assert_eq!(first.ran().len(), 8);
    assert!(first
        .outcomes
        .iter()
        .all(|o| o.reason.to_string() == "not built before"));
    assert_outputs(dir.path(), KNOBS);

    let second = build(dir.path(), &film);
    assert_eq!(second.ran(), Vec::<&str>::new());
    assert_eq!(second.with_status(Status::Fresh).len(), 8);
    assert_outputs(dir.path(), KNOBS);
}

#[test]
fn no_op_build_reads_no_source_or_object_bytes_however_the_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    for name in ["dx", "fx", "mx"] {
        fs::File::options()
            .write(true)
            .open(dir.path().join(format!("stems/{name}.wav")))
            .unwrap()
            .set_modified(std::time::SystemTime::now() - Duration::from_secs(60))
            .unwrap();
    }
    let film = graph(film(KNOBS));
    build(dir.path(), &film);
    let mut engine = Engine::open(&dir.path().join("stems/.."), |_| {}).unwrap();
    let report = engine
        .build(&film, &BuildOptions::default(), &Silent)
        .unwrap();
    assert_eq!(report.ran(), Vec::<&str>::new());
    assert_eq!(
        engine.stat_cache().counters(),
        sndtrk::engine::fingerprint::HashCounters { files: 0, bytes: 0 }
    );
}

#[test]
fn touching_a_source_runs_nothing_and_editing_it_runs_its_downstream() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let film = graph(film(KNOBS));
    build(dir.path(), &film);
    let dx = dir.path().join("stems/dx.wav");
    fs::File::options()
        .write(true)
        .open(&dx)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(5))
        .unwrap();
    assert_eq!(build(dir.path(), &film).ran(), Vec::<&str>::new());

    fs::write(&dx, "dx").unwrap();
    let report = build(dir.path(), &film);
    assert_eq!(report.ran(), ["source:dx", "bus:DM", "target:stereo"]);
    let source = report.outcome("source:dx").unwrap();
    assert_eq!(source.reason.to_string(), "file stems/dx.wav changed");
    let (stereo, _) = expected_outputs(KNOBS, "dx", "FX", "MX");
    assert_eq!(read(dir.path(), "out/stereo.wav"), stereo);
}

#[test]
fn changing_a_parameter_reruns_exactly_its_downstream_and_reverting_restores() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    build(dir.path(), &graph(film(KNOBS)));
    let original = read(dir.path(), "out/stereo.wav");

    let louder = Knobs {
        dm_gain: -6,
        ..KNOBS
    };
    let report = build(dir.path(), &graph(film(louder)));
    assert_eq!(report.ran(), ["bus:DM", "target:stereo"]);
    assert_eq!(
        report.outcome("bus:DM").unwrap().reason.to_string(),
        "param gain changed from -3 to -6"
    );
    assert_eq!(
        report.outcome("target:stereo").unwrap().reason.to_string(),
        "input bus:DM changed"
    );
    assert_outputs(dir.path(), louder);

    let reverted = build(dir.path(), &graph(film(KNOBS)));
    assert_eq!(reverted.ran(), Vec::<&str>::new());
    assert_eq!(
        reverted.with_status(Status::Fresh).len(),
        8,
        "restored from the cache without running"
    );
    assert_eq!(
        reverted.outcome("bus:DM").unwrap().reason.to_string(),
        "restored from the cache"
    );
    assert_eq!(read(dir.path(), "out/stereo.wav"), original);
}

#[test]
fn early_cutoff_stops_at_a_stage_whose_output_did_not_change() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    build(dir.path(), &graph(film(KNOBS)));
    // 11 → 12: quant:MX re-runs but still writes q1(...).
    let nudged = Knobs {
        mx_level: 12,
        ..KNOBS
    };
    let report = build(dir.path(), &graph(film(nudged)));
    assert_eq!(report.ran(), ["quant:MX"]);
    assert_eq!(report.with_status(Status::Fresh).len(), 7);
    assert_outputs(dir.path(), nudged);
    // 12 → 25: now the output changes and both targets follow.
    let moved = Knobs {
        mx_level: 25,
        ..KNOBS
    };
    let report = build(dir.path(), &graph(film(moved)));
    assert_eq!(
        sorted(report.ran()),
        ["quant:MX", "target:me", "target:stereo"]
    );
    assert_outputs(dir.path(), moved);
}

#[test]
fn corrupted_object_is_detected_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let film = graph(film(KNOBS));
    let first = build(dir.path(), &film);
    let store = Store::new(dir.path());
    for (stage, garbage) in [
        ("bus:FX", &b"bus0(src(FX)"[..]),
        ("bus:DM", &b"BUS-3(src(DX)+src(MX))"[..]),
    ] {
        let object = store.object_path(&first.outcome(stage).unwrap().output.unwrap());
        let mut permissions = fs::metadata(&object).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        fs::set_permissions(&object, permissions).unwrap();
        fs::write(&object, garbage).unwrap();
    }
    // The same-size corruption of bus:DM gets an older mtime, as a later
    // write in another clock tick would have.
    let dm_object = store.object_path(&first.outcome("bus:DM").unwrap().output.unwrap());
    fs::File::options()
        .write(true)
        .open(&dm_object)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(100))
        .unwrap();
    let report = build(dir.path(), &film);
    assert_eq!(report.ran(), ["bus:DM", "bus:FX"]);
    for stage in ["bus:DM", "bus:FX"] {
        assert_eq!(
            report.outcome(stage).unwrap().reason.to_string(),
            "output in the cache was damaged"
        );
    }
    assert_outputs(dir.path(), KNOBS);
    assert_eq!(build(dir.path(), &film).ran(), Vec::<&str>::new());
}

#[test]
fn damage_that_keeps_the_stat_is_only_found_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let film = graph(film(KNOBS));
    let first = build(dir.path(), &film);
    let store = Store::new(dir.path());
    let digest = first.outcome("bus:FX").unwrap().output.unwrap();
    let object = fs::canonicalize(store.object_path(&digest)).unwrap();
    let mut permissions = fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    fs::set_permissions(&object, permissions).unwrap();
    fs::write(&object, b"bus0(src(FY))").unwrap();
    // Simulate bit rot: the stat cache believes the damaged file is intact.
    let cache_path = dir.path().join(".sndtrk/stat-cache");
    let (stats, _) = sndtrk::engine::fingerprint::StatCache::load(&cache_path);
    stats.record(&object, digest).unwrap();
    stats.save(&cache_path).unwrap();

    let trusting = build(dir.path(), &film);
    assert_eq!(trusting.ran(), Vec::<&str>::new());
    let options = BuildOptions {
        verify: true,
        ..BuildOptions::default()
    };
    let verified = build_with(dir.path(), &film, &options);
    assert_eq!(verified.ran(), ["bus:FX"]);
    assert_eq!(
        verified.outcome("bus:FX").unwrap().reason.to_string(),
        "output in the cache was damaged"
    );
    assert_eq!(fs::read(&object).unwrap(), b"bus0(src(FX))");
    assert_outputs(dir.path(), KNOBS);
}

#[test]
fn deleted_outputs_are_restored_from_the_cache_without_running() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let film = graph(film(KNOBS));
    build(dir.path(), &film);
    fs::remove_dir_all(dir.path().join("out")).unwrap();
    fs::write(dir.path().join("stems/../out-ignored"), "").unwrap();
    let report = build(dir.path(), &film);
    assert_eq!(report.ran(), Vec::<&str>::new());
    assert_outputs(dir.path(), KNOBS);
    // A deliverable is a read-only hard link to its cache object. One
    // written through anyway (made writable, or by root) damages the
    // object: the next build notices, renders it again and puts it back.
    let me = dir.path().join("out/me.wav");
    assert!(fs::metadata(&me).unwrap().permissions().readonly());
    let mut permissions = fs::metadata(&me).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    fs::set_permissions(&me, permissions).unwrap();
    fs::write(&me, "edited by hand").unwrap();
    let report = build(dir.path(), &film);
    assert_eq!(report.ran(), ["target:me"]);
    assert_eq!(
        report.outcome("target:me").unwrap().reason.to_string(),
        "output in the cache was damaged"
    );
    assert_outputs(dir.path(), KNOBS);
    assert!(fs::metadata(&me).unwrap().permissions().readonly());
}

#[test]
fn outputs_are_byte_identical_with_one_and_two_threads() {
    let mut objects = Vec::new();
    for jobs in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        write_stems(dir.path());
        let options = BuildOptions {
            jobs,
            ..BuildOptions::default()
        };
        let report = build_with(dir.path(), &graph(film(KNOBS)), &options);
        assert_outputs(dir.path(), KNOBS);
        let outputs: BTreeMap<String, Option<Digest>> = report
            .outcomes
            .iter()
            .map(|o| (o.id.clone(), o.output))
            .collect();
        let stored = Store::new(dir.path()).list().unwrap();
        objects.push((outputs, stored, read(dir.path(), "out/stereo.wav")));
    }
    assert_eq!(objects[0], objects[1]);
}

#[test]
fn only_the_named_targets_and_their_inputs_are_built() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let options = BuildOptions {
        targets: vec!["target:me".into()],
        ..BuildOptions::default()
    };
    let report = build_with(dir.path(), &graph(film(KNOBS)), &options);
    assert_eq!(
        sorted(report.ran()),
        ["bus:FX", "quant:MX", "source:fx", "source:mx", "target:me"]
    );
    assert!(!dir.path().join("out/stereo.wav").exists());
    let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
    let error = engine
        .build(
            &graph(film(KNOBS)),
            &BuildOptions {
                targets: vec!["target:nope".into()],
                ..BuildOptions::default()
            },
            &Silent,
        )
        .unwrap_err();
    assert_eq!(error.to_string(), "no stage or target named `target:nope`");
}

#[test]
fn plan_says_what_would_run_and_why_without_running() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    build(dir.path(), &graph(film(KNOBS)));
    let objects = Store::new(dir.path()).list().unwrap();
    let louder = graph(film(Knobs {
        dm_gain: -6,
        ..KNOBS
    }));
    let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
    let plan = engine.plan(&louder, &[]).unwrap();
    let lines: Vec<String> = plan
        .iter()
        .map(|o| format!("{} {}: {}", o.status, o.id, o.reason))
        .collect();
    assert_eq!(
        lines,
        [
            "fresh source:dx: up to date",
            "fresh source:fx: up to date",
            "fresh source:mx: up to date",
            "stale bus:DM: param gain changed from -3 to -6",
            "fresh bus:FX: up to date",
            "fresh quant:MX: up to date",
            "stale target:stereo: input bus:DM will be rebuilt",
            "fresh target:me: up to date",
        ]
    );
    drop(engine);
    assert_eq!(Store::new(dir.path()).list().unwrap(), objects);
    assert_eq!(
        build(dir.path(), &louder).ran(),
        ["bus:DM", "target:stereo"]
    );
}

#[test]
fn a_failing_stage_stops_its_dependants_and_the_rest_finishes() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let mut stages = film(KNOBS);
    stages[4] = stages[4]
        .clone()
        .with_run(|_| Err(miette::miette!("effects stem is truncated")));
    let report = build(dir.path(), &graph(stages));
    let statuses: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| format!("{} {}: {}", o.status, o.id, o.reason))
        .collect();
    assert_eq!(
        statuses,
        [
            "ran source:dx: not built before",
            "ran source:fx: not built before",
            "ran source:mx: not built before",
            "ran bus:DM: not built before",
            "failed bus:FX: effects stem is truncated",
            "ran quant:MX: not built before",
            "skipped target:stereo: input bus:FX failed",
            "skipped target:me: input bus:FX failed",
        ]
    );
    assert_eq!(
        report.error().unwrap().to_string(),
        "build failed: 1 stage failed"
    );
    assert_eq!(report.failures.len(), 1);
    assert!(!dir.path().join("out").exists());
    // Fixed, the next build runs only what failed or was skipped.
    let fixed = build(dir.path(), &graph(film(KNOBS)));
    assert_eq!(fixed.ran(), ["bus:FX", "target:stereo", "target:me"]);
    assert_outputs(dir.path(), KNOBS);
}

#[test]
fn a_panicking_stage_leaves_no_half_written_output() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let mut stages = film(KNOBS);
    stages[6] = stages[6].clone().with_run(|context| {
        use std::io::Write;
        context.output().write_all(b"stereo(half").unwrap();
        panic!("renderer bug");
    });
    let report = build(dir.path(), &graph(stages));
    let failed = report.outcome("target:stereo").unwrap();
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(
        failed.reason.to_string(),
        "stage `target:stereo` crashed: renderer bug"
    );
    assert!(!dir.path().join("out/stereo.wav").exists());
    assert!(dir.path().join("out/me.wav").exists());
    let temporaries = dir.path().join(".sndtrk/objects/tmp");
    assert_eq!(fs::read_dir(&temporaries).unwrap().count(), 0);
    let fixed = build(dir.path(), &graph(film(KNOBS)));
    assert_eq!(fixed.ran(), ["target:stereo"]);
    assert_outputs(dir.path(), KNOBS);
}

#[test]
fn missing_source_file_fails_its_stage_with_e0703() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    fs::remove_file(dir.path().join("stems/mx.wav")).unwrap();
    let report = build(dir.path(), &graph(film(KNOBS)));
    assert_eq!(
        report.outcome("source:mx").unwrap().reason.to_string(),
        "cannot read source file stems/mx.wav: No such file or directory (os error 2)"
    );
    let (_, failure) = &report.failures[0];
    assert_eq!(failure.code().unwrap().to_string(), "E0703");
    assert_eq!(sorted(report.ran()), ["bus:FX", "source:dx", "source:fx"]);
}

#[test]
fn corrupt_state_is_discarded_with_a_warning_and_everything_rebuilds_correctly() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    build(dir.path(), &graph(film(KNOBS)));
    fs::write(
        dir.path().join(".sndtrk/state"),
        "sndtrk-state 1\n{\"stages\": [",
    )
    .unwrap();
    let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
    let warnings: Vec<String> = engine
        .take_warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains(".sndtrk/state: it is corrupt"),
        "{warnings:?}"
    );
    let report = engine
        .build(&graph(film(KNOBS)), &BuildOptions::default(), &Silent)
        .unwrap();
    assert_eq!(report.ran().len(), 8);
    drop(engine);
    assert_outputs(dir.path(), KNOBS);
    assert_eq!(
        build(dir.path(), &graph(film(KNOBS))).ran(),
        Vec::<&str>::new()
    );
}

#[test]
fn reporters_print_lines_and_json_for_a_real_build() {
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    build(dir.path(), &graph(film(KNOBS)));
    let louder = graph(film(Knobs {
        dm_gain: -6,
        ..KNOBS
    }));
    let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
    let json = JsonProgress::new(Vec::new());
    let report = engine
        .build(&louder, &BuildOptions::default(), &json)
        .unwrap();
    let text = String::from_utf8(json.into_inner()).unwrap();
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    lines.sort_by_key(|line| line["stage"].as_str().unwrap().to_owned());
    let stereo = &lines[7];
    assert_eq!(stereo["stage"], "target:stereo");
    assert_eq!(stereo["kind"], "target");
    assert_eq!(stereo["status"], "ran");
    assert_eq!(stereo["reason"], "input bus:DM changed");
    assert_eq!(stereo["output"], "out/stereo.wav");
    assert!(stereo["seconds"].as_f64().unwrap() >= 0.0);
    let fx = &lines[1];
    assert_eq!(fx["stage"], "bus:FX");
    assert_eq!(fx["status"], "fresh");
    assert_eq!(
        fx["output"],
        report.outcome("bus:FX").unwrap().output.unwrap().to_hex()
    );

    let plain = PlainProgress::new(Vec::new(), true);
    let quieter = graph(film(Knobs {
        dm_gain: -9,
        ..KNOBS
    }));
    engine
        .build(
            &quieter,
            &BuildOptions {
                jobs: 1,
                ..BuildOptions::default()
            },
            &plain,
        )
        .unwrap();
    let text = String::from_utf8(plain.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("ran bus:DM ("), "{text}");
    assert!(
        lines[0].ends_with("s): param gain changed from -6 to -9"),
        "{text}"
    );
    assert!(lines[1].starts_with("ran target:stereo ("), "{text}");
    assert!(lines[1].ends_with("s): input bus:DM changed"), "{text}");
    assert!(lines[2].starts_with("2 ran, 6 fresh in "), "{text}");
}

/// A build killed (SIGKILL) while a stage is half-way through writing its
/// output: the child process is this test binary, re-run in child mode.
#[test]
fn killed_build_leaves_no_half_output_and_the_next_build_is_correct() {
    const CHILD: &str = "SNDTRK_ENGINE_KILLED_CHILD";
    fn stages(slow: bool) -> Vec<FnStage> {
        let mut stages = film(KNOBS);
        if slow {
            stages[6] = stages[6].clone().with_run(|context| {
                use std::io::Write;
                context.output().write_all(b"stereo(half").unwrap();
                context.output().flush().unwrap();
                fs::write(context.project_dir().join("started"), "").unwrap();
                std::thread::sleep(Duration::from_secs(60));
                Ok(())
            });
        }
        stages
    }
    if let Ok(dir) = std::env::var(CHILD) {
        let options = BuildOptions {
            jobs: 1,
            save_interval: Duration::ZERO,
            ..BuildOptions::default()
        };
        build_with(Path::new(&dir), &graph(stages(true)), &options);
        unreachable!("the parent kills this build");
    }
    let dir = tempfile::tempdir().unwrap();
    write_stems(dir.path());
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "engine::killed_build_leaves_no_half_output_and_the_next_build_is_correct",
        ])
        .env(CHILD, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = dir.path().join("started");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the child never started the slow stage"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(!dir.path().join("out/stereo.wav").exists());
    let store = Store::new(dir.path());
    for object in store.list().unwrap() {
        let bytes = fs::read(store.object_path(&object.digest)).unwrap();
        assert_eq!(
            Digest::of(&bytes),
            object.digest,
            "only whole objects have names"
        );
    }
    // The six stages that finished before the kill were recorded; the
    // killed one runs again, then the one the single thread never reached.
    let report = build(dir.path(), &graph(stages(false)));
    assert_eq!(report.ran(), ["target:stereo", "target:me"]);
    assert_outputs(dir.path(), KNOBS);
    assert!(
        !dir.path().join(".sndtrk/objects/tmp").exists()
            || fs::read_dir(dir.path().join(".sndtrk/objects/tmp"))
                .unwrap()
                .count()
                == 0
    );
}

/// A random DAG: node `i` reads a subset of the nodes before it (as a bit
/// mask) and has a parameter; only `param % 3` reaches its output, so some
/// edits are cut off early. Nodes without dependants are materialised.
#[derive(Debug, Clone)]
struct RandomDag {
    inputs: Vec<u32>,
    params: Vec<u64>,
}

fn random_stages(dag: &RandomDag) -> Vec<FnStage> {
    let count = dag.params.len();
    let consumed: HashSet<usize> = (0..count)
        .flat_map(|node| (0..node).filter(move |input| dag.inputs[node] & (1 << input) != 0))
        .collect();
    (0..count)
        .map(|node| {
            let param = dag.params[node];
            let mut stage = FnStage::new(
                format!("n{node}"),
                "synthetic",
                combine(format!("n{node}:{}", param % 3)),
            )
            .param("p", param);
            if dag.inputs[node] == 0 {
                stage = stage.file(format!("src{}.wav", node % 2));
            }
            for input in 0..node {
                if dag.inputs[node] & (1 << input) != 0 {
                    stage = stage.input(format!("n{input}"));
                }
            }
            if !consumed.contains(&node) {
                stage = stage.output_to(format!("n{node}.out"));
            }
            stage
        })
        .collect()
}

fn out_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().into(), fs::read(&path).unwrap())
        })
        .collect()
}

fn dag_strategy() -> impl Strategy<Value = (RandomDag, Vec<(usize, u64)>)> {
    (2usize..8).prop_flat_map(|count| {
        let inputs = (0..count).map(|node| 0u32..(1 << node)).collect::<Vec<_>>();
        let params = prop::collection::vec(0u64..9, count);
        // An edit sets node `n`'s parameter, or, for `n == count`, rewrites
        // source file `src{value % 2}.wav`.
        let edits = prop::collection::vec((0..=count, 0u64..9), 1..6);
        (inputs, params, edits)
            .prop_map(|(inputs, params, edits)| (RandomDag { inputs, params }, edits))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_builds_equal_clean_builds_and_only_stale_stages_run(
        (dag, edits) in dag_strategy()
    ) {
        let incremental = tempfile::tempdir().unwrap();
        let mut sources = ["src0.wav".to_owned(), "src1.wav".to_owned()];
        for (index, contents) in sources.iter().enumerate() {
            fs::write(incremental.path().join(format!("src{index}.wav")), contents).unwrap();
        }
        let mut dag = dag;
        build(incremental.path(), &graph(random_stages(&dag)));
        for (node, value) in edits {
            if node < dag.params.len() {
                dag.params[node] = value;
            } else {
                let index = (value % 2) as usize;
                sources[index] = format!("edited {value}");
                fs::write(incremental.path().join(format!("src{index}.wav")), &sources[index]).unwrap();
            }
            let stages = graph(random_stages(&dag));
            let known: HashSet<Digest> = State::load(&State::path(incremental.path()))
                .0
                .actions
                .keys()
                .copied()
                .collect();
            let options = BuildOptions { jobs: 2, ..BuildOptions::default() };
            let report = build_with(incremental.path(), &stages, &options);
            prop_assert!(report.succeeded());
            for outcome in &report.outcomes {
                let key = outcome.key.unwrap();
                match outcome.status {
                    Status::Ran => prop_assert!(!known.contains(&key), "{} ran but was fresh", outcome.id),
                    Status::Fresh => prop_assert!(known.contains(&key), "{} was fresh but unknown", outcome.id),
                    other => prop_assert!(false, "unexpected status {other}"),
                }
            }

            let clean = tempfile::tempdir().unwrap();
            for (index, contents) in sources.iter().enumerate() {
                fs::write(clean.path().join(format!("src{index}.wav")), contents).unwrap();
            }
            let options = BuildOptions { jobs: 1, ..BuildOptions::default() };
            let reference = build_with(clean.path(), &stages, &options);
            prop_assert_eq!(out_files(incremental.path()), out_files(clean.path()));
            let outputs = |report: &BuildReport| -> Vec<Option<Digest>> {
                report.outcomes.iter().map(|o| o.output).collect()
            };
            prop_assert_eq!(outputs(&report), outputs(&reference));
        }
    }
}

// ---- the `clean` and `cache gc` commands ----

#[test]
fn clean_removes_out_and_says_so() {
    let ran = Test::new()
        .write("out/stereo.wav", "rendered")
        .write("out/ost/01 Main Title.wav", "track")
        .write("stems/dx.wav", "source")
        .arg("clean")
        .stdout("removed out/\n")
        .stderr("")
        .run();
    assert!(!ran.path().join("out").exists());
    assert_eq!(
        fs::read(ran.path().join("stems/dx.wav")).unwrap(),
        b"source"
    );
    Test::new()
        .arg("clean")
        .stdout("nothing to clean: out/ does not exist\n")
        .stderr("")
        .run();
}

#[test]
fn clean_then_build_restores_outputs_from_the_cache() {
    let test = Test::new();
    let dir = test.path();
    write_stems(&dir);
    build(&dir, &graph(film(KNOBS)));
    let ran = test.arg("clean").stdout("removed out/\n").run();
    assert!(!ran.path().join("out").exists());
    assert_eq!(
        build(ran.path(), &graph(film(KNOBS))).ran(),
        Vec::<&str>::new()
    );
    assert_outputs(ran.path(), KNOBS);
}

fn padded(label: &'static str) -> FnStage {
    FnStage::new(format!("stage:{label}"), "pad", move |context| {
        use std::io::Write;
        let mut bytes = label.as_bytes().to_vec();
        bytes.resize(600, b'.');
        context
            .output()
            .write_all(&bytes)
            .map_err(|e| miette::miette!("{e}"))
    })
}

#[test]
fn cache_gc_evicts_unreferenced_then_least_recently_used_objects() {
    let test = Test::new();
    let dir = test.path();
    let stages = || graph(vec![padded("old"), padded("mid"), padded("new")]);
    let first = build(&dir, &stages());
    Store::new(&dir)
        .put(
            &[7u8; 100][..],
            &sndtrk::engine::fingerprint::StatCache::new(),
        )
        .unwrap();
    // Make the three outputs used at clearly different times.
    let (mut state, _) = State::load(&State::path(&dir));
    for (stage, used) in [
        ("stage:old", 1_000),
        ("stage:mid", 2_000),
        ("stage:new", 3_000),
    ] {
        let key = first.outcome(stage).unwrap().key.unwrap();
        state.actions.get_mut(&key).unwrap().last_used = used;
    }
    sndtrk::engine::versioned_file::save(
        &State::path(&dir),
        "sndtrk-state",
        sndtrk::engine::db::STATE_VERSION,
        &state,
    )
    .unwrap();

    let ran = test
        .args(["cache", "gc", "--max-size", "1300B"])
        .stdout("removed 2 objects (700 B); the cache holds 2 objects (1.2 KiB)\n")
        .stderr("")
        .run();
    let report = build(ran.path(), &stages());
    assert_eq!(report.ran(), ["stage:old"]);
    assert_eq!(
        report.outcome("stage:old").unwrap().reason.to_string(),
        "output missing from the cache"
    );
}

#[test]
fn cache_gc_without_a_limit_only_drops_garbage() {
    let test = Test::new();
    let dir = test.path();
    build(&dir, &graph(vec![padded("a")]));
    fs::create_dir_all(dir.join(".sndtrk/objects/tmp")).unwrap();
    fs::write(dir.join(".sndtrk/objects/tmp/object-killed"), "half").unwrap();
    let ran = test
        .args(["cache", "gc"])
        .stdout("removed 0 objects (0 B); the cache holds 1 object (600 B)\n")
        .run();
    assert!(!ran.path().join(".sndtrk/objects/tmp").exists());
    assert_eq!(
        build(ran.path(), &graph(vec![padded("a")])).ran(),
        Vec::<&str>::new()
    );
}

#[test]
fn cache_gc_rejects_a_bad_size_with_a_usage_error() {
    Test::new()
        .args(["cache", "gc", "--max-size", "10XB"])
        .status(2)
        .stderr("error: invalid value '10XB' for '--max-size <SIZE>': invalid size `10XB`\n\nFor more information, try '--help'.\n")
        .run();
}

#[test]
fn second_sndtrk_waits_for_the_project_lock() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("out")).unwrap();
    let lock = sndtrk::engine::lock::ProjectLock::acquire(dir.path(), |_| {}).unwrap();
    let directory = dir.path().to_str().unwrap();
    let mut child = Test::at(dir.path())
        .args(["-C", directory, "clean"])
        .spawn();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(
        line,
        format!(
            "sndtrk: waiting for another sndtrk to finish in this project (lock {})\n",
            dir.path().join(".sndtrk/lock").display()
        )
    );
    assert!(
        dir.path().join("out").exists(),
        "clean must not run while the lock is held"
    );
    drop(lock);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "removed out/\n");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn unusable_project_directory_is_e0701() {
    Test::new()
        .write("not-a-directory", "")
        .args(["-C", "not-a-directory", "clean"])
        .status(1)
        .stdout("")
        .stderr(
            "E0701

  × cannot lock the project at not-a-directory/.sndtrk/lock: Not a directory
  │ (os error 20)
  help: sndtrk keeps its lock, cache and build state in DIR/.sndtrk/; make
        that directory writable

",
        )
        .run();
}
