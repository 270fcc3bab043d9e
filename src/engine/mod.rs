//! The build engine, generic over what a stage renders: a graph of stages
//! (`graph`, each a [`stage::Stage`]), their keys (`key`), the sources'
//! fingerprints (`fingerprint`, `source_digest`), the content-addressed
//! store of their outputs (`store`), the persisted build state (`db`), the
//! project lock (`lock`), the scheduler that runs what is stale (`work`)
//! and what it reports (`outcome`, `progress`).

pub mod atomic_file;
pub mod db;
pub mod error;
pub mod fingerprint;
pub mod graph;
pub mod key;
pub mod lock;
pub mod outcome;
pub mod progress;
pub mod source_digest;
pub mod stage;
pub mod store;
pub mod versioned_file;
pub mod work;
pub mod writeback;
