//! The analysis of a document: the project it belongs to resolved with the
//! editor's buffers, what `check` says about it, and the symbol index.
//!
//! A document belongs to the project of the nearest `soundtrack.sndtrk` in
//! its directory or above when that recipe imports it (directly or through
//! other files); otherwise it is a project of its own. A standard library
//! document is analysed on its own.

use std::path::{Path, PathBuf};

use lsp_types::{Location, Url};

use crate::{
    diagnostic::Diagnostic,
    lsp::{documents::Documents, index::SymbolIndex, position::LineIndex, uri},
    project::walk::RECIPE_FILE,
    resolve::{resolve_text_with, Resolved},
    syntax::span::{SourceId, Span},
};

/// One resolved project, seen from the editor.
pub struct Analysis {
    pub resolved: Resolved,
    /// Every diagnostic `check` gives, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The URI of each source file, indexed by [`SourceId`].
    pub uris: Vec<Option<Url>>,
    pub index: SymbolIndex,
}

impl Analysis {
    /// Analyses the project that the document at `document` belongs to.
    pub fn of(document: &Url, documents: &Documents) -> Analysis {
        let text = documents
            .get(document)
            .map(|open| open.text.clone())
            .or_else(|| uri::stdlib_text(document).map(str::to_owned))
            .unwrap_or_default();
        if let Some(name) = uri::stdlib_name(document) {
            return Self::resolve(name, None, &text, document, documents);
        }
        let path = uri::to_path(document);
        if let Some(path) = &path {
            if let Some(root) = project_root(path, documents) {
                let root_text = documents.read(&root).unwrap_or_default();
                let root_uri = uri::of_path(&root).unwrap_or_else(|| document.clone());
                let analysis = Self::resolve(
                    &root.display().to_string(),
                    Some(&root),
                    &root_text,
                    &root_uri,
                    documents,
                );
                if analysis.source(document).is_some() {
                    return analysis;
                }
            }
        }
        let name = path
            .as_ref()
            .map_or_else(|| document.to_string(), |path| path.display().to_string());
        Self::resolve(&name, path.as_deref(), &text, document, documents)
    }

    fn resolve(
        name: &str,
        path: Option<&Path>,
        text: &str,
        root: &Url,
        documents: &Documents,
    ) -> Analysis {
        let read = |path: &Path| documents.read(path);
        let resolved = resolve_text_with(name, path, text, &read);
        let diagnostics = crate::project::check::diagnostics(&resolved);
        let uris = resolved
            .model
            .sources
            .iter()
            .map(|(id, file)| match &file.path {
                _ if id == SourceId(0) => Some(root.clone()),
                Some(path) => documents
                    .at_path(path)
                    .map(|(open, _)| open.clone())
                    .or_else(|| uri::of_path(path)),
                None => uri::of_stdlib(&file.name),
            })
            .collect();
        let index = SymbolIndex::of(&resolved.model);
        Analysis {
            resolved,
            diagnostics,
            uris,
            index,
        }
    }

    /// The source file shown in the editor as `document`.
    pub fn source(&self, document: &Url) -> Option<SourceId> {
        let wanted = uri::to_path(document);
        self.uris
            .iter()
            .position(|known| {
                known.as_ref().is_some_and(|known| {
                    known == document
                        || (wanted.is_some() && uri::to_path(known).as_ref() == wanted.as_ref())
                })
            })
            .map(|index| SourceId(u32::try_from(index).unwrap_or(u32::MAX)))
    }

    /// The text of a source file.
    pub fn text(&self, source: SourceId) -> &str {
        self.file(source).map_or("", |file| &file.text)
    }

    fn file(&self, source: SourceId) -> Option<&crate::syntax::source::SourceFile> {
        let sources = &self.resolved.model.sources;
        sources
            .iter()
            .find(|(id, _)| *id == source)
            .map(|(_, file)| file.as_ref())
    }

    /// The URI of a source file.
    pub fn uri(&self, source: SourceId) -> Option<&Url> {
        self.uris.get(source.0 as usize)?.as_ref()
    }

    /// Whether a source file is part of the standard library.
    pub fn is_stdlib(&self, source: SourceId) -> bool {
        self.uri(source)
            .is_some_and(|uri| uri.scheme() == uri::STDLIB_SCHEME)
    }

    /// The line index of a source file.
    pub fn lines(&self, source: SourceId) -> LineIndex<'_> {
        LineIndex::new(self.text(source))
    }

    /// Where `span` is, as the protocol says it.
    pub fn location(&self, span: Span) -> Option<Location> {
        let uri = self.uri(span.source)?.clone();
        let range = self
            .lines(span.source)
            .range(span.start as usize, span.end as usize);
        Some(Location::new(uri, range))
    }
}

/// The recipe of the project `path` may belong to: the nearest
/// `soundtrack.sndtrk` in its directory or above, other than itself.
fn project_root(path: &Path, documents: &Documents) -> Option<PathBuf> {
    if path.file_name().is_some_and(|name| name == RECIPE_FILE) {
        return None;
    }
    let directory = path.parent()?;
    directory.ancestors().find_map(|directory| {
        let candidate = uri::normal(&directory.join(RECIPE_FILE));
        let exists = candidate.is_file() || documents.at_path(&candidate).is_some();
        (exists && candidate != path).then_some(candidate)
    })
}
