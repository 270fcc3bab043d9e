//! The build engine, generic over what a stage renders: a graph of stages
//! (`graph`, each a [`stage::Stage`]), their keys (`key`), the sources'
//! fingerprints (`fingerprint`, `source_digest`), the content-addressed
//! store of their outputs (`store`), the persisted build state (`db`), the
//! project lock (`lock`), and what [`Engine`] does with them:
//!
//! | file | concern |
//! |---|---|
//! | `open` | the [`Engine`] of one project: lock, store, stat cache, state |
//! | `options` | [`BuildOptions`]: what to build and how |
//! | `build` | [`Engine::build`] and its [`BuildReport`] |
//! | `schedule` | one build's state, a `StageState` per stage, and its loop |
//! | `files` | the sources' digests, hashed up front or learnt as read (or keyed as unreadable, for a stage that asks) |
//! | `decide` | fresh or stale, and why: a stage's key looked up |
//! | `job` | running one stale stage on the pool |
//! | `lead` | the leader/follower pass, engine side |
//! | `record` | recording the stages that ran once their files' digests are known |
//! | `out` | materialising deliverables in `out/`; [`clean`] |
//! | `deliver` | [`Engine::deliver`]: the delivery step after a build that does not materialise |
//! | `plan` | [`Engine::plan`]: what a build would do |
//! | `deep_key` | every stage's key with inputs keyed by theirs, rendering nothing (`sndtrk diff`) |
//! | `gc` | [`Engine::gc`]: shrinking the store |
//!
//! and what it reports (`outcome`, `progress`).
//!
//! Plugging stages in: implement [`stage::Stage`] (or use
//! [`stage::FnStage`]), put the stages in a [`graph::StageGraph`], open the
//! project and build:
//!
//! ```
//! use std::io::Write;
//! use sndtrk::engine::{progress::Silent, stage::FnStage, graph::StageGraph, BuildOptions, Engine};
//!
//! # fn main() -> miette::Result<()> {
//! let project = tempfile::tempdir().unwrap();
//! std::fs::write(project.path().join("dx.wav"), b"dialogue").unwrap();
//! let graph = StageGraph::new(vec![
//!     Box::new(FnStage::new("stem:dx", "source", |context| {
//!         let bytes = std::fs::read(&context.files()[0].path).unwrap();
//!         context.output().write_all(&bytes).map_err(|e| miette::miette!("{e}"))
//!     }).file("dx.wav")),
//!     Box::new(FnStage::new("target:stereo", "target", |context| {
//!         let bytes = std::fs::read(&context.inputs()[0].path).unwrap();
//!         context.output().write_all(&bytes.to_ascii_uppercase()).map_err(|e| miette::miette!("{e}"))
//!     }).input("stem:dx").param("gain_db", -3.0).output_to("stereo.wav")),
//! ])?;
//! let mut engine = Engine::open(project.path(), |lock| eprintln!("waiting for {}", lock.display()))?;
//! let report = engine.build(&graph, &BuildOptions::default(), &Silent)?;
//! assert_eq!(report.ran(), ["stem:dx", "target:stereo"]);
//! assert_eq!(std::fs::read(project.path().join("out/stereo.wav")).unwrap(), b"DIALOGUE");
//! let again = engine.build(&graph, &BuildOptions::default(), &Silent)?;
//! assert!(again.ran().is_empty());
//! # Ok(())
//! # }
//! ```

pub(crate) mod atomic_file;
pub mod db;
pub mod deep_key;
pub mod error;
pub mod fingerprint;
pub mod graph;
pub mod key;
pub mod lock;
pub mod outcome;
pub mod progress;
pub mod regions;
pub mod remote;
pub(crate) mod source_digest;
pub mod stage;
pub mod store;
pub mod tree_hash;
pub mod versioned_file;
pub(crate) mod writeback;

mod build;
mod decide;
mod deliver;
mod files;
mod gc;
mod job;
mod lead;
mod open;
mod options;
mod out;
mod plan;
mod record;
mod schedule;

pub use build::BuildReport;
pub use deliver::Delivered;
pub use gc::{CacheUsage, GcPolicy, GcReport};
pub use open::{Engine, ReadAhead};
pub use options::BuildOptions;
pub use out::clean;
