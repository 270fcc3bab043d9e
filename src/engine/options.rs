//! What to build and how: [`BuildOptions`].

use std::{sync::Arc, time::Duration};

use crate::engine::remote::Remote;

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Threads running stages; 0 means one per core.
    pub jobs: usize,
    /// Stage ids to build (with everything upstream); empty builds all.
    pub targets: Vec<String>,
    /// How often the state is saved during a build.
    pub save_interval: Duration,
    /// Re-hash every cached output before trusting it, instead of trusting
    /// an unchanged stat (slow; for CI or after disk trouble).
    pub verify: bool,
    /// Let a stage that runs render, in the same pass, the dependants it
    /// can lead ([`crate::engine::stage::Stage::run_leading`]), instead of
    /// each dependant reading its finished output afterwards. The outputs
    /// are the same bytes either way; off, every stage runs on its own.
    pub lead: bool,
    /// Materialise each deliverable (a stage with an
    /// [`output_path`](crate::engine::stage::Stage::output_path)) into
    /// `out/` as soon as its stage is done. Off, the build only fills the
    /// store and touches nothing in `out/`: the caller decides afterwards
    /// which outputs to deliver and which to withdraw
    /// ([`crate::engine::Engine::deliver`]), and no outcome has a
    /// materialised path.
    pub materialise: bool,
    /// A shared remote cache: a stale stage is looked up there before it
    /// renders, and (with uploads on) what ran is uploaded. With one, a
    /// clean build hashes its sources up front, since a lookup needs the
    /// key.
    pub remote: Option<Arc<Remote>>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            jobs: 0,
            targets: Vec::new(),
            save_interval: Duration::from_secs(2),
            verify: false,
            lead: true,
            materialise: true,
            remote: None,
        }
    }
}
