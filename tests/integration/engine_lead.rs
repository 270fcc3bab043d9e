//! A stage that runs may render, in its own pass, the dependants it can
//! lead (`Stage::run_leading`): a bus and its deliverables at once. What
//! the build records and writes must be what running each stage on its
//! own gives, and a led stage still counts as run only when it is stale.

use std::{
    fs,
    io::Write,
    path::Path,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use sndtrk::{
    audio::{loudness::LoudnessReport, ChannelLayout, SampleFormat},
    engine::graph::StageGraph,
    engine::key::Params,
    engine::outcome::Status,
    engine::progress::Silent,
    engine::stage::{Carry, FnStage, Follower, RunContext, Stage},
    engine::{BuildOptions, BuildReport, Engine},
    project,
    project::config::Config,
};

use crate::{
    audio_support::{test_signal, write_wav},
    outputs::outputs,
};

/// A leader that reads `inputs`, writes `content` and leads every stage of
/// kind `follow`: a follower's output is its input upper-cased, and
/// `target:bad` fails.
struct Leader {
    id: String,
    inputs: Vec<String>,
    content: String,
    /// Part of the key but not of the output (to re-run it with the same
    /// bytes).
    label: String,
}

impl Stage for Leader {
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> &str {
        "bus"
    }
    fn inputs(&self) -> &[String] {
        &self.inputs
    }
    fn params(&self, params: &mut Params<'_>) {
        params
            .str("content", &self.content)
            .str("label", &self.label);
    }
    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        context
            .output()
            .write_all(self.content.as_bytes())
            .map_err(|e| miette::miette!("{e}"))
    }
    fn can_lead(&self, dependant: &dyn Stage) -> bool {
        matches!(dependant.kind(), "follow" | "carry")
    }
    fn run_leading(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        self.run(context)?;
        for follower in followers {
            if follower.stage.kind() == "carry" {
                // A measurement: learnt in the pass, used by the
                // follower's own run.
                follower.carry = Some(Carry::Loudness(measured(self.content.len()), None));
                continue;
            }
            match follow(follower.stage.id(), self.content.as_bytes()) {
                Ok(bytes) => follower
                    .output
                    .write_all(&bytes)
                    .map_err(|e| miette::miette!("{e}"))?,
                Err(error) => follower.fail(error),
            }
        }
        Ok(())
    }
}

/// What the leader's pass "measures" of `frames` bytes.
fn measured(frames: usize) -> LoudnessReport {
    LoudnessReport {
        frames: frames as u64,
        sample_rate: 48_000,
        integrated_lufs: -23.0,
        loudness_range_lu: 0.0,
        momentary_max_lufs: -23.0,
        short_term_max_lufs: -23.0,
        sample_peak_dbfs: -1.0,
        true_peak_dbtp: -1.0,
    }
}

/// Which stage led each of `ids` in `report` (`None`: it ran alone, or did
/// not run).
fn led_by<'r>(report: &'r BuildReport, ids: &[&str]) -> Vec<Option<&'r str>> {
    ids.iter()
        .map(|id| report.outcome(id).unwrap().led_by.as_deref())
        .collect()
}

fn follow(id: &str, input: &[u8]) -> miette::Result<Vec<u8>> {
    if id == "target:bad" {
        miette::bail!("`{id}` cannot be rendered");
    }
    Ok(input.to_ascii_uppercase())
}

/// The leader `bus:L` and its followers, each of which counts in `alone`
/// the times it ran on its own (reading the leader's object).
fn graph(content: &str, label: &str, followers: &[&str], alone: &Arc<AtomicUsize>) -> StageGraph {
    let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(Leader {
        id: "bus:L".into(),
        inputs: Vec::new(),
        content: content.into(),
        label: label.into(),
    })];
    for id in followers {
        let alone = Arc::clone(alone);
        let name = id.trim_start_matches("target:").to_owned();
        let own = (*id).to_owned();
        let stage = FnStage::new(*id, "follow", move |context| {
            alone.fetch_add(1, Ordering::SeqCst);
            let input = fs::read(&context.inputs()[0].path).map_err(|e| miette::miette!("{e}"))?;
            let bytes = follow(&own, &input)?;
            context
                .output()
                .write_all(&bytes)
                .map_err(|e| miette::miette!("{e}"))
        })
        .input("bus:L")
        .param("id", *id)
        .output_to(format!("{name}.txt"));
        stages.push(Box::new(stage));
    }
    StageGraph::new(stages).unwrap()
}

fn build(dir: &Path, graph: &StageGraph, options: &BuildOptions) -> BuildReport {
    let mut engine = Engine::open(dir, |_| panic!("lock held")).unwrap();
    engine.build(graph, options, &Silent).unwrap()
}

/// What the build recorded: each stage's key and output.
fn recorded(dir: &Path) -> Vec<(String, String, String)> {
    let engine = Engine::open(dir, |_| panic!("lock held")).unwrap();
    let state = engine.state();
    let mut records: Vec<(String, String, String)> = state
        .stages
        .iter()
        .map(|(id, record)| {
            let output = state
                .actions
                .get(&record.key)
                .map(|action| action.output.to_hex().to_string())
                .unwrap_or_default();
            (id.clone(), record.key.to_hex().to_string(), output)
        })
        .collect();
    records.sort();
    records
}

fn no_temporaries(dir: &Path) {
    let tmp = dir.join(".sndtrk/objects/tmp");
    let left: Vec<_> = fs::read_dir(&tmp)
        .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn led_stages_write_and_record_what_running_alone_writes() {
    let followers = ["target:a", "target:b"];
    let mut results = Vec::new();
    for lead in [true, false] {
        for jobs in [1, 2] {
            let dir = tempfile::tempdir().unwrap();
            let alone = Arc::new(AtomicUsize::new(0));
            let options = BuildOptions {
                lead,
                jobs,
                ..BuildOptions::default()
            };
            let report = build(
                dir.path(),
                &graph("print master", "v1", &followers, &alone),
                &options,
            );
            assert_eq!(report.ran(), ["bus:L", "target:a", "target:b"]);
            // Led, the followers never read the leader's object.
            let expected_alone = if lead { 0 } else { 2 };
            assert_eq!(alone.load(Ordering::SeqCst), expected_alone, "lead {lead}");
            let leader = lead.then_some("bus:L");
            assert_eq!(
                led_by(&report, &["bus:L", "target:a", "target:b"]),
                [None, leader, leader]
            );
            no_temporaries(dir.path());
            results.push((outputs(dir.path()), recorded(dir.path())));
        }
    }
    assert_eq!(results[0].0[Path::new("a.txt")], b"PRINT MASTER".to_vec());
    for other in &results[1..] {
        assert_eq!(other, &results[0]);
    }
}

#[test]
fn a_stage_that_fails_in_its_leader_s_pass_runs_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let alone = Arc::new(AtomicUsize::new(0));
    let film = graph("stems", "v1", &["target:a", "target:bad"], &alone);
    let report = build(dir.path(), &film, &BuildOptions::default());
    assert_eq!(report.ran(), ["bus:L", "target:a"]);
    assert_eq!(report.with_status(Status::Failed), ["target:bad"]);
    assert_eq!(
        led_by(&report, &["target:a", "target:bad"]),
        [Some("bus:L"), None]
    );
    // The error reported is its own run's: it ran once on its own.
    assert_eq!(alone.load(Ordering::SeqCst), 1);
    let (id, error) = &report.failures[0];
    assert_eq!(id, "target:bad");
    assert_eq!(error.to_string(), "`target:bad` cannot be rendered");
    assert_eq!(
        outputs(dir.path()).keys().collect::<Vec<_>>(),
        [Path::new("a.txt")]
    );
    no_temporaries(dir.path());
    // Nothing was recorded for it: the next build runs it again.
    let again = build(dir.path(), &film, &BuildOptions::default());
    assert_eq!(again.ran(), Vec::<&str>::new());
    assert_eq!(again.with_status(Status::Failed), ["target:bad"]);
    assert_eq!(alone.load(Ordering::SeqCst), 2);
}

#[test]
fn a_leader_that_re_runs_with_the_same_bytes_leaves_its_followers_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let alone = Arc::new(AtomicUsize::new(0));
    let followers = ["target:a", "target:b"];
    build(
        dir.path(),
        &graph("stems", "v1", &followers, &alone),
        &BuildOptions::default(),
    );
    let before = outputs(dir.path());
    // A new label re-runs the leader, which leads both followers again;
    // its bytes are the same, so early cutoff keeps them fresh: their
    // renders in its pass are dropped, and they do not count as run.
    let report = build(
        dir.path(),
        &graph("stems", "v2", &followers, &alone),
        &BuildOptions::default(),
    );
    assert_eq!(report.ran(), ["bus:L"]);
    assert_eq!(report.with_status(Status::Fresh), followers);
    assert_eq!(led_by(&report, &followers), [None, None]);
    assert_eq!(outputs(dir.path()), before);
    no_temporaries(dir.path());
    // A changed leader re-runs them.
    let report = build(
        dir.path(),
        &graph("stems v2", "v2", &followers, &alone),
        &BuildOptions::default(),
    );
    assert_eq!(report.ran(), ["bus:L", "target:a", "target:b"]);
    assert_eq!(
        outputs(dir.path())[Path::new("b.txt")],
        b"STEMS V2".to_vec()
    );
    assert_eq!(alone.load(Ordering::SeqCst), 0);
}

/// A real recipe: one 5.1 bus and deliverables of every shape a bus leads
/// (as it is, Lo/Ro, 16-bit, float, resampled, and normalised to a spec,
/// which the pass measures), built with and without leading: led, every
/// deliverable is rendered (or measured) in the bus's pass; either way, the
/// same files, the same records.
#[test]
fn a_bus_renders_its_deliverables_in_its_pass_byte_for_byte() {
    let recipe = r#"import "std/layouts"
import "std/delivery/ebu"

project "Lead" {
    frame_rate 24
    sample_rate 48kHz
}

stem fx {
    role effects
    layout 5.1
    file "stems/fx.wav"
}

stem dx {
    role dialogue
    layout 1.0
    pan C
    file "stems/dx.wav"
}

bus PM 5.1 { fx dx }

target pm {
    from PM
    layout 5.1
    format wav 48kHz 24bit
}

target loro {
    from PM
    layout 2.0 downmix loro
    format wav 48kHz 16bit
}

target float {
    from PM
    layout 5.1
    format wav 48kHz 32bit float
}

target web {
    from PM
    layout 2.0 downmix loro
    format wav 44.1kHz 24bit
}

target broadcast {
    from PM
    layout 5.1
    format wav 48kHz 24bit
    spec ebu.r128
}
"#;
    let mut results = Vec::new();
    for lead in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("stems")).unwrap();
        write_wav(
            &dir.path().join("stems/fx.wav"),
            &test_signal(6, 48_000, 30_000),
            ChannelLayout::surround_5_1(),
            SampleFormat::Int24,
            48_000,
            None,
        );
        write_wav(
            &dir.path().join("stems/dx.wav"),
            &test_signal(1, 48_000, 40_000),
            ChannelLayout::mono(),
            SampleFormat::Int24,
            48_000,
            None,
        );
        fs::write(dir.path().join("soundtrack.sndtrk"), recipe).unwrap();
        let config = Config::new(Some(dir.path().to_path_buf()));
        let loaded = project::load(&config).unwrap_or_else(|_| panic!("the recipe loads"));
        let options = BuildOptions {
            lead,
            ..BuildOptions::default()
        };
        let report = build(dir.path(), &loaded.graph, &options);
        assert!(report.succeeded(), "{:?}", report.failures);
        for target in ["pm", "loro", "float", "web", "broadcast"] {
            let outcome = report.outcome(&format!("target:{target}")).unwrap();
            assert_eq!(outcome.status, Status::Ran, "{target}");
            let leader = lead.then_some("bus:PM");
            assert_eq!(
                outcome.led_by.as_deref(),
                leader,
                "target:{target}, lead {lead}"
            );
        }
        // The measurement of a deliverable reads it on its own.
        assert_eq!(report.outcome("measure:broadcast").unwrap().led_by, None);
        no_temporaries(dir.path());
        results.push((outputs(dir.path()), recorded(dir.path())));
    }
    assert_eq!(results[0].0.len(), results[1].0.len());
    for (path, bytes) in &results[0].0 {
        assert!(
            results[1].0.get(path) == Some(bytes),
            "{} differs with and without leading",
            path.display()
        );
    }
    assert_eq!(results[0].1, results[1].1);
}

/// A leader that says it can lead but does not implement the pass.
struct Boaster;

impl Stage for Boaster {
    fn id(&self) -> &str {
        "bus:B"
    }
    fn kind(&self) -> &str {
        "bus"
    }
    fn inputs(&self) -> &[String] {
        &[]
    }
    fn params(&self, _: &mut Params<'_>) {}
    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        context
            .output()
            .write_all(b"bus")
            .map_err(|e| miette::miette!("{e}"))
    }
    fn can_lead(&self, _: &dyn Stage) -> bool {
        true
    }
}

#[test]
fn a_follower_its_leader_refuses_runs_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let film = StageGraph::new(vec![
        Box::new(Boaster),
        Box::new(
            FnStage::new("target:t", "follow", |context| {
                context
                    .output()
                    .write_all(b"t")
                    .map_err(|e| miette::miette!("{e}"))
            })
            .input("bus:B")
            .output_to("t.txt"),
        ),
    ])
    .unwrap();
    let report = build(dir.path(), &film, &BuildOptions::default());
    assert_eq!(report.ran(), ["bus:B", "target:t"]);
    assert!(report.succeeded());
    assert_eq!(fs::read(dir.path().join("out/t.txt")).unwrap(), b"t");
    no_temporaries(dir.path());
    assert_eq!(
        build(dir.path(), &film, &BuildOptions::default()).ran(),
        Vec::<&str>::new()
    );
}

/// A follower whose run can start from what its leader's pass carried: its
/// output is its input's length either way. Counts its runs of each kind.
struct Carried {
    inputs: Vec<String>,
    plain: Arc<AtomicUsize>,
    carried: Arc<AtomicUsize>,
}

impl Stage for Carried {
    fn id(&self) -> &str {
        "target:carried"
    }
    fn kind(&self) -> &str {
        "carry"
    }
    fn inputs(&self) -> &[String] {
        &self.inputs
    }
    fn params(&self, _: &mut Params<'_>) {}
    fn output_path(&self) -> Option<&Path> {
        Some(Path::new("carried.txt"))
    }
    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        self.plain.fetch_add(1, Ordering::SeqCst);
        let input = fs::read(&context.inputs()[0].path).map_err(|e| miette::miette!("{e}"))?;
        write!(context.output(), "{} frames", input.len()).map_err(|e| miette::miette!("{e}"))
    }
    fn run_carried(&self, context: &mut RunContext<'_>, carry: Carry) -> miette::Result<()> {
        self.carried.fetch_add(1, Ordering::SeqCst);
        let Carry::Loudness(measured, _) = carry;
        // The leader's object is finished and readable by now.
        assert!(context.inputs()[0].path.is_file());
        write!(context.output(), "{} frames", measured.frames).map_err(|e| miette::miette!("{e}"))
    }
}

#[test]
fn a_follower_runs_on_its_own_with_what_its_leader_s_pass_carried() {
    let plain = Arc::new(AtomicUsize::new(0));
    let carried = Arc::new(AtomicUsize::new(0));
    let film = |content: &str, label: &str| {
        StageGraph::new(vec![
            Box::new(Leader {
                id: "bus:L".into(),
                inputs: Vec::new(),
                content: content.into(),
                label: label.into(),
            }) as Box<dyn Stage>,
            Box::new(Carried {
                inputs: vec!["bus:L".into()],
                plain: Arc::clone(&plain),
                carried: Arc::clone(&carried),
            }),
        ])
        .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let report = build(dir.path(), &film("stems", "v1"), &BuildOptions::default());
    assert_eq!(report.ran(), ["bus:L", "target:carried"]);
    assert_eq!(
        (plain.load(Ordering::SeqCst), carried.load(Ordering::SeqCst)),
        (0, 1)
    );
    assert_eq!(led_by(&report, &["target:carried"]), [Some("bus:L")]);
    assert_eq!(
        fs::read(dir.path().join("out/carried.txt")).unwrap(),
        b"5 frames"
    );
    no_temporaries(dir.path());
    // The same bytes from the leader: the follower is fresh, its carry
    // dropped.
    let report = build(dir.path(), &film("stems", "v2"), &BuildOptions::default());
    assert_eq!(report.ran(), ["bus:L"]);
    assert_eq!(carried.load(Ordering::SeqCst), 1);
    // Without leading, its plain run writes the same bytes, under the same
    // key.
    let alone = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        lead: false,
        ..BuildOptions::default()
    };
    build(alone.path(), &film("stems", "v1"), &options);
    assert_eq!(plain.load(Ordering::SeqCst), 1);
    assert_eq!(outputs(alone.path()), {
        let mut first = outputs(dir.path());
        first.retain(|path, _| path.ends_with("carried.txt"));
        first
    });
    assert_eq!(recorded(alone.path())[1], recorded(dir.path())[1]);
}

/// A dependant that reads, beside its leader, only stages the leader
/// reads too (a deliverable that mixes an unkept bus reads the timeline)
/// is led: it can be keyed as soon as the leader is done. One that reads
/// a stage the leader does not runs on its own, after it.
#[test]
fn a_follower_may_read_what_its_leader_reads_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let write = |bytes: &'static [u8]| {
        move |context: &mut RunContext<'_>| {
            context
                .output()
                .write_all(bytes)
                .map_err(|e| miette::miette!("{e}"))
        }
    };
    let follower = |id: &str, other: &str| {
        FnStage::new(id, "follow", |context| {
            let input = fs::read(&context.inputs()[0].path).map_err(|e| miette::miette!("{e}"))?;
            context
                .output()
                .write_all(&input.to_ascii_uppercase())
                .map_err(|e| miette::miette!("{e}"))
        })
        .input("bus:L")
        .input(other)
        .output_to(format!("{}.txt", id.trim_start_matches("target:")))
    };
    let stages: Vec<Box<dyn Stage>> = vec![
        Box::new(FnStage::new("timeline", "timeline", write(b"t"))),
        Box::new(FnStage::new("other", "other", write(b"o"))),
        Box::new(Leader {
            id: "bus:L".into(),
            inputs: vec!["timeline".into()],
            content: "abc".into(),
            label: String::new(),
        }),
        Box::new(follower("target:a", "timeline")),
        Box::new(follower("target:b", "other")),
    ];
    let graph = StageGraph::new(stages).unwrap();
    let report = build(dir.path(), &graph, &BuildOptions::default());
    assert_eq!(
        led_by(&report, &["target:a", "target:b"]),
        [Some("bus:L"), None]
    );
    let out = outputs(dir.path());
    assert_eq!(out[Path::new("a.txt")], b"ABC".to_vec());
    assert_eq!(out[Path::new("b.txt")], b"ABC".to_vec());
}
