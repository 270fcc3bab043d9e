//! Diagnostics a change brings and fixes, matched by code and by the
//! declaration they point into, not by line: moving a declaration, or
//! editing above it, neither fixes nor brings anything.

use std::collections::HashMap;

use crate::{diagnostic::Diagnostic, review::side::Side};

/// A diagnostic's identity across revisions: its code and the declaration
/// it lies in (`cue 1M1`), or its message when it lies in none.
fn identity(side: &Side, diagnostic: &Diagnostic) -> (String, String) {
    let place = diagnostic
        .span
        .and_then(|span| side.declarations.containing(span))
        .map_or_else(|| diagnostic.message.clone(), ToString::to_string);
    (diagnostic.code.to_owned(), place)
}

/// The diagnostics of `of` that `other` does not have, matched by
/// identity and counted: two C001s in one cue at `of` and one at `other`
/// leave one, the later.
pub fn only_in<'a>(of: &'a Side, other: &Side) -> Vec<&'a Diagnostic> {
    let mut available: HashMap<(String, String), usize> = HashMap::new();
    for diagnostic in &other.diagnostics {
        *available.entry(identity(other, diagnostic)).or_default() += 1;
    }
    of.diagnostics
        .iter()
        .filter(|diagnostic| {
            let count = available.entry(identity(of, diagnostic)).or_default();
            if *count > 0 {
                *count -= 1;
                false
            } else {
                true
            }
        })
        .collect()
}
