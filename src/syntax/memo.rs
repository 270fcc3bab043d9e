//! Parsed files remembered by their text, so that a command that finds the
//! recipe as it was last time does not run the grammar over it again.
//!
//! A no-op build of a 1,000-stem recipe (128 KB) otherwise spends a third
//! of its time in the parser. A tree is remembered under a [`Key`]: the
//! blake3 of the parser's own sources (grammar, tree, builder; see
//! [`parser_identity`]), the source id the tree's spans carry, and the
//! file's text. Only a parse without a diagnostic is remembered, and a tree
//! is handed back only for exactly that text, so it is the tree
//! [`parse::parse`] would build. The project keeps the trees a build used
//! in `.sndtrk/parsed` (`crate::project::parsed`).
//!
//! The memo is off until [`ParseMemo::preload`] turns it on (the commands
//! that load a project): the language server, which parses at every
//! keystroke, never fills it.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, OnceLock},
};

use serde::{Deserialize, Serialize};

use crate::{
    diagnostic::Diagnostic,
    syntax::{ast::File, parse, span::SourceId},
};

/// The key of a remembered tree: blake3 of the parser's identity, the
/// source id and the text.
pub type Key = [u8; 32];

/// One remembered tree, postcard-encoded, as it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub key: Key,
    pub tree: Vec<u8>,
}

/// Trees remembered by [`Key`].
#[derive(Debug, Default)]
pub struct ParseMemo {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    enabled: bool,
    /// A tree was added since the preload.
    changed: bool,
    entries: HashMap<Key, Entry>,
}

#[derive(Debug)]
struct Entry {
    tree: Vec<u8>,
    used: bool,
}

impl ParseMemo {
    /// The process's memo.
    pub fn global() -> &'static ParseMemo {
        static MEMO: OnceLock<ParseMemo> = OnceLock::new();
        MEMO.get_or_init(ParseMemo::default)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change is one insert or flag: a poisoned memo is still sound.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Turns the memo on, with the trees saved last time.
    pub fn preload(&self, saved: Vec<Saved>) {
        let mut state = self.lock();
        state.enabled = true;
        for Saved { key, tree } in saved {
            state
                .entries
                .entry(key)
                .or_insert(Entry { tree, used: false });
        }
    }

    /// Parses `text` as [`parse::parse`] does, or gives back the tree
    /// remembered for it.
    pub fn parse(&self, source: SourceId, text: &str) -> (File, Vec<Diagnostic>) {
        if !self.lock().enabled {
            return parse::parse(source, text);
        }
        let key = key(source, text);
        if let Some(entry) = self.lock().entries.get_mut(&key) {
            // A tree that does not decode (saved by another build of the
            // parser whose identity collided, or damaged) is parsed again.
            if let Ok(file) = postcard::from_bytes::<File>(&entry.tree) {
                entry.used = true;
                return (file, Vec::new());
            }
        }
        let (file, diagnostics) = parse::parse(source, text);
        if diagnostics.is_empty() {
            if let Ok(tree) = postcard::to_allocvec(&file) {
                let mut state = self.lock();
                state.entries.insert(key, Entry { tree, used: true });
                state.changed = true;
            }
        }
        (file, diagnostics)
    }

    /// The trees used since the preload, sorted by key, to save for the
    /// next command; `None` when that is what was preloaded. The others are
    /// forgotten, and every tree starts unused again.
    pub fn take_saved(&self) -> Option<Vec<Saved>> {
        let mut state = self.lock();
        let unused = state.entries.values().any(|entry| !entry.used);
        let changed = std::mem::take(&mut state.changed);
        state.entries.retain(|_, entry| entry.used);
        if !changed && !unused {
            for entry in state.entries.values_mut() {
                entry.used = false;
            }
            return None;
        }
        let mut saved: Vec<Saved> = state
            .entries
            .iter_mut()
            .map(|(key, entry)| {
                entry.used = false;
                Saved {
                    key: *key,
                    tree: entry.tree.clone(),
                }
            })
            .collect();
        saved.sort_by_key(|saved| saved.key);
        Some(saved)
    }
}

/// What decides the tree a text parses to: the grammar and the code that
/// builds the tree, and the crate's version.
fn parser_identity() -> &'static [u8; 32] {
    static IDENTITY: OnceLock<[u8; 32]> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let mut hasher = blake3::Hasher::new();
        for part in [
            env!("CARGO_PKG_VERSION"),
            include_str!("../../grammar/sndtrk.pest"),
            include_str!("ast.rs"),
            include_str!("parse.rs"),
            include_str!("span.rs"),
            include_str!("unit.rs"),
            include_str!("../model/time.rs"),
        ] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        *hasher.finalize().as_bytes()
    })
}

fn key(source: SourceId, text: &str) -> Key {
    let mut hasher = blake3::Hasher::new();
    hasher.update(parser_identity());
    hasher.update(&source.0.to_le_bytes());
    hasher.update(text.as_bytes());
    *hasher.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECIPE: &str = "stem dx {\n    role dialogue\n    layout 5.1\n    \
                          file \"dx.wav\"\n    at 01:00:00:00\n    gain -3dB\n}\n\
                          bus PM 5.1 { dx -1.5dB }\n";

    #[test]
    fn an_off_memo_only_parses() {
        let memo = ParseMemo::default();
        let (file, diagnostics) = memo.parse(SourceId(0), RECIPE);
        assert_eq!((file, diagnostics), parse::parse(SourceId(0), RECIPE));
        assert_eq!(memo.lock().entries.len(), 0);
        assert_eq!(memo.take_saved(), None);
    }

    #[test]
    fn a_remembered_tree_is_the_parse_of_that_text_and_source_only() {
        let memo = ParseMemo::default();
        memo.preload(Vec::new());
        let first = memo.parse(SourceId(1), RECIPE);
        let saved = memo.take_saved().expect("a new tree to save");
        assert_eq!(saved.len(), 1);
        // The next process, from what was saved.
        let next = ParseMemo::default();
        next.preload(saved.clone());
        assert_eq!(next.parse(SourceId(1), RECIPE), first);
        assert_eq!(next.take_saved(), None, "nothing new to save");
        // Another source id (spans differ) or another text is parsed.
        let other = next.parse(SourceId(2), RECIPE);
        assert_eq!(other, parse::parse(SourceId(2), RECIPE));
        assert_ne!(other, first);
        let edited = RECIPE.replace("-3dB", "-4dB");
        assert_eq!(
            next.parse(SourceId(1), &edited),
            parse::parse(SourceId(1), &edited)
        );
        // Only what this process used is kept: the tree of SourceId(1)'s
        // old text was not used after the last save.
        let kept = next.take_saved().expect("new trees");
        assert_eq!(kept.len(), 2);
        assert!(!kept.contains(&saved[0]));
    }

    #[test]
    fn a_text_with_a_syntax_error_is_never_remembered() {
        let memo = ParseMemo::default();
        memo.preload(Vec::new());
        let broken = "stem dx {\n    role dialogue\n    gain -3dB\n\nbus PM 5.1 { dx }\n";
        let (_, diagnostics) = memo.parse(SourceId(0), broken);
        assert!(!diagnostics.is_empty());
        let (_, again) = memo.parse(SourceId(0), broken);
        assert_eq!(again, diagnostics, "parsed again, errors and all");
        assert_eq!(memo.take_saved(), None);
    }

    #[test]
    fn a_damaged_tree_is_parsed_again() {
        let memo = ParseMemo::default();
        memo.preload(vec![Saved {
            key: key(SourceId(0), RECIPE),
            tree: vec![0xff; 7],
        }]);
        assert_eq!(
            memo.parse(SourceId(0), RECIPE),
            parse::parse(SourceId(0), RECIPE)
        );
        let saved = memo.take_saved().expect("the good tree replaces it");
        assert_ne!(saved[0].tree, vec![0xff; 7]);
    }
}
