//! Diagnostics as one JSON array, for editors and scripts.

use serde::Serialize;

use crate::{diagnostic::Diagnostic, syntax::source::Sources};

/// One diagnostic in machine-readable form (1-based lines and columns).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub help: Option<&'a str>,
}

impl<'a> JsonDiagnostic<'a> {
    /// `diagnostic` located in `sources`.
    pub fn of(sources: &Sources, diagnostic: &'a Diagnostic) -> Self {
        let location = diagnostic.location(sources);
        JsonDiagnostic {
            code: diagnostic.code,
            severity: diagnostic.severity.as_str(),
            message: &diagnostic.message,
            file: location.as_ref().map(|location| location.file.clone()),
            line: location.as_ref().map(|location| location.line),
            column: location.as_ref().map(|location| location.column),
            end_line: location.as_ref().map(|location| location.end_line),
            end_column: location.as_ref().map(|location| location.end_column),
            help: diagnostic.help.as_deref(),
        }
    }
}

/// Renders `diagnostics` as a pretty-printed JSON array.
pub fn render(diagnostics: &[(&Sources, &Diagnostic)]) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diagnostics
        .iter()
        .map(|(sources, diagnostic)| JsonDiagnostic::of(sources, diagnostic))
        .collect();
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}
