//! The documents the editor has open: their text (full-document sync) and
//! version, and a reader that gives an open file's buffer in place of what
//! is saved on disk.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use lsp_types::Url;

use crate::lsp::uri;

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

    /// Replaces a document's text; an unknown one is opened.
    pub fn change(&mut self, uri: Url, text: String, version: i32) {
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
