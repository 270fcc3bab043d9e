//! Inline suppression: a comment `// sndtrk: allow(C004) reason` on the line
//! directly before a declaration silences that code for the diagnostics
//! inside that declaration. Several codes may be listed (`allow(C004, C005)`)
//! and several such comments may stand one above the other. The reason is
//! required: a suppression without one is an error (E0221) and silences
//! nothing, as is a directive that is not directly before a declaration.
//!
//! Comments are not in the syntax tree; [`crate::syntax::comment`] finds them in
//! the source text.

use std::collections::{HashMap, HashSet};

use crate::{
    diagnostic::Diagnostic,
    lint::config::{check_code, is_known},
    model::{Model, Named},
    syntax::comment::comments,
    syntax::span::{SourceId, Span},
};

/// E0221: a malformed or misplaced `// sndtrk:` comment.
pub const BAD_SUPPRESSION: &str = crate::diagnostic::codes::E0221.code;

/// One code silenced in one declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub code: String,
    /// The whole declaration it applies to.
    pub declaration: Span,
    /// The comment, from `//` to the end of the line.
    pub comment: Span,
}

/// Every valid suppression of a model.
#[derive(Debug, Default)]
pub struct Suppressions {
    pub items: Vec<Suppression>,
}

impl Suppressions {
    /// Scans the project's own files (not the standard library) for
    /// `// sndtrk:` comments, found with [`crate::syntax::comment::comments`] (so a
    /// `//` inside a string or a block comment is not one).
    pub fn scan(model: &Model) -> (Suppressions, Vec<Diagnostic>) {
        let starts = declaration_starts(model);
        let mut suppressions = Suppressions::default();
        let mut diagnostics = Vec::new();
        for (source, file) in model.sources.iter() {
            if file.path.is_none() {
                continue;
            }
            let text: &str = &file.text;
            let mut directives = Vec::new();
            let mut directive_starts = HashSet::new();
            for comment in comments(text).into_iter().filter(|comment| comment.line) {
                let written = comment.text(text);
                let Some(rest) = written
                    .strip_prefix("//")
                    .map(str::trim_start)
                    .and_then(|rest| rest.strip_prefix("sndtrk:"))
                else {
                    continue;
                };
                let span = Span::new(source, comment.start, comment.end);
                if !comment.own_line {
                    diagnostics.push(misplaced(span));
                    continue;
                }
                directive_starts.insert(comment.start);
                match parse(source, rest, comment.end - rest.len(), span) {
                    Ok(codes) => directives.push((comment.end, span, codes)),
                    Err(diagnostic) => diagnostics.push(*diagnostic),
                }
            }
            for (end, comment, codes) in directives {
                let next = next_code(text, end, &directive_starts);
                let Some(&declaration) = next.and_then(|next| starts.get(&(source, next))) else {
                    diagnostics.push(misplaced(comment));
                    continue;
                };
                for code in codes {
                    match check_code(&code) {
                        Ok(()) => suppressions.items.push(Suppression {
                            code: code.name,
                            declaration,
                            comment,
                        }),
                        Err(diagnostic) => diagnostics.push(*diagnostic),
                    }
                }
            }
        }
        (suppressions, diagnostics)
    }

    /// Whether a suppression covers `diagnostic` (its code, inside the declaration).
    pub fn silences(&self, diagnostic: &Diagnostic) -> bool {
        let Some(span) = diagnostic.span else {
            return false;
        };
        self.items.iter().any(|suppression| {
            suppression.code == diagnostic.code
                && suppression.declaration.source == span.source
                && suppression.declaration.start <= span.start
                && span.end <= suppression.declaration.end
        })
    }
}

/// Where the code on the line after the one ending at `end` starts, passing
/// over lines that hold another `// sndtrk:` comment; `None` for a blank
/// line or the end of the text.
fn next_code(text: &str, end: usize, directive_starts: &HashSet<usize>) -> Option<usize> {
    let mut end = end;
    loop {
        let line_start = end + text.get(end..)?.find('\n')? + 1;
        let rest = &text[line_start..];
        let code = line_start
            + (rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\u{FEFF}']).len());
        if !directive_starts.contains(&code) {
            return (code < text.len() && !text[code..].starts_with('\n')).then_some(code);
        }
        end = code;
    }
}

fn misplaced(comment: Span) -> Diagnostic {
    Diagnostic::error(
        BAD_SUPPRESSION,
        "this suppression is not directly before a declaration",
    )
    .at(comment, "silences nothing")
    .help("put `// sndtrk: allow(CODE) reason` on the line just above the declaration it is for")
}

/// Parses `allow(C004, C005) reason` (after `sndtrk:`), which starts at byte `at`.
fn parse(
    source: SourceId,
    rest: &str,
    at: usize,
    comment: Span,
) -> Result<Vec<Named>, Box<Diagnostic>> {
    let usage = "write `// sndtrk: allow(CODE) reason`, such as `// sndtrk: allow(C004) the label has not assigned an ISRC yet`";
    let trimmed = rest.trim_start();
    let at = at + (rest.len() - trimmed.len());
    let Some(inner) = trimmed.strip_prefix("allow(") else {
        return Err(Box::new(
            Diagnostic::error(
                BAD_SUPPRESSION,
                "a `// sndtrk:` comment that is not `allow(…)`",
            )
            .at(comment, "not a suppression")
            .help(usage),
        ));
    };
    let Some(close) = inner.find(')') else {
        return Err(Box::new(
            Diagnostic::error(BAD_SUPPRESSION, "the suppression's `allow(` is not closed")
                .at(comment, "missing `)`")
                .help(usage),
        ));
    };
    let list_start = at + "allow(".len();
    let mut codes = Vec::new();
    let mut position = 0;
    for piece in inner[..close].split(',') {
        let code = piece.trim();
        let lead = piece.len() - piece.trim_start().len();
        if !code.is_empty() {
            let start = list_start + position + lead;
            codes.push(Named {
                name: code.to_owned(),
                span: Span::new(source, start, start + code.len()),
            });
        }
        position += piece.len() + 1;
    }
    if codes.is_empty() {
        return Err(Box::new(
            Diagnostic::error(BAD_SUPPRESSION, "the suppression names no lint code")
                .at(comment, "no code")
                .help(usage),
        ));
    }
    let reason = inner[close + 1..].trim();
    if reason.is_empty() {
        let list = codes
            .iter()
            .map(|code| code.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let example = if codes.iter().all(|code| is_known(&code.name)) {
            format!("`// sndtrk: allow({list}) the reason it is acceptable here`")
        } else {
            "`// sndtrk: allow(CODE) reason`".to_owned()
        };
        return Err(Box::new(Diagnostic::error(
            BAD_SUPPRESSION,
            format!("the suppression of {list} gives no reason"),
        )
        .at(comment, "reason missing")
        .help(format!(
            "say why after the parenthesis: {example}; a suppression without a reason silences nothing"
        ))));
    }
    Ok(codes)
}

/// The start of every declaration in the model, keyed by (file, byte offset).
fn declaration_starts(model: &Model) -> HashMap<(SourceId, usize), Span> {
    let mut spans = Vec::new();
    if let Some(project) = &model.project {
        spans.push(project.span);
    }
    spans.extend(model.stems.iter().map(|item| item.span));
    spans.extend(model.cues.iter().map(|item| item.span));
    spans.extend(model.licenses.iter().map(|item| item.span));
    spans.extend(model.buses.iter().map(|item| item.span));
    spans.extend(model.targets.iter().map(|item| item.span));
    spans.extend(model.albums.iter().map(|item| item.span));
    spans.extend(model.specs.iter().map(|item| item.span));
    spans.extend(model.layouts.iter().map(|item| item.span));
    spans.extend(model.downmixes.iter().map(|item| item.span));
    spans
        .into_iter()
        .map(|span| ((span.source, span.start as usize), span))
        .collect()
}
