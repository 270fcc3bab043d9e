//! A no-op `sndtrk build` of a generated recipe: 1,000 file stems (10 ms
//! mono WAVs), 20 buses of 50 stems, a print-master bus over them and 50
//! targets (20 from the group buses, 30 from the print master in several
//! layouts and formats). Built once, then timed all fresh two ways:
//!
//! - `in process`: the steps of `sndtrk build` (src/cli/subcommand/build.rs)
//!   through the library: resolve and lower the recipe, build the stage
//!   graph, open the engine (lock, state, stat cache), build, save the
//!   state and read every measurement back for the post-build rules
//!   (D004); it asserts that no source byte was read;
//! - `binary`: the release `sndtrk build` process itself, start-up included.
//!
//! Also timed alone: `project::load` (resolve + lower + stages), to see what
//! share of the no-op the front end takes.
//!
//! Run: `cargo bench --bench noop_recipe`; with `NOOP_PROJECT=DIR`, it
//! only writes and builds the project in DIR, for timing by hand.

use std::{
    fmt::Write as _,
    fs,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, SystemTime},
};

use criterion::{criterion_group, criterion_main, Criterion};
use sndtrk::{
    engine::outcome::Status,
    engine::progress::Silent,
    engine::{BuildOptions, Engine},
    lint::{self, Built},
    project,
    project::config::Config,
};

const STEMS: usize = 1000;
const GROUPS: usize = 20;
const TARGETS: usize = 50;

/// The recipe of the generated project.
fn recipe() -> String {
    let mut text = String::from(
        "import \"std/layouts\"\n\nproject \"Noop\" {\n    frame_rate 24\n    \
         sample_rate 48kHz\n    picture_start 01:00:00:00\n}\n\n",
    );
    let pans = ["C", "L", "R"];
    for stem in 0..STEMS {
        writeln!(
            text,
            "stem s{stem:04} {{\n    role effects\n    layout 1.0\n    pan {}\n    \
             file \"stems/s{stem:04}.wav\"\n    at 01:00:00:{:02}\n    gain -{}dB\n}}\n",
            pans[stem % pans.len()],
            stem % 24,
            stem % 7 + 1,
        )
        .unwrap();
    }
    let per_group = STEMS / GROUPS;
    for group in 0..GROUPS {
        let members: Vec<String> = (group * per_group..(group + 1) * per_group)
            .map(|stem| format!("s{stem:04}"))
            .collect();
        writeln!(text, "bus G{group:02} 5.1 {{ {} }}", members.join(" ")).unwrap();
    }
    let groups: Vec<String> = (0..GROUPS).map(|group| format!("G{group:02}")).collect();
    writeln!(text, "bus PM 5.1 {{ {} }}\n", groups.join(" ")).unwrap();
    let shapes = [
        ("5.1", "48kHz 24bit"),
        ("2.0 downmix loro", "48kHz 24bit"),
        ("2.0 downmix ltrt", "48kHz 16bit"),
    ];
    for target in 0..TARGETS {
        let (from, (layout, format)) = if target < GROUPS {
            (format!("G{target:02}"), shapes[0])
        } else {
            ("PM".to_owned(), shapes[target % shapes.len()])
        };
        writeln!(
            text,
            "target t{target:02} {{\n    from {from}\n    layout {layout}\n    \
             format wav {format}\n}}\n"
        )
        .unwrap();
    }
    text
}

/// Writes the recipe and 1,000 10 ms mono 24-bit WAVs, dated an hour ago
/// (outside the stat cache's racy window).
fn setup(dir: &Path) {
    fs::write(dir.join("soundtrack.sndtrk"), recipe()).unwrap();
    fs::create_dir_all(dir.join("stems")).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    // Quiet mono files (a thousand of them sum under full scale) whose
    // mask says centre, as the recipe's `layout 1.0`
    // (D003 blocks a file whose mask contradicts its layout).
    let spec = sndtrk::audio::WavSpec {
        sample_rate: 48_000,
        layout: sndtrk::audio::ChannelLayout::mono(),
        sample_format: sndtrk::audio::SampleFormat::Int24,
        time_reference: None,
    };
    for stem in 0..STEMS {
        let path = dir.join(format!("stems/s{stem:04}.wav"));
        let mut writer = sndtrk::audio::WavWriter::create(&path, spec.clone()).unwrap();
        let block: Vec<f32> = (0..480)
            .map(|n| {
                let phase = (n * (stem % 13 + 1)) as f64 / 480.0 * std::f64::consts::TAU;
                (phase.sin() * 0.0005) as f32
            })
            .collect();
        writer.write_block(&block).unwrap();
        writer.finish().unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
}

/// What `sndtrk build` does, without printing: the number of stages that ran.
fn build_like_the_command(config: &Config, check_no_reads: bool) -> usize {
    let Ok(project) = project::load(config) else {
        panic!("the generated recipe loads");
    };
    let targets = project::select(&project, &[]).unwrap();
    let mut engine = Engine::open(&config.directory, |_| {}).unwrap();
    let options = BuildOptions {
        targets,
        ..BuildOptions::default()
    };
    let report = engine.build(&project.graph, &options, &Silent).unwrap();
    engine.save().unwrap();
    assert!(report.succeeded());
    let mut measurements = Vec::new();
    for outcome in &report.outcomes {
        let Some(measure) = sndtrk::lower::StageId::parse(&outcome.id) else {
            continue;
        };
        if !matches!(
            measure.renders(),
            sndtrk::lower::Renders::Measurement(_) | sndtrk::lower::Renders::AlbumMeasurement(_)
        ) {
            continue;
        }
        if !matches!(outcome.status, Status::Ran | Status::Fresh) {
            continue;
        }
        let Some(digest) = outcome.output else {
            continue;
        };
        let measured = sndtrk::project::status::read_measurement(engine.store(), &digest)
            .expect("a measurement object");
        measurements.push((measure, measured));
    }
    let diagnostics = lint::check_built(&Built {
        model: &project.resolved.model,
        plan: &project.plan,
        measurements,
    });
    assert_eq!(diagnostics, Vec::new());
    if check_no_reads {
        assert_eq!(engine.stat_cache().counters().files, 0, "no file was read");
    }
    report.ran().len()
}

fn noop_recipe(c: &mut Criterion) {
    // `NOOP_PROJECT=DIR cargo bench --bench noop_recipe` writes and builds
    // the project in DIR and stops there, to time or profile by hand
    // (`perf record target/release/sndtrk -C DIR build`).
    if let Some(keep) = std::env::var_os("NOOP_PROJECT") {
        let keep = Path::new(&keep);
        fs::create_dir_all(keep).unwrap();
        setup(keep);
        build_like_the_command(&Config::new(Some(keep.to_path_buf())), false);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let config = Config::new(Some(dir.path().to_path_buf()));
    let first = build_like_the_command(&config, false);
    // timeline, 21 buses, 50 targets and their measurements, and the
    // three reports (cue sheet CSV and JSON, rights matrix).
    assert_eq!(first, 1 + GROUPS + 1 + 2 * TARGETS + 3);
    let mut group = c.benchmark_group("noop recipe, 1000 file stems, 50 targets");
    group.bench_function("project::load (resolve, lower, stages)", |b| {
        b.iter(|| project::load(&config).ok().unwrap())
    });
    group.bench_function("in process (load, open, build, save)", |b| {
        b.iter(|| assert_eq!(build_like_the_command(&config, true), 0))
    });
    group.bench_function("binary (sndtrk build)", |b| {
        b.iter(|| {
            let status = Command::new(env!("CARGO_BIN_EXE_sndtrk"))
                .arg("-C")
                .arg(dir.path())
                .arg("build")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(6));
    targets = noop_recipe
}
criterion_main!(benches);
