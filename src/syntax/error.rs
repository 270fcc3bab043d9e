//! Syntax diagnostics (codes `E01xx`), including pest's errors translated
//! into the language's own words.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::{
    diagnostic::Diagnostic,
    syntax::ast::DeclarationKind,
    syntax::grammar::Rule,
    syntax::keyword::{closest, PROPERTY_KEYWORDS},
    syntax::span::{SourceId, Span},
};

/// E0101: the text does not follow the grammar.
pub const UNEXPECTED: &str = crate::diagnostic::codes::E0101.code;
/// E0102: a `/*` comment is never closed.
pub const UNTERMINATED_COMMENT: &str = crate::diagnostic::codes::E0102.code;
/// E0103: a string is not closed before the end of its line.
pub const UNTERMINATED_STRING: &str = crate::diagnostic::codes::E0103.code;
/// E0104: a number too large to represent.
pub const NUMBER_TOO_LARGE: &str = crate::diagnostic::codes::E0104.code;
/// E0105: a `\u{…}` escape that is not a character.
pub const BAD_ESCAPE: &str = crate::diagnostic::codes::E0105.code;
/// E0106: a reserved word where a name belongs.
pub const RESERVED_NAME: &str = crate::diagnostic::codes::E0106.code;
/// E0107: an unknown property keyword.
pub const UNKNOWN_PROPERTY: &str = crate::diagnostic::codes::E0107.code;

pub fn unterminated_comment(span: Span) -> Diagnostic {
    Diagnostic::error(UNTERMINATED_COMMENT, "this comment is never closed")
        .at(span, "comment starts here")
        .help("close the comment with `*/`")
}

pub fn number_too_large(span: Span) -> Diagnostic {
    Diagnostic::error(NUMBER_TOO_LARGE, "this number is too large")
        .at(span, "too large")
        .help("write a number of sensible size")
}

pub fn bad_escape(span: Span, digits: &str) -> Diagnostic {
    Diagnostic::error(BAD_ESCAPE, format!("`\\u{{{digits}}}` is not a character"))
        .at(span, "not a Unicode scalar value")
        .help("write a hexadecimal code point such as `\\u{E9}`")
}

/// Translates a pest error for the declaration parsed from `offset`.
pub fn from_pest(source: SourceId, text: &str, offset: usize, error: &Error<Rule>) -> Diagnostic {
    let position = offset
        + match error.location {
            InputLocation::Pos(position) => position,
            InputLocation::Span((start, _)) => start,
        };
    let position = floor_char_boundary(text, position.min(text.len()));
    let found = Token::at(text, position);
    let span = Span::new(source, position, position + found.length);

    if found.kind == TokenKind::UnclosedString {
        return Diagnostic::error(UNTERMINATED_STRING, "this string is not closed")
            .at(span, "the string starts here")
            .help("end the string with `\"` on the same line; write `\\\"` for a quote inside it");
    }

    let positives: BTreeSet<Expected> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .filter_map(|rule| Expected::of(*rule))
            .collect(),
        ErrorVariant::CustomError { .. } => BTreeSet::new(),
    };

    let mut positives = positives;
    if positives.contains(&Expected::Value) {
        positives.remove(&Expected::Title);
    }
    if let TokenKind::Word(word) = &found.kind {
        let reserved = PROPERTY_KEYWORDS.contains(&word.as_str());
        if reserved && positives.iter().any(|expected| expected.is_name()) {
            return Diagnostic::error(
                RESERVED_NAME,
                format!("`{word}` is a reserved word and cannot be a name"),
            )
            .at(span, "reserved word")
            .help("property keywords are reserved; choose another name");
        }
        if positives.contains(&Expected::Property) {
            let mut diagnostic =
                Diagnostic::error(UNKNOWN_PROPERTY, format!("unknown property `{word}`"))
                    .at(span, "not a property keyword");
            diagnostic = match closest(word, PROPERTY_KEYWORDS.iter().copied()) {
                Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
                None => diagnostic.help(
                    "a block holds properties such as `gain -3dB`; see the language reference",
                ),
            };
            return diagnostic;
        }
        if positives.contains(&Expected::Declaration) {
            let keywords = DeclarationKind::ALL.map(DeclarationKind::keyword);
            let diagnostic = Diagnostic::error(
                UNEXPECTED,
                format!("expected a declaration, found `{word}`"),
            )
            .at(span, "expected a declaration");
            return match closest(word, keywords) {
                Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
                None => diagnostic.help(
                    "a recipe is made of declarations: project, import, stem, cue, license, bus, target, album, spec, layout, downmix, lint",
                ),
            };
        }
    }

    // `stem dx { …` with no `}` before the next declaration: the parser
    // meets that declaration's `{` inside the block. Say so, at the
    // declaration the `}` belongs before.
    if positives.contains(&Expected::CloseBrace)
        && matches!(&found.kind, TokenKind::Other(text) if text == "{")
    {
        let line_start = text[..position].rfind('\n').map_or(0, |index| index + 1);
        let line = &text[line_start..position];
        let indent = line.len() - line.trim_start().len();
        let first = line.split_whitespace().next().unwrap_or("");
        if position > offset && DeclarationKind::from_keyword(first).is_some() {
            let opened: String = text[offset..]
                .split('{')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let start = line_start + indent;
            let brace = text[offset..].find('{').map(|index| offset + index);
            let mut diagnostic = Diagnostic::error(
                UNEXPECTED,
                format!("`{opened}` is not closed: a `}}` is missing before this declaration"),
            )
            .at(
                Span::new(source, start, start + first.len()),
                "the next declaration starts here",
            )
            .help(format!("add `}}` at the end of `{opened}`"));
            if let Some(brace) = brace {
                diagnostic = diagnostic.related(Span::new(source, brace, brace + 1), "opened here");
            }
            return diagnostic;
        }
    }

    // `layout 5.l`: a letter for a digit in a number or layout literal.
    if let TokenKind::Other(rest) = &found.kind {
        let digits = text[..position]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .count();
        if rest.starts_with('.') && digits > 0 {
            let start = position - digits;
            let written = &text[start..position + rest.len()];
            let fixed: String = written
                .chars()
                .map(|character| match character {
                    'l' | 'I' | 'i' => '1',
                    'o' | 'O' => '0',
                    other => other,
                })
                .collect();
            let mut diagnostic = Diagnostic::error(
                UNEXPECTED,
                format!("`{written}` is not a number or a layout"),
            )
            .at(
                Span::new(source, start, position + rest.len()),
                "not a number",
            );
            diagnostic = if fixed.chars().all(|c| c.is_ascii_digit() || c == '.') {
                diagnostic.help(format!("did you mean `{fixed}`?"))
            } else {
                diagnostic.help("write a number such as `0.5` or a layout such as `5.1`")
            };
            return diagnostic;
        }
    }

    // `file stems/dx.wav`: a path without its quotes stops at the `/`.
    if matches!(&found.kind, TokenKind::Other(text) if text.starts_with(['/', '\\'])) {
        let is_path =
            |character: char| !character.is_whitespace() && !"{}[],\"".contains(character);
        let start = text[..position]
            .char_indices()
            .rev()
            .take_while(|(_, character)| is_path(*character))
            .last()
            .map_or(position, |(index, _)| index);
        let end = text[position..]
            .find(|character: char| !is_path(character))
            .map_or(text.len(), |length| position + length);
        let path = &text[start..end];
        return Diagnostic::error(UNEXPECTED, "a file's path is written in quotes")
            .at(Span::new(source, start, end), "a path without quotes")
            .help(format!("write `\"{path}\"`"));
    }

    let expected = describe(&positives);
    let message = format!("expected {expected}, found {}", found.describe());
    let mut diagnostic =
        Diagnostic::error(UNEXPECTED, message).at(span, format!("expected {expected}"));
    if positives.contains(&Expected::CloseBrace) && found.kind == TokenKind::End {
        diagnostic = diagnostic.help("a `{` is never closed: add the missing `}`");
    } else if positives.contains(&Expected::OpenBrace) {
        diagnostic = diagnostic.help("the properties of a declaration go between `{` and `}`");
    } else {
        diagnostic = diagnostic.help(format!("write {expected} here"));
    }
    diagnostic
}

/// What the parser expected, in the language's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Declaration,
    Name,
    Title,
    Layout,
    OpenBrace,
    Property,
    Member,
    Gain,
    Value,
    Comma,
    CloseBracket,
    CloseBrace,
    End,
}

impl Expected {
    fn of(rule: Rule) -> Option<Expected> {
        Some(match rule {
            Rule::kw_project
            | Rule::kw_import
            | Rule::kw_stem
            | Rule::kw_object
            | Rule::kw_immersive
            | Rule::kw_cue
            | Rule::kw_license
            | Rule::kw_bus
            | Rule::kw_target
            | Rule::kw_album
            | Rule::kw_spec
            | Rule::kw_layout
            | Rule::kw_downmix
            | Rule::kw_lint
            | Rule::declaration
            | Rule::lone_declaration => Expected::Declaration,
            Rule::name | Rule::qualified_name | Rule::name_text => Expected::Name,
            Rule::string | Rule::string_body | Rule::escape => Expected::Title,
            Rule::layout_name => Expected::Layout,
            Rule::lbrace | Rule::block | Rule::members => Expected::OpenBrace,
            Rule::keyword | Rule::property | Rule::stray_property | Rule::stray_word => {
                Expected::Property
            }
            Rule::member => Expected::Member,
            Rule::quantity => Expected::Gain,
            Rule::argument
            | Rule::atom
            | Rule::list
            | Rule::item
            | Rule::timecode
            | Rule::date
            | Rule::dotted
            | Rule::hex
            | Rule::number
            | Rule::word
            | Rule::lbracket => Expected::Value,
            Rule::comma => Expected::Comma,
            Rule::rbracket => Expected::CloseBracket,
            Rule::rbrace => Expected::CloseBrace,
            Rule::EOI => Expected::End,
            // `downmix NAME` after a member is optional and rare: not
            // worth listing in "expected …".
            Rule::member_downmix | Rule::kw_member_downmix => return None,
            _ => return None,
        })
    }

    fn is_name(self) -> bool {
        matches!(self, Expected::Name | Expected::Member | Expected::Layout)
    }

    fn describe(self) -> &'static str {
        match self {
            Expected::Declaration => "a declaration",
            Expected::Name => "a name",
            Expected::Title => "a quoted string",
            Expected::Layout => "a layout such as `5.1`",
            Expected::OpenBrace => "`{`",
            Expected::Property => "a property",
            Expected::Member => "a bus member",
            Expected::Gain => "a gain such as `-3dB`",
            Expected::Value => "a value",
            Expected::Comma => "`,`",
            Expected::CloseBracket => "`]`",
            Expected::CloseBrace => "`}`",
            Expected::End => "the end of the file",
        }
    }
}

fn describe(expected: &BTreeSet<Expected>) -> String {
    let words: Vec<&str> = expected
        .iter()
        .map(|expected| expected.describe())
        .collect();
    match words.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[derive(Debug, PartialEq)]
enum TokenKind {
    End,
    Word(String),
    UnclosedString,
    String,
    Other(String),
}

/// The token at the error position, for "found …".
struct Token {
    kind: TokenKind,
    length: usize,
}

impl Token {
    fn at(text: &str, position: usize) -> Token {
        let rest = &text[position..];
        let Some(first) = rest.chars().next() else {
            return Token {
                kind: TokenKind::End,
                length: 0,
            };
        };
        if first == '"' {
            let line = rest.split('\n').next().unwrap_or(rest);
            return match line[1..].find('"') {
                Some(end) => Token {
                    kind: TokenKind::String,
                    length: end + 2,
                },
                None => Token {
                    kind: TokenKind::UnclosedString,
                    length: 1,
                },
            };
        }
        let word_length = rest
            .find(|character: char| {
                !(character.is_alphanumeric() || character == '_' || character == '.')
            })
            .unwrap_or(rest.len());
        if word_length > 0 && (first.is_alphabetic() || first == '_') {
            return Token {
                kind: TokenKind::Word(rest[..word_length].to_owned()),
                length: word_length,
            };
        }
        if word_length > 0 {
            return Token {
                kind: TokenKind::Other(rest[..word_length].to_owned()),
                length: word_length,
            };
        }
        Token {
            kind: TokenKind::Other(first.to_string()),
            length: first.len_utf8(),
        }
    }

    fn describe(&self) -> String {
        match &self.kind {
            TokenKind::End => "the end of the file".to_owned(),
            TokenKind::Word(word) => format!("`{word}`"),
            TokenKind::String | TokenKind::UnclosedString => "a string".to_owned(),
            TokenKind::Other(text) if text.trim().is_empty() => format!("{text:?}"),
            TokenKind::Other(text) => format!("`{}`", text.escape_debug()),
        }
    }
}

fn floor_char_boundary(text: &str, mut position: usize) -> usize {
    while !text.is_char_boundary(position) {
        position -= 1;
    }
    position
}
