//! The canonical layout of a recipe, for `sndtrk fmt`.
//!
//! The formatter re-emits every token of the syntax tree in order, taking
//! each literal's text from the source (`-1.5dB`, `48kHz`, `5.1` and strings
//! with their escapes stay exactly as written), and lays it out by these
//! rules:
//!
//! - One declaration per line group at column 0; four spaces per level of
//!   indentation; no column alignment anywhere.
//! - A block holds one property per line: the keyword and its arguments
//!   separated by single spaces. An empty block is `{ }`.
//! - Lists are `[a, b, c]` (a trailing comma is dropped).
//! - A bus is written on one line, `bus DX 5.1 { dx pop }`, when no member
//!   carries a gain or a downmix; otherwise one member per line
//!   (`fx -3dB downmix ltrt`). An empty bus is `{ }`.
//! - Blank lines: at most one in a row; none at the start of the file, after
//!   `{` or before `}`. Between two declarations a blank line is kept where
//!   the source has one, and one is always written when either of the two
//!   spans several lines, so consecutive `import`s and one-line buses may
//!   stay together. Blank lines between properties, and between comments,
//!   are kept where the source has them.
//! - Comments stay where they were. A comment on its own line is indented as
//!   the code that follows it; a comment after code on the same line stays
//!   there, one space after it. A comment inside a property's arguments or a
//!   list is kept in place and the arguments after it continue on the next
//!   line, indented one level further.
//! - Lines are never wrapped; line breaks are `\n` (a `\r\n` file comes
//!   out with `\n`) and a byte-order mark is dropped; the file ends with one
//!   line break (an empty recipe stays empty).
//!
//! A file with syntax errors is not formatted: [`format`] returns its
//! diagnostics instead. The result parses to the same tree (spans aside),
//! and formatting it again changes nothing.

use crate::{
    diagnostic::Diagnostic,
    syntax::ast::{Argument, Body, Declaration, File, Value},
    syntax::comment::{blank_line_before, comments, Comment},
    syntax::parse::parse,
    syntax::span::{SourceId, Span},
};

/// Formats a recipe's text in the canonical layout, or returns the syntax
/// diagnostics (pointing into source `SourceId(0)`) if it does not parse.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    format_source(SourceId(0), text)
}

/// Formats a recipe's text whose diagnostics should point into `source`.
pub fn format_source(source: SourceId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (file, diagnostics) = parse(source, text);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    Ok(Printer::new(text).file(&file))
}

/// How a token is separated from the output before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// Directly after it (`,` and the first item of a list).
    Tight,
    /// One space after it.
    Space,
    /// On a new line at `indent` levels; own-line comments before the token
    /// go at `comment_indent`.
    Line {
        indent: usize,
        comment_indent: usize,
        blank: Blank,
    },
}

/// Whether a blank line goes before a new line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blank {
    /// Never (before `}`).
    Never,
    /// Where the source has one.
    Keep,
    /// Always before the first line of the gap (between two declarations
    /// of which one spans several lines); later lines of the gap as `Keep`.
    Always,
}

/// Writes the canonical text, pulling comments in as it passes them.
struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    /// The first comment not yet written.
    next_comment: usize,
    out: String,
    /// Nothing has been written on the current output line.
    at_line_start: bool,
    /// A comment that ends its line was just written: the next token must
    /// start a new line.
    must_break: bool,
    /// No blank line may come next (start of file, just after `{`).
    no_blank: bool,
    /// The indentation of continuation lines of the current construct.
    continuation: usize,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            comments: comments(text),
            next_comment: 0,
            out: String::with_capacity(text.len() + text.len() / 8),
            at_line_start: true,
            must_break: false,
            no_blank: true,
            continuation: 1,
        }
    }

    fn file(mut self, file: &File) -> String {
        let mut previous_multiline = false;
        for (index, declaration) in file.declarations.iter().enumerate() {
            let multiline = self.is_multiline(declaration);
            let blank = if index > 0 && (multiline || previous_multiline) {
                Blank::Always
            } else {
                Blank::Keep
            };
            self.declaration(declaration, multiline, blank);
            previous_multiline = multiline;
        }
        // Comments after the last declaration.
        self.flush_comments(
            self.text.len() + 1,
            Separator::Line {
                indent: 0,
                comment_indent: 0,
                blank: Blank::Keep,
            },
        );
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    /// Whether a declaration spans several lines: its body holds properties,
    /// a bus member carries a gain or a downmix, or a comment inside it
    /// breaks a line.
    fn is_multiline(&self, declaration: &Declaration) -> bool {
        let body = match &declaration.body {
            Body::None => false,
            Body::Block { properties, .. } => !properties.is_empty(),
            Body::Members { members, .. } => members
                .iter()
                .any(|member| member.gain.is_some() || member.downmix.is_some()),
        };
        body || self
            .comments_within(declaration.span)
            .iter()
            .any(Comment::breaks_line)
    }

    /// The comments strictly inside `span`.
    fn comments_within(&self, span: Span) -> &[Comment] {
        let (start, end) = (span.start as usize, span.end as usize);
        let first = self
            .comments
            .partition_point(|comment| comment.start < start);
        let last = self.comments.partition_point(|comment| comment.start < end);
        &self.comments[first..last.max(first)]
    }

    fn declaration(&mut self, declaration: &Declaration, multiline: bool, blank: Blank) {
        self.continuation = 1;
        let keyword = declaration.keyword;
        self.token_at(
            keyword,
            Separator::Line {
                indent: 0,
                comment_indent: 0,
                blank,
            },
        );
        let mut header: Vec<Span> = [
            declaration.name.as_ref().map(|name| name.span),
            declaration.title.as_ref().map(|title| title.span),
            declaration.layout.as_ref().map(|layout| layout.span),
        ]
        .into_iter()
        .flatten()
        .collect();
        header.sort();
        for span in header {
            self.token_at(span, Separator::Space);
        }
        match &declaration.body {
            Body::None => {}
            Body::Block { properties, span } => {
                self.open_brace(*span, multiline);
                for property in properties {
                    self.continuation = 2;
                    self.token_at(property.keyword.span, line(1));
                    for argument in &property.arguments {
                        self.argument(argument);
                    }
                }
                self.close_brace(*span, multiline);
            }
            Body::Members { members, span } => {
                self.open_brace(*span, multiline);
                for member in members {
                    self.continuation = if multiline { 2 } else { 1 };
                    let separator = if multiline { line(1) } else { Separator::Space };
                    self.token_at(member.name.span, separator);
                    if let Some(gain) = &member.gain {
                        self.argument(gain);
                    }
                    if let Some((keyword, name)) = &member.downmix {
                        self.token_at(*keyword, Separator::Space);
                        self.token_at(name.span, Separator::Space);
                    }
                }
                self.close_brace(*span, multiline);
            }
        }
    }

    fn open_brace(&mut self, body: Span, multiline: bool) {
        self.token(body.start as usize, "{", Separator::Space);
        if multiline {
            self.no_blank = true;
        }
    }

    fn close_brace(&mut self, body: Span, multiline: bool) {
        let position = (body.end as usize).saturating_sub(1);
        self.continuation = 1;
        let separator = if multiline {
            Separator::Line {
                indent: 0,
                comment_indent: 1,
                blank: Blank::Never,
            }
        } else {
            Separator::Space
        };
        self.token(position, "}", separator);
    }

    fn argument(&mut self, argument: &Argument) {
        let Value::List(items) = &argument.value else {
            self.token_at(argument.span, Separator::Space);
            return;
        };
        self.token(argument.span.start as usize, "[", Separator::Space);
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                // The comma follows the item directly; comments written
                // around it come out after it.
                self.out.push(',');
            }
            for (position, value) in item.values.iter().enumerate() {
                let separator = if index == 0 && position == 0 {
                    Separator::Tight
                } else {
                    Separator::Space
                };
                self.token_at(value.span, separator);
            }
        }
        let close = (argument.span.end as usize).saturating_sub(1);
        self.token(close, "]", Separator::Tight);
    }

    /// Writes the source text of `span` as one token.
    fn token_at(&mut self, span: Span, separator: Separator) {
        let text = self.text.get(span.range()).unwrap_or_default();
        self.token(span.start as usize, text, separator);
    }

    /// Writes the token `text` found at `position` in the source, after the
    /// comments that precede it.
    fn token(&mut self, position: usize, text: &str, separator: Separator) {
        let broke = self.flush_comments(position, separator);
        match separator {
            Separator::Line { indent, blank, .. } => {
                let blank = match blank {
                    Blank::Never => false,
                    Blank::Always if !broke => true,
                    _ => blank_line_before(self.text, position),
                };
                self.new_line(indent, blank);
            }
            _ if self.must_break => {
                let indent = self.continuation;
                self.new_line(indent, false);
            }
            Separator::Space if !self.at_line_start => self.out.push(' '),
            Separator::Space | Separator::Tight => {}
        }
        self.out.push_str(text);
        self.at_line_start = false;
        self.must_break = false;
    }

    /// Writes the comments that start before `position`, placed for a token
    /// that follows with `separator`. Returns whether a line was started.
    fn flush_comments(&mut self, position: usize, separator: Separator) -> bool {
        let mut broke = false;
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.start >= position {
                break;
            }
            let comment = comment.clone();
            self.next_comment += 1;
            if comment.own_line || self.must_break {
                let (indent, blank) = match separator {
                    Separator::Line {
                        comment_indent,
                        blank,
                        ..
                    } => (
                        comment_indent,
                        match blank {
                            Blank::Never => false,
                            Blank::Always if !broke => true,
                            _ => comment.blank_before,
                        },
                    ),
                    _ => (self.continuation, false),
                };
                self.new_line(indent, blank);
                broke = true;
            } else if !self.at_line_start {
                self.out.push(' ');
            }
            self.out.push_str(comment.text(self.text));
            self.at_line_start = false;
            self.must_break = comment.break_after;
        }
        broke
    }

    /// Ends the current line (if anything is on it) and indents the next.
    fn new_line(&mut self, indent: usize, blank: bool) {
        if !self.out.is_empty() {
            self.out.push('\n');
            if blank && !self.no_blank {
                self.out.push('\n');
            }
        }
        for _ in 0..indent {
            self.out.push_str("    ");
        }
        self.no_blank = false;
        self.at_line_start = true;
    }
}

/// A new line at `indent` levels, keeping the source's blank line.
fn line(indent: usize) -> Separator {
    Separator::Line {
        indent,
        comment_indent: indent,
        blank: Blank::Keep,
    }
}

#[doc(hidden)]
pub mod meaning;

#[cfg(test)]
mod tests;
