//! Resolution: a parsed recipe and its imports to a checked [`Model`].
//!
//! Imports are loaded (the standard library from the binary, other files
//! relative to the importing file), every declaration is interpreted
//! property by property, and every reference is resolved. Every problem
//! found is reported; resolution never stops at the first.

mod args;
mod imports;
mod interpret;
mod props;
pub mod references;
pub mod stdlib;

use std::path::Path;

use crate::{diagnostic::Diagnostic, model::Model, syntax::source::SourceFile};

pub use args::{
    BAD_DATE, BAD_TIMECODE, EXTRA_ARGUMENT, MISSING_ARGUMENT, OUT_OF_RANGE, WRONG_ARGUMENT,
};
pub use imports::{CANNOT_READ, IMPORT_CYCLE, IMPORT_NOT_FOUND};
pub use interpret::{DUPLICATE, MISSING_PROJECT, SECOND_PROJECT};
pub use props::{NOT_ALLOWED, REPEATED, REQUIRED};
pub use references::{BUS_CYCLE, LAYOUT_MISMATCH, UNKNOWN_NAME, WRONG_KIND};

/// A resolved model with every diagnostic found on the way.
#[derive(Debug)]
pub struct Resolved {
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
}

impl Resolved {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Resolves the recipe at `path`.
pub fn resolve_path(path: &Path) -> Resolved {
    let mut model = Model::default();
    let mut diagnostics = Vec::new();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let name = path.display().to_string();
            let file = SourceFile::new(name, Some(path.to_path_buf()), text);
            resolve_into(&mut model, &mut diagnostics, file);
        }
        Err(error) => diagnostics.push(imports::cannot_read(path, &error)),
    }
    finish(model, diagnostics)
}

/// Resolves a recipe given as text (`path` locates its relative imports).
pub fn resolve_text(name: &str, path: Option<&Path>, text: &str) -> Resolved {
    let mut model = Model::default();
    let mut diagnostics = Vec::new();
    let file = SourceFile::new(name, path.map(Path::to_path_buf), text);
    resolve_into(&mut model, &mut diagnostics, file);
    finish(model, diagnostics)
}

fn resolve_into(model: &mut Model, diagnostics: &mut Vec<Diagnostic>, root: SourceFile) {
    let files = imports::load(&mut model.sources, diagnostics, root);
    interpret::declarations(model, diagnostics, &files);
    references::check(model, diagnostics);
}

fn finish(model: Model, mut diagnostics: Vec<Diagnostic>) -> Resolved {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
    Resolved { model, diagnostics }
}
