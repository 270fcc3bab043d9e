//! The front end, as `sndtrk check` runs it: arbitrary bytes (lossily as
//! UTF-8) are a recipe that is parsed, resolved and linted, and every
//! diagnostic is rendered. Nothing may panic, and every span must lie on
//! character boundaries of the source it names.
//!
//! Resolution reads files (relative imports, the WAV headers of `file`
//! paths) relative to the recipe, so the recipe is placed in a fresh
//! directory holding only a few fixtures of its own, and any input that
//! names a path able to leave it (absolute, `..`, a drive or home prefix)
//! is skipped.

#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;
use sndtrk::{
    diagnostic::Diagnostic,
    emit, lint,
    resolve::resolve_text,
    syntax::ast::{Argument, File, Value},
    syntax::parse::parse,
    syntax::source::Sources,
    syntax::span::SourceId,
};

mod sandbox;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, _) = parse(SourceId(0), &text);
    if !stays_inside(&file) {
        return;
    }
    // What `sndtrk check` does with one recipe.
    let resolved = resolve_text("fuzz.sndtrk", Some(sandbox::recipe()), &text);
    let mut diagnostics = resolved.diagnostics.clone();
    let syntax_error = diagnostics
        .iter()
        .any(|diagnostic| diagnostic.is_error() && diagnostic.code.starts_with("E01"));
    if !syntax_error {
        diagnostics.extend(lint::check(&resolved.model));
    }
    for diagnostic in &diagnostics {
        check_spans(&resolved.model.sources, diagnostic);
    }
    let rendered: Vec<_> = diagnostics
        .iter()
        .map(|diagnostic| (&resolved.model.sources, diagnostic))
        .collect();
    let _ = emit::json::render(&rendered);
});

/// Every span of `diagnostic` is a range on character boundaries of its source.
fn check_spans(sources: &Sources, diagnostic: &Diagnostic) {
    let spans = diagnostic
        .span
        .iter()
        .chain(diagnostic.related.iter().map(|(span, _)| span));
    for span in spans {
        let text = &sources.get(span.source).text;
        assert!(
            span.start <= span.end && text.get(span.range()).is_some(),
            "{diagnostic:?} is outside its source of {} bytes",
            text.len()
        );
    }
}

/// Whether every string of the recipe, read as a path, stays inside the
/// recipe's directory.
fn stays_inside(file: &File) -> bool {
    file.declarations.iter().all(|declaration| {
        declaration.title.iter().all(|title| relative(&title.value))
            && declaration
                .body
                .properties()
                .iter()
                .all(|property| property.arguments.iter().all(argument_inside))
    })
}

fn argument_inside(argument: &Argument) -> bool {
    match &argument.value {
        Value::Text(text) => relative(text),
        Value::List(items) => items
            .iter()
            .all(|item| item.values.iter().all(argument_inside)),
        _ => true,
    }
}

/// A path of plain components below the current directory.
fn relative(text: &str) -> bool {
    !text.starts_with('~')
        && !text.contains('\\')
        && !text.contains(':')
        && Path::new(text)
            .components()
            .all(|component| matches!(component, Component::Normal(_) | Component::CurDir))
}
