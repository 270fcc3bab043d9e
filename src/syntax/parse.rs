//! Parsing: recipe text to the typed syntax tree of [`crate::syntax::ast`].
//!
//! The file is parsed one declaration at a time. When a declaration has a
//! syntax error the error is recorded and parsing resumes at the next
//! declaration, so one run reports every syntax error it can.

use pest::{
    error::InputLocation,
    iterators::{Pair, Pairs},
    Parser,
};

use crate::{
    diagnostic::Diagnostic,
    syntax::ast::{
        Argument, Body, Date, Declaration, DeclarationKind, File, Item, Member, Name, Property,
        Text, Timecode, Value,
    },
    syntax::error,
    syntax::grammar::{Rule, SndtrkParser},
    syntax::span::{SourceId, Span},
    syntax::unit::Unit,
};

/// Parses a whole recipe, returning the declarations that parsed and a
/// diagnostic for each syntax error.
pub fn parse(source: SourceId, text: &str) -> (File, Vec<Diagnostic>) {
    let mut declarations = Vec::new();
    let mut unparsed = Vec::new();
    let mut diagnostics = Vec::new();
    let mut position = 0;
    loop {
        position = match skip_trivia(text, position) {
            Ok(position) => position,
            Err(start) => {
                diagnostics.push(error::unterminated_comment(Span::new(
                    source,
                    start,
                    start + 2,
                )));
                break;
            }
        };
        if position >= text.len() {
            break;
        }
        match parse_declaration(&text[position..]) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = position + pair.as_span().end();
                let builder = Builder {
                    source,
                    offset: position,
                    diagnostics: &mut diagnostics,
                };
                declarations.push(builder.declaration(pair));
                position = end;
            }
            Err(error) => {
                diagnostics.push(error::from_pest(source, text, position, &error));
                unparsed.extend(declared_name(&text[position..]));
                match resume_point(text, position) {
                    Some(next) => position = next,
                    None => break,
                }
            }
        }
    }
    (
        File {
            declarations,
            unparsed,
        },
        diagnostics,
    )
}

/// The name a declaration that failed to parse was giving, if it reads as
/// `KEYWORD NAME` (the keyword possibly misspelt, as in `stm dx {`).
fn declared_name(rest: &str) -> Option<String> {
    let is_name = |character: char| character.is_ascii_alphanumeric() || "_.-".contains(character);
    let mut words = rest.split_whitespace();
    let keyword = words.next()?;
    if !keyword
        .chars()
        .all(|character| character.is_ascii_alphabetic())
    {
        return None;
    }
    let name: String = words.next()?.chars().take_while(|c| is_name(*c)).collect();
    (!name.is_empty()).then_some(name)
}

/// Parses the declaration at the start of `rest`.
///
/// pest builds its error with a scan from the end of its input back to the
/// error, so a failed parse costs time in proportion to everything after
/// the declaration, and a file with many errors would take quadratic time.
/// The declaration is therefore first parsed from a cut of `rest` that no
/// declaration can reach past (see [`declaration_cut`]). A success, or an
/// error before the cut, is exactly what the whole text gives, since pest
/// never looked beyond the cut; only an error at the cut needs the whole
/// text to decide.
fn parse_declaration(rest: &str) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    let cut = declaration_cut(rest);
    if cut < rest.len() {
        match SndtrkParser::parse(Rule::lone_declaration, &rest[..cut]) {
            Err(error) if error_position(&error) >= cut => {}
            result => return result,
        }
    }
    SndtrkParser::parse(Rule::lone_declaration, rest)
}

fn error_position(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    }
}

/// Where the declaration at the start of `rest` must have ended or failed:
/// just after its closing `}` or after a second `{` (the grammar nests no
/// braces), or, before its `{`, at a line that starts with a declaration
/// keyword. Strings and comments are skipped.
fn declaration_cut(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut opened = false;
    let mut position = 0;
    while position < bytes.len() {
        match bytes[position] {
            b'}' => return position + 1,
            b'{' if opened => return position + 1,
            b'{' => opened = true,
            b'\n' if !opened => {
                let line = rest[position + 1..].trim_start_matches([' ', '\t', '\r']);
                if starts_with_declaration_keyword(line) {
                    return rest.len() - line.len();
                }
            }
            b'"' => {
                // To the closing quote, or the end of the line.
                position += 1;
                while position < bytes.len() && !matches!(bytes[position], b'"' | b'\n') {
                    position += if bytes[position] == b'\\' { 2 } else { 1 };
                }
                if bytes.get(position) == Some(&b'\n') {
                    continue;
                }
            }
            b'/' if bytes.get(position + 1) == Some(&b'/') => {
                position = rest[position..]
                    .find('\n')
                    .map_or(rest.len(), |end| position + end);
                continue;
            }
            b'/' if bytes.get(position + 1) == Some(&b'*') => {
                position = rest[position + 2..]
                    .find("*/")
                    .map_or(rest.len(), |end| position + 2 + end + 2);
                continue;
            }
            _ => {}
        }
        position += 1;
    }
    rest.len()
}

/// Skips blanks and comments from `position`; an unterminated block comment
/// gives `Err` with the offset of its `/*`.
fn skip_trivia(text: &str, mut position: usize) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(position..) {
            Some([b' ' | b'\t' | b'\r' | b'\n', ..]) => position += 1,
            Some([0xEF, 0xBB, 0xBF, ..]) => position += 3,
            Some([b'/', b'/', ..]) => {
                position = text[position..]
                    .find('\n')
                    .map_or(text.len(), |line_end| position + line_end + 1);
            }
            Some([b'/', b'*', ..]) => match text[position + 2..].find("*/") {
                Some(end) => position += 2 + end + 2,
                None => return Err(position),
            },
            _ => return Ok(position),
        }
    }
}

/// Where to resume after a syntax error in the declaration at `start`.
///
/// Candidates are the line starts after `start` whose first word is a
/// declaration keyword. Where the braces from `start` up to a candidate
/// balance, the broken declaration has ended and parsing resumes there
/// (so the next declaration's own errors are reported too). Where a brace
/// is still open, the candidate may be a property such as `layout 5.1` inside
/// the broken block, so it is taken only if a declaration parses there.
fn resume_point(text: &str, start: usize) -> Option<usize> {
    let mut depth: i64 = 0;
    let mut position = start;
    let bytes = text.as_bytes();
    let mut at_line_start = false;
    while position < bytes.len() {
        if at_line_start {
            let first = position
                + (text[position..].len() - text[position..].trim_start_matches([' ', '\t']).len());
            if starts_with_declaration_keyword(&text[first..]) {
                let balanced = depth <= 0;
                if balanced || parse_declaration(&text[first..]).is_ok() {
                    return Some(first);
                }
            }
            at_line_start = false;
        }
        match bytes[position] {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b'\n' => at_line_start = true,
            b'"' => {
                // Skip the string to its closing quote on the same line.
                let rest = &text[position + 1..];
                let mut escaped = false;
                let mut length = rest.len();
                for (index, character) in rest.char_indices() {
                    match character {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => {
                            length = index + 1;
                            break;
                        }
                        '\n' => {
                            length = index;
                            break;
                        }
                        _ => escaped = false,
                    }
                }
                position += 1 + length;
                continue;
            }
            b'/' if bytes.get(position + 1) == Some(&b'/') => {
                position = text[position..]
                    .find('\n')
                    .map_or(text.len(), |end| position + end);
                continue;
            }
            b'/' if bytes.get(position + 1) == Some(&b'*') => {
                position = text[position + 2..]
                    .find("*/")
                    .map_or(text.len(), |end| position + 2 + end + 2);
                continue;
            }
            _ => {}
        }
        position += 1;
    }
    None
}

fn starts_with_declaration_keyword(text: &str) -> bool {
    let word_end = text
        .find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
        .unwrap_or(text.len());
    DeclarationKind::from_keyword(&text[..word_end]).is_some()
}

/// Builds syntax nodes from the pairs of one declaration parsed at `offset`.
struct Builder<'a> {
    source: SourceId,
    offset: usize,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Builder<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        Span::new(
            self.source,
            self.offset + span.start(),
            self.offset + span.end(),
        )
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name {
            text: pair.as_str().to_owned(),
            span: self.span(pair),
        }
    }

    fn declaration(mut self, pair: Pair<'_, Rule>) -> Declaration {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::project => DeclarationKind::Project,
            Rule::import => DeclarationKind::Import,
            Rule::stem => DeclarationKind::Stem,
            Rule::object => DeclarationKind::Object,
            Rule::immersive => DeclarationKind::Immersive,
            Rule::cue => DeclarationKind::Cue,
            Rule::license => DeclarationKind::License,
            Rule::bus => DeclarationKind::Bus,
            Rule::target => DeclarationKind::Target,
            Rule::reel => DeclarationKind::Reel,
            Rule::album => DeclarationKind::Album,
            Rule::spec => DeclarationKind::Spec,
            Rule::layout => DeclarationKind::Layout,
            Rule::downmix => DeclarationKind::Downmix,
            _ => DeclarationKind::Lint,
        };
        let mut declaration = Declaration {
            kind,
            keyword: span,
            name: None,
            title: None,
            layout: None,
            body: Body::None,
            span,
        };
        for (index, child) in pair.into_inner().enumerate() {
            match child.as_rule() {
                _ if index == 0 => declaration.keyword = self.span(&child),
                Rule::name | Rule::qualified_name => declaration.name = Some(self.name(&child)),
                Rule::layout_name if kind == DeclarationKind::Layout => {
                    declaration.name = Some(self.name(&child));
                }
                Rule::layout_name => declaration.layout = Some(self.name(&child)),
                Rule::string => declaration.title = Some(self.text(child)),
                Rule::block => {
                    let span = self.span(&child);
                    let properties = child
                        .into_inner()
                        .filter(|pair| {
                            matches!(pair.as_rule(), Rule::property | Rule::stray_property)
                        })
                        .map(|pair| self.property(pair))
                        .collect();
                    declaration.body = Body::Block { properties, span };
                }
                Rule::members => {
                    let span = self.span(&child);
                    let members = child
                        .into_inner()
                        .filter(|pair| pair.as_rule() == Rule::member)
                        .map(|pair| self.member(pair))
                        .collect();
                    declaration.body = Body::Members { members, span };
                }
                _ => {}
            }
        }
        declaration
    }

    fn property(&mut self, pair: Pair<'_, Rule>) -> Property {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = inner.next().map_or_else(
            || Name {
                text: String::new(),
                span,
            },
            |pair| self.name(&pair),
        );
        let arguments = inner.map(|pair| self.argument(pair)).collect();
        Property {
            keyword,
            arguments,
            span,
        }
    }

    fn member(&mut self, pair: Pair<'_, Rule>) -> Member {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map_or_else(
            || Name {
                text: String::new(),
                span,
            },
            |pair| self.name(&pair),
        );
        let mut gain = None;
        let mut downmix = None;
        for pair in inner {
            if pair.as_rule() == Rule::member_downmix {
                let mut words = pair.into_inner();
                let keyword = words.next().map(|word| self.span(&word));
                let named = words.next().map(|word| self.name(&word));
                if let (Some(keyword), Some(named)) = (keyword, named) {
                    downmix = Some((keyword, named));
                }
            } else {
                gain = Some(self.argument(pair));
            }
        }
        Member {
            name,
            gain,
            downmix,
            span,
        }
    }

    fn argument(&mut self, pair: Pair<'_, Rule>) -> Argument {
        let span = self.span(&pair);
        let raw = pair.as_str();
        let value = match pair.as_rule() {
            Rule::string => Value::Text(self.text(pair).value),
            Rule::timecode => Value::Timecode(timecode(raw)),
            Rule::date => Value::Date(date(raw)),
            Rule::dotted => Value::Dotted(raw.to_owned()),
            Rule::hex => match u64::from_str_radix(&raw[2..], 16) {
                Ok(value) => Value::Hex(value),
                Err(_) => {
                    self.diagnostics.push(error::number_too_large(span));
                    Value::Invalid
                }
            },
            Rule::quantity => {
                let mut inner = pair.into_inner();
                let number = inner.next().map_or("0", |pair| pair.as_str());
                let unit_pair = inner.next();
                let spaced = unit_pair
                    .as_ref()
                    .is_some_and(|pair| pair.as_rule() == Rule::spaced_unit);
                let written = unit_pair.as_ref().map_or("", |pair| pair.as_str());
                let exact = Unit::parse(written).filter(|_| !spaced);
                match self.number(number, span) {
                    Some(value) => match exact {
                        Some(unit) => Value::Quantity {
                            value,
                            unit,
                            raw: raw.to_owned(),
                        },
                        None => Value::Misspelt {
                            value,
                            unit: Unit::guess(written).unwrap_or(Unit::Db),
                            raw: raw.to_owned(),
                            number: number.to_owned(),
                        },
                    },
                    None => Value::Invalid,
                }
            }
            Rule::number => match self.number(raw, span) {
                Some(value) => Value::Number {
                    value,
                    raw: raw.to_owned(),
                },
                None => Value::Invalid,
            },
            Rule::list => Value::List(
                pair.into_inner()
                    .filter(|pair| pair.as_rule() == Rule::item)
                    .map(|item| {
                        let span = self.span(&item);
                        let values = item.into_inner().map(|pair| self.argument(pair)).collect();
                        Item { values, span }
                    })
                    .collect(),
            ),
            _ => Value::Word(raw.to_owned()),
        };
        Argument { value, span }
    }

    fn number(&mut self, text: &str, span: Span) -> Option<f64> {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Some(value),
            _ => {
                self.diagnostics.push(error::number_too_large(span));
                None
            }
        }
    }

    fn text(&mut self, pair: Pair<'_, Rule>) -> Text {
        let span = self.span(&pair);
        let body = pair.into_inner().next().map_or("", |pair| pair.as_str());
        let mut value = String::with_capacity(body.len());
        let mut characters = body.char_indices();
        while let Some((index, character)) = characters.next() {
            if character != '\\' {
                value.push(character);
                continue;
            }
            match characters.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 'u')) => {
                    // `\u{…}`: the grammar guarantees braces and hex digits.
                    let rest = &body[index + 2..];
                    let close = rest.find('}').unwrap_or(rest.len());
                    let digits = rest.get(1..close).unwrap_or_default();
                    match u32::from_str_radix(digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                    {
                        Some(decoded) => value.push(decoded),
                        None => {
                            let start = span.start as usize + 1 + index;
                            let escape = Span::new(self.source, start, start + close + 3);
                            self.diagnostics.push(error::bad_escape(escape, digits));
                        }
                    }
                    for _ in 0..=close {
                        characters.next();
                    }
                }
                Some((_, other)) => value.push(other),
                None => {}
            }
        }
        Text { value, span }
    }
}

/// Reads `HH:MM:SS:FF` (the grammar guarantees the digits).
fn timecode(raw: &str) -> Timecode {
    let field = |range: std::ops::Range<usize>| {
        raw.get(range)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0)
    };
    Timecode {
        hours: field(0..2),
        minutes: field(3..5),
        seconds: field(6..8),
        frames: field(9..11),
        drop_frame: raw.as_bytes().get(8) == Some(&b';'),
    }
}

/// Reads `YYYY-MM-DD` (the grammar guarantees the digits).
fn date(raw: &str) -> Date {
    let field = |range: std::ops::Range<usize>| {
        raw.get(range)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0)
    };
    Date {
        year: field(0..4),
        month: field(5..7),
        day: field(8..10),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What a parse of one declaration found, comparable across inputs.
    fn outcome(result: Result<Pairs<'_, Rule>, pest::error::Error<Rule>>) -> String {
        match result {
            Ok(pairs) => format!("{pairs:?}"),
            Err(error) => format!("{:?} {:?}", error.location, error.variant),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Parsing from the cut gives exactly what parsing the whole rest gives.
        #[test]
        fn the_cut_changes_no_outcome(
            fragments in prop::collection::vec(prop::sample::select(vec![
                "stem", "import", "bus", "layout", "cue", "role", "x", "5.1", "-3dB", " ",
                "\n", "\n  ", "{", "}", "[", "]", ",", "\"s\"", "\"", "\\", "//", "/*", "*/",
            ]), 0..40)
        ) {
            let rest = fragments.concat();
            prop_assert_eq!(
                outcome(parse_declaration(&rest)),
                outcome(SndtrkParser::parse(Rule::lone_declaration, &rest))
            );
        }
    }

    fn parse_text(text: &str) -> (File, Vec<Diagnostic>) {
        parse(SourceId(0), text)
    }

    #[test]
    fn parses_the_example_recipe() {
        let text = include_str!("../../examples/night-harbor/soundtrack.sndtrk");
        let (file, diagnostics) = parse_text(text);
        assert_eq!(diagnostics, vec![]);
        let kinds: Vec<&str> = file.declarations.iter().map(|d| d.kind.keyword()).collect();
        assert_eq!(
            kinds,
            [
                "project", "import", "import", "import", "import", "stem", "stem", "stem", "stem",
                "stem", "cue", "cue", "license", "license", "license", "bus", "bus", "bus", "bus",
                "target", "target", "target", "target", "album"
            ]
        );
    }

    #[test]
    fn one_line_and_many_lines_are_the_same() {
        let one = parse_text(r#"stem fx { role effects layout 5.1 file "fx.wav" }"#).0;
        let many = parse_text("stem fx {\n  role effects\n  layout 5.1\n  file \"fx.wav\"\n}\n").0;
        let shape = |file: &File| -> Vec<(String, Vec<String>)> {
            file.declarations[0]
                .body
                .properties()
                .iter()
                .map(|p| {
                    (
                        p.keyword.text.clone(),
                        p.arguments
                            .iter()
                            .map(|a| format!("{:?}", a.value))
                            .collect(),
                    )
                })
                .collect()
        };
        assert_eq!(shape(&one), shape(&many));
        assert_eq!(shape(&one).len(), 3);
    }

    #[test]
    fn literals_are_classified() {
        let (file, diagnostics) = parse_text(
            "stem x { at 01:00:00;12 gain -1.5dB fade in 2s out 500ms tone 1kHz -20dBFS for 1f \
             layout 7.1.4 mask 0x60F territory [GB, DE] release 2027-03-14 pan C file \"a\\\"b\\u{E9}\" }",
        );
        assert_eq!(diagnostics, vec![]);
        let values: Vec<Value> = file.declarations[0]
            .body
            .properties()
            .iter()
            .flat_map(|p| p.arguments.iter().map(|a| a.value.clone()))
            .collect();
        assert_eq!(
            values[0],
            Value::Timecode(Timecode {
                hours: 1,
                minutes: 0,
                seconds: 0,
                frames: 12,
                drop_frame: true
            })
        );
        assert_eq!(
            values[1],
            Value::Quantity {
                value: -1.5,
                unit: Unit::Db,
                raw: "-1.5dB".into()
            }
        );
        assert_eq!(values[2], Value::Word("in".into()));
        assert_eq!(
            values[5],
            Value::Quantity {
                value: 500.0,
                unit: Unit::Ms,
                raw: "500ms".into()
            }
        );
        assert_eq!(
            values[6],
            Value::Quantity {
                value: 1.0,
                unit: Unit::KHz,
                raw: "1kHz".into()
            }
        );
        assert_eq!(
            values[9],
            Value::Quantity {
                value: 1.0,
                unit: Unit::Frames,
                raw: "1f".into()
            }
        );
        assert_eq!(values[10], Value::Dotted("7.1.4".into()));
        assert_eq!(values[11], Value::Hex(0x60F));
        assert!(matches!(&values[12], Value::List(items) if items.len() == 2));
        assert_eq!(
            values[13],
            Value::Date(Date {
                year: 2027,
                month: 3,
                day: 14
            })
        );
        assert_eq!(values[14], Value::Word("C".into()));
        assert_eq!(values[15], Value::Text("a\"b\u{e9}".into()));
    }

    #[test]
    fn cue_ids_are_names_and_quantities_are_not() {
        let (file, diagnostics) = parse_text("cue 2M3A \"T\" { } bus B 5.1 { 1M1 -3dB 2s1 }");
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            file.declarations[0].name.as_ref().map(|n| n.text.as_str()),
            Some("2M3A")
        );
        let Body::Members { members, .. } = &file.declarations[1].body else {
            panic!()
        };
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].name.text, "1M1");
        assert!(members[0].gain.is_some());
        assert_eq!(members[1].name.text, "2s1");
    }

    #[test]
    fn reports_every_syntax_error_and_keeps_the_rest() {
        // `gian` first in a block is read as a property (the resolver
        // reports it unknown); `5` there is a syntax error.
        let text = "stem a { role dialogue }\nstem b { 5 -3dB }\nstem c { role effects }\nbus X 5.1 { a b\nstem d { role foley }\ncue 1M1 { }\nstem e { gian -3dB }\n";
        let (file, diagnostics) = parse_text(text);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0101", "E0101", "E0101"], "{diagnostics:#?}");
        assert_eq!(file.unparsed, ["b", "X", "1M1"]);
        let names: Vec<&str> = file
            .declarations
            .iter()
            .filter_map(|d| d.name.as_ref().map(|n| n.text.as_str()))
            .collect();
        assert_eq!(names, ["a", "c", "d", "e"]);
    }
}
