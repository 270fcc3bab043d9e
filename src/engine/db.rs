//! The build state, `DIR/.sndtrk/state` (the role of n2's `.n2_db`).
//!
//! Two maps: per stage id, the key it last had and that key's manifest (so
//! `--explain` can say what changed); per key, the output object it produced
//! and when it was last used (so reverting a change finds the old output, and
//! `cache gc` can evict least recently used first). The file is versioned and
//! replaced atomically; an unknown version or a corrupt file is discarded
//! with a warning, never a panic.

use std::{
    collections::{BTreeMap, HashMap},
    io,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};

use crate::{
    engine::error::EngineWarning,
    engine::key::{Digest, Manifest},
    engine::versioned_file,
};

const MAGIC: &str = "sndtrk-state";
/// The version of the state file format.
pub const STATE_VERSION: u32 = 1;
/// `last_used` is only refreshed when older than this, so a no-op build does
/// not rewrite the state file.
pub const LAST_USED_GRANULARITY: u64 = 3600;

/// What the last build of a stage id computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRecord {
    pub key: Digest,
    pub manifest: Manifest,
}

/// What a key produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    /// The output object.
    pub output: Digest,
    /// Its size in bytes.
    pub size: u64,
    /// Seconds since the Unix epoch when a build last used it.
    pub last_used: u64,
}

/// The whole build state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub stages: BTreeMap<String, StageRecord>,
    pub actions: HashMap<Digest, ActionRecord>,
    #[serde(skip)]
    dirty: bool,
}

/// Seconds since the Unix epoch, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl State {
    /// `DIR/.sndtrk/state`.
    pub fn path(project_dir: &Path) -> PathBuf {
        project_dir.join(".sndtrk").join("state")
    }

    /// Loads the state; missing gives an empty state, unreadable an empty
    /// state and a warning.
    pub fn load(path: &Path) -> (Self, Option<EngineWarning>) {
        match versioned_file::load::<State>(path, MAGIC, STATE_VERSION) {
            Ok(state) => (state.unwrap_or_default(), None),
            Err(warning) => (State::default(), Some(warning)),
        }
    }

    /// Writes the state atomically when it changed.
    pub fn save(&mut self, path: &Path) -> io::Result<()> {
        if self.dirty {
            versioned_file::save(path, MAGIC, STATE_VERSION, self)?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Whether there are changes not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Remembers the key (and manifest) a stage had in this build.
    pub fn set_stage(&mut self, id: &str, key: Digest, manifest: Manifest) {
        let record = StageRecord { key, manifest };
        if self.stages.get(id) != Some(&record) {
            self.stages.insert(id.to_owned(), record);
            self.dirty = true;
        }
    }

    /// Remembers that `key` produced `output`.
    pub fn set_action(&mut self, key: Digest, output: Digest, size: u64) {
        self.actions.insert(
            key,
            ActionRecord {
                output,
                size,
                last_used: now(),
            },
        );
        self.dirty = true;
    }

    /// Marks a key's output as used now (at [`LAST_USED_GRANULARITY`]).
    pub fn touch(&mut self, key: &Digest) {
        if let Some(action) = self.actions.get_mut(key) {
            let now = now();
            if action.last_used + LAST_USED_GRANULARITY <= now {
                action.last_used = now;
                self.dirty = true;
            }
        }
    }

    /// Forgets a key (its output is gone).
    pub fn remove_action(&mut self, key: &Digest) {
        if self.actions.remove(key).is_some() {
            self.dirty = true;
        }
    }

    /// Drops the records of stage ids for which `keep` is false.
    pub fn retain_stages(&mut self, keep: impl Fn(&str) -> bool) {
        let before = self.stages.len();
        self.stages.retain(|id, _| keep(id));
        if self.stages.len() != before {
            self.dirty = true;
        }
    }

    /// Drops every key whose output is not in `present`.
    pub fn retain_outputs(&mut self, present: impl Fn(&Digest) -> bool) {
        let before = self.actions.len();
        self.actions.retain(|_, action| present(&action.output));
        if self.actions.len() != before {
            self.dirty = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::key::ManifestLine;

    #[test]
    fn saves_loads_and_only_writes_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = State::path(dir.path());
        let mut state = State::default();
        let manifest = Manifest {
            lines: vec![ManifestLine {
                name: "param gain".into(),
                value: "-3.0".into(),
            }],
        };
        state.set_stage("bus:PM", Digest::of(b"key"), manifest.clone());
        state.set_action(Digest::of(b"key"), Digest::of(b"out"), 3);
        state.save(&path).unwrap();
        assert!(!state.is_dirty());

        let (loaded, warning) = State::load(&path);
        assert!(warning.is_none());
        assert_eq!(loaded, state);
        assert_eq!(loaded.stages["bus:PM"].manifest, manifest);

        let mut again = loaded.clone();
        again.set_stage("bus:PM", Digest::of(b"key"), manifest);
        again.touch(&Digest::of(b"key"));
        assert!(!again.is_dirty());
        std::fs::remove_file(&path).unwrap();
        again.save(&path).unwrap();
        assert!(!path.exists(), "a clean state is not rewritten");
    }

    #[test]
    fn stale_last_used_is_refreshed() {
        let mut state = State::default();
        state.set_action(Digest::of(b"k"), Digest::of(b"o"), 1);
        state.actions.get_mut(&Digest::of(b"k")).unwrap().last_used = 5;
        state.dirty = false;
        state.touch(&Digest::of(b"k"));
        assert!(state.is_dirty());
        assert!(state.actions[&Digest::of(b"k")].last_used >= now() - 5);
    }

    #[test]
    fn unknown_version_and_corruption_are_discarded_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = State::path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        for (contents, reason) in [
            (
                &b"sndtrk-state 99\n{}"[..],
                "unknown version \"99\" (this sndtrk reads version 1)",
            ),
            (
                &b"sndtrk-state 1\n{\"stages\":7}"[..],
                "it is corrupt (checksum mismatch)",
            ),
            (&b"\x00\x01garbage"[..], "it is not a sndtrk-state file"),
        ] {
            std::fs::write(&path, contents).unwrap();
            let (state, warning) = State::load(&path);
            assert_eq!(state, State::default());
            assert_eq!(
                warning.unwrap().to_string(),
                format!("discarded {}: {reason}", path.display())
            );
        }
    }
}
