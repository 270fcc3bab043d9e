//! The build state, `DIR/.sndtrk/state` (the role of n2's `.n2_db`).
//!
//! Two maps: per stage id, the key it last had and that key's manifest (so
//! `--explain` can say what changed); per key, the output object it produced
//! and when it was last used (so reverting a change finds the old output, and
//! `cache gc` can evict least recently used first). Builds are numbered: a
//! build that gives a stage a new key, or drops a stage, is the next
//! generation, and the keys stages had in earlier generations are kept
//! with the generations that used them (so `cache gc` keeps what the last
//! N builds used). The file is versioned and replaced atomically; a
//! version 1 file (before generations) is read and carried over; an
//! unknown version or a corrupt file is discarded with a warning, never a
//! panic.

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
/// The version of the state file format (2: build generations).
pub const STATE_VERSION: u32 = 2;
/// The most earlier keys the state remembers (the oldest go first).
pub const MAX_PAST_KEYS: usize = 4096;
/// `last_used` is only refreshed when older than this, so a no-op build does
/// not rewrite the state file.
pub const LAST_USED_GRANULARITY: u64 = 3600;

/// What the last build of a stage id computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRecord {
    pub key: Digest,
    pub manifest: Manifest,
    /// The generation since which the stage has had this key.
    pub since: u64,
}

/// A key a stage had in earlier builds: the generations `since..until`
/// used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastKey {
    pub stage: String,
    pub key: Digest,
    pub since: u64,
    pub until: u64,
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    pub stages: BTreeMap<String, StageRecord>,
    pub actions: HashMap<Digest, ActionRecord>,
    /// The latest build's generation (0 before any build).
    pub generation: u64,
    /// Keys stages had in earlier generations, oldest first.
    pub past: Vec<PastKey>,
    #[serde(skip)]
    dirty: bool,
    /// Whether this run has started a new generation.
    #[serde(skip)]
    bumped: bool,
}

/// Two states are equal when they record the same (whatever is unsaved).
impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.stages == other.stages
            && self.actions == other.actions
            && self.generation == other.generation
            && self.past == other.past
    }
}

impl Eq for State {}

/// The state file before generations (version 1).
#[derive(Deserialize)]
struct StateV1 {
    stages: BTreeMap<String, StageRecordV1>,
    actions: HashMap<Digest, ActionRecord>,
}

#[derive(Deserialize)]
struct StageRecordV1 {
    key: Digest,
    manifest: Manifest,
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
            Err(warning) => match versioned_file::load::<StateV1>(path, MAGIC, 1) {
                // Carried over: every stage's key is the first generation's.
                Ok(Some(old)) => {
                    let stages = old
                        .stages
                        .into_iter()
                        .map(|(id, record)| {
                            let record = StageRecord {
                                key: record.key,
                                manifest: record.manifest,
                                since: 1,
                            };
                            (id, record)
                        })
                        .collect();
                    let state = State {
                        stages,
                        actions: old.actions,
                        generation: 1,
                        dirty: true,
                        ..State::default()
                    };
                    (state, None)
                }
                // A version 1 file that does not read says why.
                Err(old) if warning.to_string().contains("unknown version \"1\"") => {
                    (State::default(), Some(old))
                }
                _ => (State::default(), Some(warning)),
            },
        }
    }

    /// Starts this run's generation, once, at its first change.
    fn bump(&mut self) {
        if !self.bumped {
            self.generation += 1;
            self.bumped = true;
        }
        self.dirty = true;
    }

    /// Remembers that `record`, the key of stage `stage`, is no longer
    /// what this generation uses.
    fn retire(&mut self, stage: String, record: StageRecord) {
        self.past.push(PastKey {
            stage,
            key: record.key,
            since: record.since,
            until: self.generation,
        });
        if self.past.len() > MAX_PAST_KEYS {
            let extra = self.past.len() - MAX_PAST_KEYS;
            self.past.drain(..extra);
        }
    }

    /// The keys the last `builds` generations used (the stages' current
    /// keys for 1).
    pub fn keys_of_last_builds(&self, builds: u64) -> Vec<Digest> {
        let mut keys: Vec<Digest> = self.stages.values().map(|record| record.key).collect();
        if builds > 1 {
            // Used by generation g for since <= g < until; kept when some g
            // is among the last `builds`.
            let oldest = self.generation.saturating_sub(builds - 1);
            keys.extend(
                self.past
                    .iter()
                    .filter(|past| past.until > oldest)
                    .map(|past| past.key),
            );
        }
        keys
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
        match self.stages.get_mut(id) {
            Some(record) if record.key == key => {
                if record.manifest != manifest {
                    record.manifest = manifest;
                    self.dirty = true;
                }
            }
            _ => {
                self.bump();
                let record = StageRecord {
                    key,
                    manifest,
                    since: self.generation,
                };
                if let Some(old) = self.stages.insert(id.to_owned(), record) {
                    self.retire(id.to_owned(), old);
                }
            }
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
        let dropped: Vec<String> = self.stages.keys().filter(|id| !keep(id)).cloned().collect();
        if dropped.is_empty() {
            return;
        }
        self.bump();
        for id in dropped {
            if let Some(record) = self.stages.remove(&id) {
                self.retire(id, record);
            }
        }
    }

    /// Drops every key whose output is not in `present`, and the earlier
    /// keys that no longer have one.
    pub fn retain_outputs(&mut self, present: impl Fn(&Digest) -> bool) {
        let before = (self.actions.len(), self.past.len());
        self.actions.retain(|_, action| present(&action.output));
        let actions = &self.actions;
        self.past.retain(|past| actions.contains_key(&past.key));
        if (self.actions.len(), self.past.len()) != before {
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
                "unknown version \"99\" (this sndtrk reads version 2)",
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

    fn manifest(value: &str) -> Manifest {
        Manifest {
            lines: vec![ManifestLine {
                name: "param gain".into(),
                value: value.into(),
            }],
        }
    }

    #[test]
    fn each_build_that_changes_a_key_is_a_generation_and_keeps_the_keys_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = State::path(dir.path());
        let mut state = State::default();
        state.set_stage("bus:PM", Digest::of(b"a"), manifest("a"));
        state.set_stage("bus:DX", Digest::of(b"dx"), manifest("dx"));
        assert_eq!(state.generation, 1, "one build, one generation");
        state.save(&path).unwrap();

        // The next run changes one key: generation 2; a run after it that
        // changes nothing is no generation at all.
        let (mut state, _) = State::load(&path);
        state.set_stage("bus:PM", Digest::of(b"b"), manifest("b"));
        state.set_stage("bus:DX", Digest::of(b"dx"), manifest("dx"));
        assert_eq!(state.generation, 2);
        state.save(&path).unwrap();
        let (mut state, _) = State::load(&path);
        state.set_stage("bus:PM", Digest::of(b"b"), manifest("b"));
        assert!(!state.is_dirty());
        assert_eq!(state.generation, 2);

        // Generation 3 drops bus:DX.
        state.retain_stages(|id| id == "bus:PM");
        assert_eq!(state.generation, 3);
        let keys = |builds| {
            let mut keys = state.keys_of_last_builds(builds);
            keys.sort();
            keys
        };
        let sorted = |mut keys: Vec<Digest>| {
            keys.sort();
            keys
        };
        assert_eq!(keys(1), [Digest::of(b"b")]);
        // Generation 2 used b and dx.
        assert_eq!(keys(2), sorted(vec![Digest::of(b"b"), Digest::of(b"dx")]));
        // Generation 1 used a and dx.
        assert_eq!(
            keys(3),
            sorted(vec![Digest::of(b"a"), Digest::of(b"b"), Digest::of(b"dx")])
        );
        assert_eq!(keys(10), keys(3));
    }

    #[test]
    fn a_version_1_state_is_carried_over_as_generation_1() {
        #[derive(Serialize)]
        struct V1Record {
            key: Digest,
            manifest: Manifest,
        }
        #[derive(Serialize)]
        struct V1 {
            stages: BTreeMap<String, V1Record>,
            actions: HashMap<Digest, ActionRecord>,
        }
        let dir = tempfile::tempdir().unwrap();
        let path = State::path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let old = V1 {
            stages: BTreeMap::from([(
                "bus:PM".to_owned(),
                V1Record {
                    key: Digest::of(b"k"),
                    manifest: manifest("k"),
                },
            )]),
            actions: HashMap::from([(
                Digest::of(b"k"),
                ActionRecord {
                    output: Digest::of(b"o"),
                    size: 3,
                    last_used: 7,
                },
            )]),
        };
        versioned_file::save(&path, MAGIC, 1, &old).unwrap();
        let (state, warning) = State::load(&path);
        assert!(warning.is_none());
        assert_eq!(state.generation, 1);
        assert_eq!(state.stages["bus:PM"].key, Digest::of(b"k"));
        assert_eq!(state.stages["bus:PM"].since, 1);
        assert_eq!(state.actions[&Digest::of(b"k")].output, Digest::of(b"o"));
        assert!(
            state.is_dirty(),
            "written in the new version at the next save"
        );
    }
}
