//! Document symbols (every declaration of a file) and folding ranges
//! (every declaration and block comment over more than one line), from the
//! file's syntax tree, which keeps what parsed of a broken file.

use lsp_types::{DocumentSymbol, FoldingRange, FoldingRangeKind, SymbolKind};

use crate::{
    lsp::position::LineIndex,
    syntax::ast::{Declaration, DeclarationKind},
    syntax::comment::comments,
    syntax::parse::parse,
    syntax::span::SourceId,
};

/// One symbol per declaration.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
pub fn symbols(text: &str) -> Vec<DocumentSymbol> {
    let (file, _) = parse(SourceId(0), text);
    let lines = LineIndex::new(text);
    file.declarations
        .iter()
        .map(|declaration| {
            let range = lines.range(
                declaration.span.start as usize,
                declaration.span.end as usize,
            );
            let selected = declaration
                .name
                .as_ref()
                .map(|name| name.span)
                .or(declaration.title.as_ref().map(|title| title.span))
                .unwrap_or(declaration.keyword);
            DocumentSymbol {
                name: name(declaration),
                detail: Some(declaration.kind.keyword().to_owned()),
                kind: kind(declaration.kind),
                tags: None,
                deprecated: None,
                range,
                selection_range: lines.range(selected.start as usize, selected.end as usize),
                children: None,
            }
        })
        .collect()
}

/// The symbol's name (never empty, which editors refuse).
fn name(declaration: &Declaration) -> String {
    let name = written(declaration);
    if name.trim().is_empty() {
        declaration.kind.keyword().to_owned()
    } else {
        name
    }
}

fn written(declaration: &Declaration) -> String {
    let named = declaration.name.as_ref().map(|name| name.text.clone());
    let title = declaration.title.as_ref().map(|title| title.value.clone());
    match declaration.kind {
        DeclarationKind::Cue | DeclarationKind::Album => match (named, title) {
            (Some(name), Some(title)) => format!("{name} \"{title}\""),
            (named, title) => named.or(title).unwrap_or_default(),
        },
        _ => named
            .or(title)
            .unwrap_or_else(|| declaration.kind.keyword().to_owned()),
    }
}

fn kind(kind: DeclarationKind) -> SymbolKind {
    match kind {
        DeclarationKind::Project => SymbolKind::NAMESPACE,
        DeclarationKind::Import => SymbolKind::FILE,
        DeclarationKind::Stem | DeclarationKind::Cue => SymbolKind::VARIABLE,
        DeclarationKind::Object => SymbolKind::OBJECT,
        DeclarationKind::Immersive => SymbolKind::MODULE,
        DeclarationKind::License => SymbolKind::KEY,
        DeclarationKind::Bus => SymbolKind::MODULE,
        DeclarationKind::Target | DeclarationKind::Album => SymbolKind::CLASS,
        DeclarationKind::Reel => SymbolKind::EVENT,
        DeclarationKind::Spec => SymbolKind::STRUCT,
        DeclarationKind::Layout => SymbolKind::ENUM,
        DeclarationKind::Downmix => SymbolKind::FUNCTION,
        DeclarationKind::Lint => SymbolKind::PROPERTY,
    }
}

/// The folding ranges of a file.
pub fn folding(text: &str) -> Vec<FoldingRange> {
    let (file, _) = parse(SourceId(0), text);
    let lines = LineIndex::new(text);
    let mut ranges = Vec::new();
    let mut fold = |start: usize, end: usize, kind: Option<FoldingRangeKind>| {
        let (first, last) = (lines.position(start).line, lines.position(end).line);
        if last > first {
            ranges.push(FoldingRange {
                start_line: first,
                start_character: None,
                end_line: last,
                end_character: None,
                kind,
                collapsed_text: None,
            });
        }
    };
    for declaration in &file.declarations {
        fold(
            declaration.span.start as usize,
            declaration.span.end as usize,
            None,
        );
    }
    for comment in comments(text) {
        fold(comment.start, comment.end, Some(FoldingRangeKind::Comment));
    }
    ranges.sort_by_key(|range| (range.start_line, range.end_line));
    ranges
}
