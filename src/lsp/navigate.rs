//! Go to definition, find references and rename, over the symbol index; an
//! import's path goes to the imported file (a standard library file to its
//! read-only `sndtrk-std:` document).

use std::collections::HashMap;

use lsp_types::{Location, Position, Range, TextEdit, Url, WorkspaceEdit};

use crate::{
    lsp::{analysis::Analysis, index::Kind, uri},
    syntax::ast::DeclarationKind,
    syntax::grammar::{Rule, SndtrkParser},
    syntax::span::SourceId,
};

/// Where the name (or import path) at `offset` of `source` is declared.
pub fn definition(analysis: &Analysis, source: SourceId, offset: usize) -> Option<Location> {
    if let Some(location) = import_target(analysis, source, offset) {
        return Some(location);
    }
    let occurrence = analysis.index.at(source, offset)?;
    let declaration = analysis
        .index
        .declaration(occurrence.kind, &occurrence.name)?;
    analysis.location(declaration.span)
}

/// The file an `import "…"` at `offset` names.
fn import_target(analysis: &Analysis, source: SourceId, offset: usize) -> Option<Location> {
    let text = analysis.text(source);
    let (file, _) = crate::syntax::parse::parse(source, text);
    let import = file.declarations.iter().find(|declaration| {
        declaration.kind == DeclarationKind::Import
            && (declaration.span.start as usize) <= offset
            && offset <= declaration.span.end as usize
    })?;
    let written = &import.title.as_ref()?.value;
    let target = if written.starts_with("std/") {
        uri::of_stdlib(written)?
    } else {
        let sources = &analysis.resolved.model.sources;
        let importing = sources
            .iter()
            .find(|(id, _)| *id == source)
            .and_then(|(_, file)| file.path.clone());
        let path = match importing.as_deref().and_then(std::path::Path::parent) {
            Some(directory) => directory.join(written),
            None => std::path::PathBuf::from(written),
        };
        uri::of_path(&path)?
    };
    let start = Range::new(Position::new(0, 0), Position::new(0, 0));
    Some(Location::new(target, start))
}

/// Every place the name at `offset` is written, with or without its
/// declaration.
pub fn references(
    analysis: &Analysis,
    source: SourceId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(occurrence) = analysis.index.at(source, offset) else {
        return Vec::new();
    };
    analysis
        .index
        .all(occurrence.kind, &occurrence.name)
        .into_iter()
        .filter(|found| include_declaration || !found.declaration)
        .filter_map(|found| analysis.location(found.span))
        .collect()
}

/// The range of the name at `offset` that can be renamed, and its text.
pub fn prepare_rename(analysis: &Analysis, source: SourceId, offset: usize) -> Option<Range> {
    let occurrence = analysis.index.at(source, offset)?;
    renamable(occurrence.kind).then_some(())?;
    let declaration = analysis
        .index
        .declaration(occurrence.kind, &occurrence.name)?;
    (!analysis.is_stdlib(declaration.span.source)).then_some(())?;
    Some(analysis.location(occurrence.span)?.range)
}

/// The kinds that can be renamed across a project.
fn renamable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Stem | Kind::Cue | Kind::Bus | Kind::Target | Kind::License | Kind::Spec
    )
}

/// The edits that rename the thing at `offset` to `new_name` everywhere
/// in the project, or why it cannot be.
pub fn rename(
    analysis: &Analysis,
    source: SourceId,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let occurrence = analysis
        .index
        .at(source, offset)
        .ok_or("there is no name here to rename")?;
    if !renamable(occurrence.kind) {
        return Err(format!("a {} cannot be renamed", occurrence.kind.word()));
    }
    let all = analysis.index.all(occurrence.kind, &occurrence.name);
    if all
        .iter()
        .any(|found| found.declaration && analysis.is_stdlib(found.span.source))
    {
        return Err(format!(
            "`{}` is declared by the standard library, which cannot be changed",
            occurrence.name
        ));
    }
    let rule = if occurrence.kind == Kind::Spec {
        Rule::qualified_name
    } else {
        Rule::name
    };
    if !is_whole(rule, new_name) {
        return Err(format!("`{new_name}` is not a valid name"));
    }
    if new_name != occurrence.name
        && analysis
            .index
            .declaration(occurrence.kind, new_name)
            .is_some()
    {
        return Err(format!(
            "a {} named `{new_name}` exists already",
            occurrence.kind.word()
        ));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for found in all {
        if analysis.is_stdlib(found.span.source) {
            continue;
        }
        if let Some(location) = analysis.location(found.span) {
            changes
                .entry(location.uri)
                .or_default()
                .push(TextEdit::new(location.range, new_name.to_owned()));
        }
    }
    Ok(WorkspaceEdit::new(changes))
}

/// Whether all of `text` parses as `rule`.
fn is_whole(rule: Rule, text: &str) -> bool {
    use pest::Parser;
    SndtrkParser::parse(rule, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|pair| pair.as_str().len() == text.len() && !text.is_empty())
}
