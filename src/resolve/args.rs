//! Reading a property's arguments: each reader checks the shape and unit of
//! the next argument and reports, in the language's words, what it expected.

use crate::{
    diagnostic::Diagnostic,
    model::{Duration, Named, Spanned},
    syntax::ast::{Argument, Date, Property, Timecode, Value},
    syntax::span::Span,
    syntax::unit::{Dimension, Unit},
};

/// E0304: an argument of the wrong kind or unit.
pub const WRONG_ARGUMENT: &str = crate::diagnostic::codes::E0304.code;
/// E0305: a value out of its range.
pub const OUT_OF_RANGE: &str = crate::diagnostic::codes::E0305.code;
/// E0306: a timecode that does not exist at the frame rate.
pub const BAD_TIMECODE: &str = crate::diagnostic::codes::E0306.code;
/// E0307: a date that does not exist.
pub const BAD_DATE: &str = crate::diagnostic::codes::E0307.code;
/// E0308: a property lacks an argument.
pub const MISSING_ARGUMENT: &str = crate::diagnostic::codes::E0308.code;
/// E0309: a property has more arguments than it takes.
pub const EXTRA_ARGUMENT: &str = crate::diagnostic::codes::E0309.code;

/// A cursor over the arguments of one property.
pub struct Args<'a, 'd> {
    property: &'a Property,
    arguments: &'a [Argument],
    position: usize,
    pub diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'a, 'd> Args<'a, 'd> {
    pub fn new(property: &'a Property, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Self {
            property,
            arguments: &property.arguments,
            position: 0,
            diagnostics,
        }
    }

    /// The keyword of the property, for messages.
    pub fn keyword(&self) -> &'a str {
        &self.property.keyword.text
    }

    pub fn property_span(&self) -> Span {
        self.property.span
    }

    pub fn peek(&self) -> Option<&'a Argument> {
        self.arguments.get(self.position)
    }

    fn next(&mut self) -> Option<&'a Argument> {
        let argument = self.arguments.get(self.position)?;
        self.position += 1;
        Some(argument)
    }

    /// Reports that `expected` is missing (at the end of the property) and returns `None`.
    pub fn missing<T>(&mut self, expected: &str) -> Option<T> {
        let span = self.property.span;
        let end = Span {
            start: span.end,
            ..span
        };
        self.diagnostics.push(
            Diagnostic::error(
                MISSING_ARGUMENT,
                format!("`{}` needs {expected}", self.keyword()),
            )
            .at(end, format!("expected {expected} here"))
            .help(format!("write {expected} after `{}`", self.keyword())),
        );
        None
    }

    /// Reports that `argument` is not `expected` and returns `None`.
    pub fn wrong<T>(&mut self, argument: &Argument, expected: &str) -> Option<T> {
        if argument.value == Value::Invalid {
            return None;
        }
        self.diagnostics.push(
            Diagnostic::error(
                WRONG_ARGUMENT,
                format!(
                    "`{}` expects {expected}, found {}",
                    self.keyword(),
                    argument.value.describe()
                ),
            )
            .at(argument.span, format!("expected {expected}"))
            .help(format!("write {expected}")),
        );
        None
    }

    /// Reports a value outside its range.
    pub fn out_of_range<T>(&mut self, span: Span, message: String, help: &str) -> Option<T> {
        self.diagnostics.push(
            Diagnostic::error(OUT_OF_RANGE, message)
                .at(span, "out of range")
                .help(help.to_owned()),
        );
        None
    }

    /// Checks that no argument is left.
    pub fn finish(mut self) {
        if let Some(argument) = self.next() {
            let span = self
                .arguments
                .last()
                .map_or(argument.span, |last| argument.span.to(last.span));
            let keyword = self.keyword().to_owned();
            let hint = match &argument.value {
                Value::Word(word) => crate::syntax::keyword::closest(
                    word,
                    crate::syntax::keyword::PROPERTY_KEYWORDS.iter().copied(),
                )
                .map(|suggestion| format!("; did you mean the property `{suggestion}`?"))
                .unwrap_or_default(),
                _ => String::new(),
            };
            self.diagnostics.push(
                Diagnostic::error(
                    EXTRA_ARGUMENT,
                    format!("unexpected {} after `{keyword}`", argument.value.describe()),
                )
                .at(span, "not part of this property")
                .help(format!("remove it, or start a new property{hint}")),
            );
        }
    }

    /// Reports a quantity whose unit is misspelt or written after a space.
    fn misspelt(&mut self, argument: &Argument) {
        self.diagnostics.extend(misspelt_unit(argument));
    }

    /// A quantity of the given dimension, converted to the dimension's base
    /// unit (dB, Hz, bits, %).
    pub fn quantity(&mut self, dimension: Dimension) -> Option<Spanned<f64>> {
        let Some(argument) = self.next() else {
            return self.missing(dimension.describe());
        };
        let (value, unit) = match &argument.value {
            Value::Quantity { value, unit, .. } if unit.dimension() == dimension => (value, unit),
            Value::Misspelt { value, unit, .. } if unit.dimension() == dimension => {
                self.misspelt(argument);
                (value, unit)
            }
            Value::Number { value, raw } => {
                let suggestion = with_unit(*value, raw, dimension);
                self.diagnostics.push(
                    Diagnostic::error(
                        WRONG_ARGUMENT,
                        format!(
                            "`{}` expects {}, found the number `{raw}` without a unit",
                            self.keyword(),
                            dimension.describe()
                        ),
                    )
                    .at(argument.span, "no unit")
                    .help(format!("write `{suggestion}`; numbers here carry a unit")),
                );
                return None;
            }
            _ => return self.wrong(argument, dimension.describe()),
        };
        let value = match unit {
            Unit::KHz => value * 1000.0,
            _ => *value,
        };
        Some(Spanned {
            value,
            span: argument.span,
        })
    }

    /// A duration in seconds, milliseconds, minutes or frames.
    pub fn duration(&mut self) -> Option<Spanned<Duration>> {
        let Some(argument) = self.next() else {
            return self.missing(Dimension::Duration.describe());
        };
        let quantity = match &argument.value {
            Value::Quantity { value, unit, .. } => Some((value, unit)),
            Value::Misspelt { value, unit, .. } if unit.dimension() == Dimension::Duration => {
                self.misspelt(argument);
                Some((value, unit))
            }
            Value::Number { value, raw } => {
                let suggestion = with_unit(*value, raw, Dimension::Duration);
                self.diagnostics.push(
                    Diagnostic::error(
                        WRONG_ARGUMENT,
                        format!(
                            "`{}` expects {}, found the number `{raw}` without a unit",
                            self.keyword(),
                            Dimension::Duration.describe()
                        ),
                    )
                    .at(argument.span, "no unit")
                    .help(format!(
                        "write `{suggestion}` (or `{raw}ms`, `{raw}f`); numbers here carry a unit"
                    )),
                );
                return None;
            }
            _ => None,
        };
        let duration = match quantity {
            Some((value, unit)) => match unit {
                Unit::S => Duration::Seconds(*value),
                Unit::Ms => Duration::Seconds(value / 1000.0),
                Unit::Min => Duration::Seconds(value * 60.0),
                Unit::Frames => Duration::Frames(*value),
                _ => return self.wrong(argument, Dimension::Duration.describe()),
            },
            _ => return self.wrong(argument, Dimension::Duration.describe()),
        };
        let negative = match duration {
            Duration::Seconds(value) | Duration::Frames(value) => value < 0.0,
        };
        if negative {
            return self.out_of_range(
                argument.span,
                "a duration cannot be negative".to_owned(),
                "write a duration of zero or more",
            );
        }
        Some(Spanned {
            value: duration,
            span: argument.span,
        })
    }

    /// A plain number.
    pub fn number(&mut self, expected: &str) -> Option<Spanned<f64>> {
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::Number { value, .. } => Some(Spanned {
                value: *value,
                span: argument.span,
            }),
            _ => self.wrong(argument, expected),
        }
    }

    /// A quoted string.
    pub fn text(&mut self, expected: &str) -> Option<Spanned<String>> {
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::Text(text) => Some(Spanned {
                value: text.clone(),
                span: argument.span,
            }),
            _ => self.wrong(argument, expected),
        }
    }

    /// A bare word (a name or a choice).
    pub fn word(&mut self, expected: &str) -> Option<Named> {
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::Word(word) => Some(Named {
                name: word.clone(),
                span: argument.span,
            }),
            Value::Misspelt { raw, .. } if is_name_shaped(raw) => Some(Named {
                name: raw.clone(),
                span: argument.span,
            }),
            _ => self.wrong(argument, expected),
        }
    }

    /// One of `choices`, with a suggestion when misspelt.
    pub fn choice(&mut self, choices: &[&str]) -> Option<Named> {
        self.choice_explained(choices, None)
    }

    /// One of `choices`; when the word is none of them and close to none,
    /// the help is `explained` (what each choice means) if given.
    pub fn choice_explained(&mut self, choices: &[&str], explained: Option<&str>) -> Option<Named> {
        let expected = describe_choices(choices);
        let word = self.word(&expected)?;
        if choices.contains(&word.name.as_str()) {
            return Some(word);
        }
        let help = match crate::syntax::keyword::closest(&word.name, choices.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => explained.map_or_else(|| format!("write {expected}"), str::to_owned),
        };
        self.diagnostics.push(
            Diagnostic::error(
                WRONG_ARGUMENT,
                format!(
                    "`{}` expects {expected}, found `{}`",
                    self.keyword(),
                    word.name
                ),
            )
            .at(word.span, "unknown value")
            .help(help),
        );
        None
    }

    /// Consumes the word `word` if it comes next.
    pub fn eat(&mut self, word: &str) -> Option<Span> {
        match self.peek() {
            Some(Argument {
                value: Value::Word(next),
                span,
            }) if next == word => {
                self.position += 1;
                Some(*span)
            }
            _ => None,
        }
    }

    /// Requires the word `word` next.
    pub fn expect(&mut self, word: &str) -> Option<Span> {
        if let Some(span) = self.eat(word) {
            return Some(span);
        }
        let expected = format!("`{word}`");
        match self.next() {
            Some(argument) => self.wrong(argument, &expected),
            None => self.missing(&expected),
        }
    }

    /// A timecode (validated against the frame rate by the caller).
    pub fn timecode(&mut self) -> Option<Spanned<Timecode>> {
        let expected = "a timecode such as `01:00:00:00`";
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::Timecode(timecode) => Some(Spanned {
                value: *timecode,
                span: argument.span,
            }),
            _ => self.wrong(argument, expected),
        }
    }

    /// A calendar date that exists.
    pub fn date(&mut self) -> Option<Spanned<Date>> {
        let expected = "a date such as `2027-03-14`";
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::Date(date) if date.is_valid() => Some(Spanned {
                value: *date,
                span: argument.span,
            }),
            Value::Date(date) => {
                self.diagnostics.push(
                    Diagnostic::error(BAD_DATE, format!("{date} is not a date"))
                        .at(argument.span, "no such day")
                        .help("write a date that exists, as YYYY-MM-DD"),
                );
                None
            }
            _ => self.wrong(argument, expected),
        }
    }

    /// A layout: a literal such as `5.1` or `7.1.4`, or a layout's name.
    pub fn layout(&mut self) -> Option<Named> {
        let expected = "a layout such as `5.1`";
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        layout_name(argument).or_else(|| self.wrong(argument, expected))
    }

    /// A hexadecimal number.
    pub fn hex(&mut self, expected: &str) -> Option<Spanned<u64>> {
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::Hex(value) => Some(Spanned {
                value: *value,
                span: argument.span,
            }),
            _ => self.wrong(argument, expected),
        }
    }

    /// A list (the caller reads its items).
    pub fn list(&mut self, expected: &str) -> Option<&'a Argument> {
        let Some(argument) = self.next() else {
            return self.missing(expected);
        };
        match &argument.value {
            Value::List(_) => Some(argument),
            _ => self.wrong(argument, expected),
        }
    }

    /// Every remaining argument, each a word or a list of words.
    pub fn words(&mut self, expected: &str) -> Vec<Named> {
        let mut words = Vec::new();
        let mut reported = false;
        while let Some(argument) = self.next() {
            match &argument.value {
                Value::Word(word) => words.push(Named {
                    name: word.clone(),
                    span: argument.span,
                }),
                Value::List(items) => {
                    for item in items {
                        for value in &item.values {
                            match &value.value {
                                Value::Word(word) => words.push(Named {
                                    name: word.clone(),
                                    span: value.span,
                                }),
                                _ => {
                                    reported = true;
                                    let _: Option<()> = self.wrong(value, expected);
                                }
                            }
                        }
                    }
                }
                _ => {
                    reported = true;
                    let _: Option<()> = self.wrong(argument, expected);
                }
            }
        }
        if words.is_empty() && !reported {
            let _: Option<()> = self.missing(expected);
        }
        words
    }
}

/// The diagnostic for a quantity whose unit is misspelt or written after a
/// space, with the spelling the language reads.
pub fn misspelt_unit(argument: &Argument) -> Option<Diagnostic> {
    let Value::Misspelt {
        unit, raw, number, ..
    } = &argument.value
    else {
        return None;
    };
    let corrected = format!("{number}{unit}");
    let after = &raw[number.len()..];
    let written = after.trim_start();
    let spaced = written.len() < after.len();
    let (message, label) = if spaced && written == unit.as_str() {
        (
            format!("a unit is written right after its number: `{corrected}`"),
            "no space before the unit".to_owned(),
        )
    } else {
        (
            format!("the unit `{written}` is written `{unit}`"),
            format!("did you mean `{corrected}`?"),
        )
    };
    let help = if written.eq_ignore_ascii_case(unit.as_str()) && written != unit.as_str() {
        format!("write `{corrected}`; units are case-sensitive")
    } else {
        format!("write `{corrected}`")
    };
    Some(
        Diagnostic::error(WRONG_ARGUMENT, message)
            .at(argument.span, label)
            .help(help),
    )
}

/// Whether a misspelt quantity such as `1F` could be a name as written.
fn is_name_shaped(raw: &str) -> bool {
    raw.chars()
        .all(|character| character.is_ascii_alphanumeric() || character == '_')
}

/// A plain number with the unit its dimension is usually written in:
/// `48000` as a frequency is `48kHz`, `-3` as a gain `-3dB`.
pub fn with_unit(value: f64, raw: &str, dimension: Dimension) -> String {
    match dimension {
        Dimension::Frequency if value >= 1000.0 => format!("{}kHz", value / 1000.0),
        Dimension::Frequency => format!("{raw}Hz"),
        Dimension::Gain => format!("{raw}dB"),
        Dimension::Level => format!("{raw}dBFS"),
        Dimension::TruePeak => format!("{raw}dBTP"),
        Dimension::Loudness => format!("{raw}LUFS"),
        Dimension::LoudnessDifference => format!("{raw}LU"),
        Dimension::BitDepth => format!("{raw}bit"),
        Dimension::Duration => format!("{raw}s"),
        Dimension::Share => format!("{raw}%"),
        Dimension::Angle => format!("{raw}deg"),
    }
}

/// Reads an argument as a layout name, if it can be one.
pub fn layout_name(argument: &Argument) -> Option<Named> {
    let name = match &argument.value {
        Value::Number { raw, .. } if raw.contains('.') && !raw.starts_with(['-', '+']) => {
            raw.clone()
        }
        Value::Dotted(raw) | Value::Word(raw) => raw.clone(),
        _ => return None,
    };
    Some(Named {
        name,
        span: argument.span,
    })
}

/// "`a`, `b` or `c`"
pub fn describe_choices(choices: &[&str]) -> String {
    let quoted: Vec<String> = choices.iter().map(|choice| format!("`{choice}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
