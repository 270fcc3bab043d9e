//! Resolution: a parsed recipe and its imports to a checked [`Model`].
//!
//! Imports are loaded (the standard library from the binary, other files
//! relative to the importing file), every declaration is interpreted
//! property by property, and every reference is resolved. Every problem
//! found is reported; resolution never stops at the first.

mod album;
mod args;
mod audio_source;
mod bus;
mod clip;
mod coverage;
mod cue;
mod format;
mod gain;
mod imports;
mod interpret;
mod layout;
pub(crate) mod levels;
mod license;
mod lint_block;
mod multi_mono;
mod object;
pub(crate) mod pan;
mod party;
mod project;
mod props;
mod reel;
pub(crate) mod references;
mod scene;
mod spec;
pub(crate) mod stdlib;
mod stem;
mod target;
mod timecode;
mod uses;

use std::path::Path;

use crate::{diagnostic::Diagnostic, model::Model, syntax::source::SourceFile};

pub use args::{
    BAD_DATE, BAD_TIMECODE, EXTRA_ARGUMENT, MISSING_ARGUMENT, OUT_OF_RANGE, WRONG_ARGUMENT,
};
pub use coverage::MEDIA;
pub use cue::USAGES;
pub use imports::{read_from_disk, ReadFile, CANNOT_READ, IMPORT_CYCLE, IMPORT_NOT_FOUND};
pub use interpret::{DUPLICATE, MISSING_PROJECT, SECOND_PROJECT};
pub use props::{NOT_ALLOWED, REPEATED, REQUIRED};
pub use reel::{END_WITH_REELS, REELS_OVERLAP};
pub use references::{BUS_CYCLE, LAYOUT_MISMATCH, UNKNOWN_NAME, WRONG_KIND};
pub use stem::ROLES;

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
            resolve_into(&mut model, &mut diagnostics, file, &read_from_disk);
        }
        Err(error) => diagnostics.push(imports::cannot_read(path, &error)),
    }
    finish(model, diagnostics)
}

/// Resolves a recipe given as text (`path` locates its relative imports).
pub fn resolve_text(name: &str, path: Option<&Path>, text: &str) -> Resolved {
    resolve_text_with(name, path, text, &read_from_disk)
}

/// Resolves a recipe given as text, reading its imports with `read` (the
/// language server reads a file open in the editor from its buffer).
pub fn resolve_text_with(
    name: &str,
    path: Option<&Path>,
    text: &str,
    read: ReadFile<'_>,
) -> Resolved {
    let mut model = Model::default();
    let mut diagnostics = Vec::new();
    let file = SourceFile::new(name, path.map(Path::to_path_buf), text);
    resolve_into(&mut model, &mut diagnostics, file, read);
    finish(model, diagnostics)
}

fn resolve_into(
    model: &mut Model,
    diagnostics: &mut Vec<Diagnostic>,
    root: SourceFile,
    read: ReadFile<'_>,
) {
    let files = imports::load(&mut model.sources, diagnostics, root, read);
    interpret::declarations(model, diagnostics, &files);
    let before = diagnostics.len();
    references::check(model, diagnostics);
    // A reference to a declaration that did not parse is not also unknown:
    // the syntax error is the one to fix.
    let unparsed: std::collections::HashSet<&str> = files
        .iter()
        .flat_map(|loaded| loaded.file.unparsed.iter().map(String::as_str))
        .collect();
    let sources = &model.sources;
    let written = |diagnostic: &Diagnostic| {
        diagnostic.span.and_then(|span| {
            sources
                .get(span.source)
                .text
                .get(span.start as usize..span.end as usize)
                .map(str::to_owned)
        })
    };
    let mut kept = Vec::with_capacity(diagnostics.len() - before);
    for diagnostic in diagnostics.drain(before..) {
        let name = written(&diagnostic);
        let to_unparsed = diagnostic.code == UNKNOWN_NAME
            && name.as_deref().is_some_and(|name| unparsed.contains(name));
        if !to_unparsed {
            kept.push(diagnostic);
        }
    }
    // The name an unknown one is close to is meant to be used: the lints do
    // not also report it unused.
    for diagnostic in &kept {
        let suggested = diagnostic
            .help
            .as_deref()
            .filter(|_| diagnostic.code == UNKNOWN_NAME)
            .and_then(|help| help.strip_prefix("did you mean `"))
            .and_then(|rest| rest.strip_suffix("`?"));
        if let Some(name) = suggested {
            model.meant.push(name.to_owned());
        }
    }
    diagnostics.extend(kept);
}

fn finish(model: Model, mut diagnostics: Vec<Diagnostic>) -> Resolved {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
    Resolved { model, diagnostics }
}

/// The property keywords a declaration of `kind` takes (for completion):
/// empty for those without properties (`import`, and `bus`, which holds
/// members).
pub fn properties(kind: crate::syntax::ast::DeclarationKind) -> &'static [&'static str] {
    use crate::syntax::ast::DeclarationKind as Kind;
    match kind {
        Kind::Project => project::PROJECT,
        Kind::Stem => stem::STEM,
        Kind::Object => object::OBJECT,
        Kind::Immersive => scene::IMMERSIVE,
        Kind::Cue => cue::CUE,
        Kind::License => license::LICENSE,
        Kind::Target => target::TARGET,
        Kind::Reel => reel::REEL,
        Kind::Album => album::ALBUM,
        Kind::Spec => spec::SPEC,
        Kind::Layout => layout::LAYOUT,
        Kind::Downmix => layout::DOWNMIX,
        Kind::Lint => lint_block::LINT,
        Kind::Import | Kind::Bus => &[],
    }
}
