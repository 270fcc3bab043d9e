//! The typed syntax tree of a recipe file, with a span on every node.
//!
//! The tree is close to the text: a declaration holds its keyword, name,
//! title and body of properties; a property holds its keyword and argument
//! values. What a property means is decided in `resolve`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{syntax::span::Span, syntax::unit::Unit};

/// One parsed recipe file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct File {
    pub declarations: Vec<Declaration>,
    /// The names of declarations that did not parse (`dx` of a broken
    /// `stem dx { … }`): references to them are not reported unknown, since
    /// the syntax error is the one to fix.
    pub unparsed: Vec<String>,
}

/// The keyword that starts a top-level declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DeclarationKind {
    Project,
    Import,
    Stem,
    Object,
    Immersive,
    Cue,
    License,
    Bus,
    Target,
    Reel,
    Album,
    Spec,
    Layout,
    Downmix,
    Lint,
}

impl DeclarationKind {
    pub const ALL: [DeclarationKind; 15] = [
        DeclarationKind::Project,
        DeclarationKind::Import,
        DeclarationKind::Stem,
        DeclarationKind::Object,
        DeclarationKind::Immersive,
        DeclarationKind::Cue,
        DeclarationKind::License,
        DeclarationKind::Bus,
        DeclarationKind::Target,
        DeclarationKind::Reel,
        DeclarationKind::Album,
        DeclarationKind::Spec,
        DeclarationKind::Layout,
        DeclarationKind::Downmix,
        DeclarationKind::Lint,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            DeclarationKind::Project => "project",
            DeclarationKind::Import => "import",
            DeclarationKind::Stem => "stem",
            DeclarationKind::Object => "object",
            DeclarationKind::Immersive => "immersive",
            DeclarationKind::Cue => "cue",
            DeclarationKind::License => "license",
            DeclarationKind::Bus => "bus",
            DeclarationKind::Target => "target",
            DeclarationKind::Reel => "reel",
            DeclarationKind::Album => "album",
            DeclarationKind::Spec => "spec",
            DeclarationKind::Layout => "layout",
            DeclarationKind::Downmix => "downmix",
            DeclarationKind::Lint => "lint",
        }
    }

    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.keyword() == word)
    }
}

impl fmt::Display for DeclarationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A top-level declaration such as `stem dx { … }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    pub kind: DeclarationKind,
    /// The span of the keyword.
    pub keyword: Span,
    /// The declared name (absent for `project`, `import` and `lint`).
    pub name: Option<Name>,
    /// The quoted title of a project, cue or album, or the path of an import.
    pub title: Option<Text>,
    /// The layout of a bus.
    pub layout: Option<Name>,
    pub body: Body,
    /// The whole declaration, keyword to closing brace.
    pub span: Span,
}

/// The braces of a declaration and what they hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// An import has none.
    None,
    /// `{ property* }`
    Block {
        properties: Vec<Property>,
        span: Span,
    },
    /// `{ member* }` of a bus.
    Members { members: Vec<Member>, span: Span },
}

impl Body {
    pub fn properties(&self) -> &[Property] {
        match self {
            Body::Block { properties, .. } => properties,
            _ => &[],
        }
    }
}

/// A property: a keyword and its arguments, `gain -1.5dB`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub keyword: Name,
    pub arguments: Vec<Argument>,
    pub span: Span,
}

/// A bus member: a name, an optional gain and an optional downmix,
/// `MX -3dB downmix loro`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: Name,
    pub gain: Option<Argument>,
    /// `downmix NAME`: the span of the word `downmix`, and the name.
    pub downmix: Option<(Span, Name)>,
    pub span: Span,
}

/// A name or keyword as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A quoted string, with its escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

/// One argument value with its span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Argument {
    pub value: Value,
    pub span: Span,
}

/// The value of an argument, as the lexer classified it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// A bare word: a name or a value such as `dialogue`, `netflix.stereo`.
    Word(String),
    /// A quoted string.
    Text(String),
    /// A plain number; `raw` keeps the text (`5.1` may be a layout).
    Number { value: f64, raw: String },
    /// A number with a unit.
    Quantity { value: f64, unit: Unit, raw: String },
    /// A number with a unit spelt wrong (`-1db`, `2sec`) or written after
    /// a space (`48 kHz`): `unit` is the unit meant, `number` the digits as
    /// written. The resolver reports it with the right spelling.
    Misspelt {
        value: f64,
        unit: Unit,
        raw: String,
        number: String,
    },
    /// `HH:MM:SS:FF` or, drop-frame, `HH:MM:SS;FF`.
    Timecode(Timecode),
    /// `YYYY-MM-DD`
    Date(Date),
    /// A three-part layout literal such as `7.1.4`.
    Dotted(String),
    /// A hexadecimal integer such as `0x60F`.
    Hex(u64),
    /// `[a, b]`
    List(Vec<Item>),
    /// A literal that was already reported as malformed (a number too
    /// large); readers skip it silently rather than report it again.
    Invalid,
}

impl Value {
    /// The argument as the language spells it, when it is a misspelt
    /// quantity: `-1dB` for `-1db`, `48kHz` for `48 kHz`.
    pub fn corrected(&self) -> Option<String> {
        match self {
            Value::Misspelt { unit, number, .. } => Some(format!("{number}{unit}")),
            _ => None,
        }
    }

    /// A description of what kind of value this is, for diagnostics.
    pub fn describe(&self) -> String {
        match self {
            Value::Word(word) => format!("the word `{word}`"),
            Value::Text(_) => "a string".to_owned(),
            Value::Number { raw, .. } => format!("the number `{raw}`"),
            Value::Quantity { raw, .. } | Value::Misspelt { raw, .. } => format!("`{raw}`"),
            Value::Timecode(timecode) => format!("the timecode `{timecode}`"),
            Value::Date(date) => format!("the date `{date}`"),
            Value::Dotted(raw) => format!("the layout `{raw}`"),
            Value::Hex(value) => format!("the number `{value:#X}`"),
            Value::List(_) => "a list".to_owned(),
            Value::Invalid => "an invalid value".to_owned(),
        }
    }
}

/// One item of a list: one or more plain values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub values: Vec<Argument>,
    pub span: Span,
}

/// A SMPTE timecode as written; validated against the frame rate later.
pub use crate::model::time::Timecode;

/// A calendar date as written; validated later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Whether the day exists in the proleptic Gregorian calendar.
    pub fn is_valid(self) -> bool {
        let leap = (self.year.is_multiple_of(4) && !self.year.is_multiple_of(100))
            || self.year.is_multiple_of(400);
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
