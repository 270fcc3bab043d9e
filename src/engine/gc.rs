//! `Engine::gc` (`sndtrk cache gc`): shrinking the object store; and
//! `Engine::usage` (`sndtrk cache`): what it holds, by kind of stage.
//!
//! What a collection keeps ([`GcPolicy`]):
//!
//! - with no limit, what the last build used (every stage's current key's
//!   output) and nothing else;
//! - with `keep_builds: N`, what the last N builds used (the build state
//!   numbers builds: see [`crate::engine::db`]);
//! - with only `max_size`, anything a recorded key refers to;
//!
//! then, with `max_size`, the least recently used of those go until the
//! store holds at most that many bytes. Objects no kept key refers to (and
//! half-written temporaries) always go.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::engine::{error::EngineError, key::Digest, open::Engine};

/// What `cache gc` keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcPolicy {
    /// The most bytes the store may hold afterwards.
    pub max_size: Option<u64>,
    /// Keep what the last N builds used (1: the last build).
    pub keep_builds: Option<u64>,
}

/// What `cache gc` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    pub objects_before: usize,
    pub bytes_before: u64,
    pub objects_removed: usize,
    pub bytes_removed: u64,
}

/// What the store holds, by what uses it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheUsage {
    /// Objects the last build used, by kind of stage (`bus`, `target`, …):
    /// (objects, bytes).
    pub kinds: BTreeMap<String, (usize, u64)>,
    /// Objects only earlier builds used.
    pub earlier: (usize, u64),
    /// Objects no recorded build used.
    pub unreferenced: (usize, u64),
    /// The region indexes beside the objects (see `engine::regions`):
    /// (indexes, bytes), not counted among the objects.
    pub regions: (usize, u64),
}

impl CacheUsage {
    /// Every object: (objects, bytes).
    pub fn total(&self) -> (usize, u64) {
        self.kinds
            .values()
            .chain([&self.earlier, &self.unreferenced])
            .fold((0, 0), |(objects, bytes), (more, size)| {
                (objects + more, bytes + size)
            })
    }
}

/// The kind of stage `id` names: `bus` for `bus:PM`, `timeline` for
/// `timeline`.
fn kind(id: &str) -> &str {
    id.split_once(':').map_or(id, |(kind, _)| kind)
}

impl Engine {
    /// Shrinks the store by `policy` (see the module's doc).
    pub fn gc(&mut self, policy: GcPolicy) -> Result<GcReport, EngineError> {
        let root = self.store.root().to_path_buf();
        let io_error = |source| EngineError::io(&root, source);
        self.store.clear_temporaries().map_err(io_error)?;
        let objects = self.store.list().map_err(io_error)?;
        let kept_keys: Vec<Digest> = match (policy.keep_builds, policy.max_size) {
            (Some(builds), _) => self.state.keys_of_last_builds(builds.max(1)),
            (None, Some(_)) => self.state.actions.keys().copied().collect(),
            (None, None) => self.state.keys_of_last_builds(1),
        };
        let mut last_used: HashMap<Digest, u64> = HashMap::new();
        for key in &kept_keys {
            if let Some(action) = self.state.actions.get(key) {
                let entry = last_used.entry(action.output).or_insert(0);
                *entry = (*entry).max(action.last_used);
            }
        }
        let mut report = GcReport {
            objects_before: objects.len(),
            bytes_before: objects.iter().map(|object| object.size).sum(),
            ..GcReport::default()
        };
        // Objects not kept first (as if never used), then oldest first;
        // ties broken by digest so the result is deterministic.
        let mut candidates: Vec<(u64, Digest, u64, bool)> = objects
            .iter()
            .map(|object| {
                let used = last_used.get(&object.digest).copied();
                (
                    used.unwrap_or(0),
                    object.digest,
                    object.size,
                    used.is_some(),
                )
            })
            .collect();
        candidates.sort();
        let mut kept = report.bytes_before;
        for (_, digest, size, referenced) in candidates {
            let over = policy.max_size.is_some_and(|limit| kept > limit);
            if referenced && !over {
                continue;
            }
            self.store.remove(&digest, &self.stats).map_err(io_error)?;
            kept -= size;
            report.objects_removed += 1;
            report.bytes_removed += size;
        }
        let store = &self.store;
        crate::engine::regions::prune(store).map_err(io_error)?;
        self.state
            .retain_outputs(|digest| store.object_path(digest).is_file());
        self.stats.prune();
        self.save()?;
        Ok(report)
    }

    /// What the store holds: the last build's objects by the kind of stage
    /// that made them, then those of earlier builds, then the rest.
    pub fn usage(&self) -> Result<CacheUsage, EngineError> {
        let root = self.store.root().to_path_buf();
        let objects = self
            .store
            .list()
            .map_err(|source| EngineError::io(&root, source))?;
        let output = |key: &Digest| self.state.actions.get(key).map(|action| action.output);
        let mut current: HashMap<Digest, &str> = HashMap::new();
        for (id, record) in &self.state.stages {
            if let Some(digest) = output(&record.key) {
                current.entry(digest).or_insert(kind(id));
            }
        }
        let earlier: HashSet<Digest> = self
            .state
            .actions
            .values()
            .map(|action| action.output)
            .collect();
        let mut usage = CacheUsage::default();
        for object in &objects {
            let slot = match current.get(&object.digest) {
                Some(kind) => usage.kinds.entry((*kind).to_owned()).or_default(),
                None if earlier.contains(&object.digest) => &mut usage.earlier,
                None => &mut usage.unreferenced,
            };
            slot.0 += 1;
            slot.1 += object.size;
        }
        usage.regions = crate::engine::regions::usage(&self.store);
        Ok(usage)
    }
}
