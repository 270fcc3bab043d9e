//! The source files of a project: their names, text and line starts.

use std::{path::PathBuf, sync::Arc};

use crate::syntax::span::{SourceId, Span};

/// One loaded recipe file.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics: a path as the user gave it, or
    /// `std/layouts` for a file of the standard library.
    pub name: String,
    /// Where the file lives on disk; `None` for the embedded standard library.
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        Self {
            name: name.into(),
            path,
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        };
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (line + 1, column + 1)
    }

    /// The byte offset where the 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Every source file loaded while resolving a project, indexed by [`SourceId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<Arc<SourceFile>>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, file: SourceFile) -> SourceId {
        let id = SourceId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(Arc::new(file));
        id
    }

    pub fn get(&self, id: SourceId) -> &Arc<SourceFile> {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, span: Span) -> &str {
        self.get(span.source)
            .text
            .get(span.range())
            .unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Arc<SourceFile>)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (SourceId(index as u32), file))
    }

    pub fn find(&self, name: &str) -> Option<SourceId> {
        self.iter()
            .find(|(_, file)| file.name == name)
            .map(|(id, _)| id)
    }
}
