//! The documents the editor has open: their text (full-document sync) and
//! version, and a reader that gives an open file's buffer in place of what
//! is saved on disk.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use lsp_types::{TextDocumentContentChangeEvent, Url};

use crate::lsp::{position::LineIndex, uri};

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
}

/// Every open document, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Url, Document>,
    /// The open `file:` documents by their (canonical) path.
    paths: HashMap<PathBuf, Url>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, text: String, version: i32) {
        if let Some(path) = uri::to_path(&uri) {
            self.paths.insert(path, uri.clone());
        }
        self.open.insert(uri, Document { text, version });
    }

    /// Applies a document's changes in order: the whole text (the sync
    /// the server asks for) or, from a client that sends them anyway, a
    /// range replaced. An unknown document is opened.
    pub fn change(&mut self, uri: Url, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        let mut text = self
            .open
            .get(&uri)
            .map(|document| document.text.clone())
            .unwrap_or_default();
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let lines = LineIndex::new(&text);
                    let start = lines.offset(range.start);
                    let end = lines.offset(range.end).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
        self.open(uri, text, version);
    }

    pub fn close(&mut self, uri: &Url) {
        self.open.remove(uri);
        self.paths.retain(|_, open| open != uri);
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn uris(&self) -> impl Iterator<Item = &Url> {
        self.open.keys()
    }

    /// The open document at `path`, if any.
    pub fn at_path(&self, path: &Path) -> Option<(&Url, &Document)> {
        let uri = self.paths.get(&uri::normal(path))?;
        Some((uri, self.open.get(uri)?))
    }

    /// A file's text: its buffer when it is open, else what is on disk.
    pub fn read(&self, path: &Path) -> std::io::Result<String> {
        match self.at_path(path) {
            Some((_, document)) => Ok(document.text.clone()),
            None => std::fs::read_to_string(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;

    #[test]
    fn whole_texts_and_ranges_are_applied_in_order() {
        let uri = Url::parse("file:///x.sndtrk").unwrap();
        let mut documents = Documents::default();
        documents.open(uri.clone(), "stem dx {}".to_owned(), 1);
        let whole = |text: &str| TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_owned(),
        };
        let at = |line, from, to, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, from),
                Position::new(line, to),
            )),
            range_length: None,
            text: text.to_owned(),
        };
        documents.change(
            uri.clone(),
            vec![
                whole("cue \"Björk\" x"),
                at(0, 12, 13, "y"),
                at(0, 99, 99, "!"),
            ],
            2,
        );
        let document = documents.get(&uri).unwrap();
        assert_eq!(document.text, "cue \"Björk\" y!");
        assert_eq!(document.version, 2);
    }
}
