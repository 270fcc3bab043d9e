//! The remote cache with the engine, over an in-memory backend: what ran
//! is uploaded blob first and manifest last, a failed stage never, and a
//! second project fetches what the first uploaded.

use std::{
    collections::BTreeMap,
    io::{Read, Write},
    sync::{Arc, Mutex},
};

use crate::engine::{
    graph::StageGraph,
    outcome::Status,
    progress::Silent,
    remote::{
        backend::{Area, Backend, Failure},
        Remote, RemoteSources,
    },
    stage::FnStage,
    BuildOptions, Engine,
};

/// Objects by `area/name`, and the order they were put in.
#[derive(Default)]
struct Memory {
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
    puts: Mutex<Vec<String>>,
}

struct MemoryBackend(Arc<Memory>);

impl Backend for MemoryBackend {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn get(
        &self,
        area: Area,
        name: &str,
        limit: u64,
        sink: &mut dyn Write,
    ) -> Result<bool, Failure> {
        let objects = self.0.objects.lock().unwrap();
        match objects.get(&format!("{}/{name}", area.as_str())) {
            Some(bytes) => {
                let take = bytes.len().min(limit as usize + 1);
                sink.write_all(&bytes[..take])
                    .map_err(|e| Failure::new(e.to_string()))?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn contains(&self, area: Area, name: &str) -> Result<bool, Failure> {
        Ok(self
            .0
            .objects
            .lock()
            .unwrap()
            .contains_key(&format!("{}/{name}", area.as_str())))
    }

    fn put(&self, area: Area, name: &str, _size: u64, body: &mut dyn Read) -> Result<(), Failure> {
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes)
            .map_err(|e| Failure::new(e.to_string()))?;
        let path = format!("{}/{name}", area.as_str());
        self.0.puts.lock().unwrap().push(path.clone());
        self.0.objects.lock().unwrap().insert(path, bytes);
        Ok(())
    }
}

fn remote(memory: &Arc<Memory>, upload: bool) -> Arc<Remote> {
    let settings = RemoteSources {
        flag_url: Some("http://127.0.0.1:1".into()),
        flag_upload: upload,
        ..RemoteSources::default()
    }
    .resolve()
    .unwrap()
    .unwrap();
    Arc::new(Remote::with_backend(
        Box::new(MemoryBackend(Arc::clone(memory))),
        settings,
        false,
    ))
}

fn graph() -> StageGraph {
    StageGraph::new(vec![
        Box::new(FnStage::new("good", "k", |context| {
            context.note("made it");
            context
                .output()
                .write_all(b"good bytes")
                .map_err(|error| miette::miette!("{error}"))
        })),
        Box::new(FnStage::new("bad", "k", |context| {
            context
                .output()
                .write_all(b"half of it")
                .map_err(|error| miette::miette!("{error}"))?;
            Err(miette::miette!("broken"))
        })),
        Box::new(
            FnStage::new("after", "k", |context| {
                let bytes = std::fs::read(&context.inputs()[0].path).unwrap();
                context
                    .output()
                    .write_all(&bytes.to_ascii_uppercase())
                    .map_err(|error| miette::miette!("{error}"))
            })
            .input("good"),
        ),
    ])
    .unwrap()
}

#[test]
fn what_ran_is_uploaded_blob_first_a_failure_never_and_a_second_project_fetches_it() {
    let memory = Arc::new(Memory::default());
    let first = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(first.path(), |_| {}).unwrap();
    let options = BuildOptions {
        remote: Some(remote(&memory, true)),
        ..BuildOptions::default()
    };
    let report = engine.build(&graph(), &options, &Silent).unwrap();
    assert_eq!(report.with_status(Status::Failed), ["bad"]);
    let puts = memory.puts.lock().unwrap().clone();
    // Two stages succeeded: a blob then a manifest each, in that order.
    assert_eq!(puts.len(), 4, "{puts:?}");
    for pair in puts.chunks(2) {
        assert!(
            pair[0].starts_with("cas/") && pair[1].starts_with("ac/"),
            "{puts:?}"
        );
    }
    let half = crate::engine::key::Digest::of(b"half of it").to_hex();
    assert!(!puts.iter().any(|put| put.ends_with(&half)));

    let second = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(second.path(), |_| {}).unwrap();
    let options = BuildOptions {
        remote: Some(remote(&memory, false)),
        ..BuildOptions::default()
    };
    let report = engine.build(&graph(), &options, &Silent).unwrap();
    assert_eq!(report.with_status(Status::Fetched), ["good", "after"]);
    assert_eq!(report.with_status(Status::Failed), ["bad"]);
    assert_eq!(report.outcome("good").unwrap().notes, ["made it"]);
    assert_eq!(memory.puts.lock().unwrap().len(), 4, "read-only wrote");
    assert_eq!(report.summary.fetched, 2);
}

#[test]
fn a_stage_whose_source_changed_during_the_build_is_not_uploaded() {
    let memory = Arc::new(Memory::default());
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("take.wav"), b"first take").unwrap();
    let graph = StageGraph::new(vec![Box::new(
        FnStage::new("copy", "k", |context| {
            let path = context.files()[0].path.clone();
            let bytes = std::fs::read(&path).unwrap();
            // Someone saves a new take while the stage runs.
            std::fs::write(&path, b"second take, longer").unwrap();
            context
                .output()
                .write_all(&bytes)
                .map_err(|error| miette::miette!("{error}"))
        })
        .file("take.wav"),
    )])
    .unwrap();
    let mut engine = Engine::open(project.path(), |_| {}).unwrap();
    let options = BuildOptions {
        remote: Some(remote(&memory, true)),
        ..BuildOptions::default()
    };
    let report = engine.build(&graph, &options, &Silent).unwrap();
    assert_eq!(report.ran(), ["copy"]);
    assert!(memory.puts.lock().unwrap().is_empty());
}

fn indexed() -> StageGraph {
    StageGraph::new(vec![Box::new(FnStage::new("bus:PM", "k", |context| {
        context.set_regions(b"the chunks of PM".to_vec());
        context
            .output()
            .write_all(b"PM samples")
            .map_err(|error| miette::miette!("{error}"))
    }))])
    .unwrap()
}

/// A stage's region index goes up beside its output (blob, then index,
/// then the manifest naming both) and comes down with it, so a fetched
/// stage splices at its next edit; a damaged index is a warning and the
/// stage is fetched without it.
#[test]
fn a_region_index_travels_with_its_output_and_a_damaged_one_stays_behind() {
    let memory = Arc::new(Memory::default());
    let first = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(first.path(), |_| {}).unwrap();
    let options = BuildOptions {
        remote: Some(remote(&memory, true)),
        ..BuildOptions::default()
    };
    engine.build(&indexed(), &options, &Silent).unwrap();
    let puts = memory.puts.lock().unwrap().clone();
    let index = crate::engine::key::Digest::of(b"the chunks of PM");
    assert_eq!(puts.len(), 3, "{puts:?}");
    assert_eq!(puts[1], format!("cas/{}", index.to_hex()), "{puts:?}");
    assert!(puts[2].starts_with("ac/"), "{puts:?}");
    let output = crate::engine::key::Digest::of(b"PM samples");

    let fetch = |memory: &Arc<Memory>| {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = Engine::open(dir.path(), |_| {}).unwrap();
        let remote = remote(memory, false);
        let options = BuildOptions {
            remote: Some(Arc::clone(&remote)),
            ..BuildOptions::default()
        };
        let report = engine.build(&indexed(), &options, &Silent).unwrap();
        assert_eq!(report.with_status(Status::Fetched), ["bus:PM"]);
        let got = crate::engine::regions::read(engine.store(), &output);
        (got, remote.take_warnings(), dir)
    };
    let (got, warnings, _dir) = fetch(&memory);
    assert_eq!(got.as_deref(), Some(&b"the chunks of PM"[..]));
    assert!(warnings.is_empty(), "{warnings:?}");

    memory.objects.lock().unwrap().insert(
        format!("cas/{}", index.to_hex()),
        b"the chunks of PX".to_vec(),
    );
    let (got, warnings, _dir) = fetch(&memory);
    assert_eq!(got, None);
    let text = format!("{warnings:?}");
    assert!(text.contains("region index of bus:PM"), "{text}");
}
