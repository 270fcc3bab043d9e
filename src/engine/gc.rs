//! `Engine::gc` (`sndtrk cache gc`): shrinking the object store.

use std::collections::HashMap;

use crate::engine::{error::EngineError, key::Digest, open::Engine};

/// What `cache gc` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    pub objects_before: usize,
    pub bytes_before: u64,
    pub objects_removed: usize,
    pub bytes_removed: u64,
}

impl Engine {
    /// Shrinks the store: deletes objects no key refers to, then, when
    /// `max_size` is given, the least recently used objects until the store
    /// holds at most `max_size` bytes.
    pub fn gc(&mut self, max_size: Option<u64>) -> Result<GcReport, EngineError> {
        let root = self.store.root().to_path_buf();
        let io_error = |source| EngineError::io(&root, source);
        self.store.clear_temporaries().map_err(io_error)?;
        let objects = self.store.list().map_err(io_error)?;
        let mut last_used: HashMap<Digest, u64> = HashMap::new();
        for action in self.state.actions.values() {
            let entry = last_used.entry(action.output).or_insert(0);
            *entry = (*entry).max(action.last_used);
        }
        let mut report = GcReport {
            objects_before: objects.len(),
            bytes_before: objects.iter().map(|object| object.size).sum(),
            ..GcReport::default()
        };
        // Unreferenced objects first (as if never used), then oldest first;
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
            let over = max_size.is_some_and(|limit| kept > limit);
            if referenced && !over {
                continue;
            }
            self.store.remove(&digest, &self.stats).map_err(io_error)?;
            kept -= size;
            report.objects_removed += 1;
            report.bytes_removed += size;
        }
        let store = &self.store;
        self.state
            .retain_outputs(|digest| store.object_path(digest).is_file());
        self.stats.prune();
        self.save()?;
        Ok(report)
    }
}
