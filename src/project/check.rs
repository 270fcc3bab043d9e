//! What `sndtrk check` reports for one resolved recipe: the resolver's
//! diagnostics and, unless the text did not parse, every lint rule's, with
//! the recipe's `lint` block and suppressions applied, sorted by position.
//! The command line, `sndtrk diff` and the language server all ask here, so
//! they never disagree about what is wrong.

use crate::{diagnostic::Diagnostic, lint, resolve::Resolved};

/// Every diagnostic `check` gives for `resolved`, sorted by position.
pub fn diagnostics(resolved: &Resolved) -> Vec<Diagnostic> {
    let mut diagnostics = resolved.diagnostics.clone();
    // Lints run on whatever resolved, so one unknown name does not hide
    // every rights or delivery mistake; a syntax error stops them
    // (declarations are missing, so they would mislead).
    let syntax_error = resolved
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.is_error() && diagnostic.code.starts_with("E01"));
    if !syntax_error {
        diagnostics.extend(lint::check(&resolved.model));
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    diagnostics
}
