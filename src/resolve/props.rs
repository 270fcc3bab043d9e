//! The properties of one declaration, taken one keyword at a time, so that
//! unknown, repeated and missing properties are each reported once.

use crate::{
    diagnostic::Diagnostic,
    resolve::args::{describe_choices, Args},
    syntax::ast::{Declaration, Property},
    syntax::span::Span,
};

/// E0301: a property that this kind of declaration does not take.
pub const NOT_ALLOWED: &str = crate::diagnostic::codes::E0301.code;
/// E0302: a property given twice.
pub const REPEATED: &str = crate::diagnostic::codes::E0302.code;
/// E0303: a required property is missing.
pub const REQUIRED: &str = crate::diagnostic::codes::E0303.code;

/// The properties of a declaration, with the set this kind allows.
pub struct Props<'a> {
    declaration: &'a Declaration,
    allowed: &'static [&'static str],
}

impl<'a> Props<'a> {
    pub fn new(declaration: &'a Declaration, allowed: &'static [&'static str]) -> Self {
        Self {
            declaration,
            allowed,
        }
    }

    fn all(&self, keyword: &str) -> impl Iterator<Item = &'a Property> + '_ {
        let keyword = keyword.to_owned();
        self.declaration
            .body
            .properties()
            .iter()
            .filter(move |property| property.keyword.text == keyword)
    }

    /// The one property `keyword`, reporting a repetition.
    pub fn one(
        &mut self,
        keyword: &'static str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<&'a Property> {
        let mut found = self.all(keyword);
        let first = found.next()?;
        for repeated in found {
            diagnostics.push(
                Diagnostic::error(REPEATED, format!("`{keyword}` is given twice"))
                    .at(repeated.keyword.span, "given again here")
                    .related(first.keyword.span, "first given here")
                    .help(format!("keep one `{keyword}`")),
            );
        }
        Some(first)
    }

    /// Every property `keyword`, in the order written (a repeatable one
    /// whose arguments the caller reads itself, such as `at`).
    pub fn every(&mut self, keyword: &'static str) -> Vec<&'a Property> {
        self.all(keyword).collect()
    }

    /// Reads the one property `keyword` with `read`, if present.
    pub fn read<T>(
        &mut self,
        keyword: &'static str,
        diagnostics: &mut Vec<Diagnostic>,
        read: impl FnOnce(&mut Args<'a, '_>) -> Option<T>,
    ) -> Option<T> {
        let property = self.one(keyword, diagnostics)?;
        let mut args = Args::new(property, diagnostics);
        let value = read(&mut args);
        if value.is_some() {
            args.finish();
        }
        value
    }

    /// Reads every property `keyword` (a repeatable one, such as `writer`).
    pub fn read_all<T>(
        &mut self,
        keyword: &'static str,
        diagnostics: &mut Vec<Diagnostic>,
        mut read: impl FnMut(&mut Args<'a, '_>) -> Option<T>,
    ) -> Vec<T> {
        let properties: Vec<&'a Property> = self.all(keyword).collect();
        let mut values = Vec::new();
        for property in properties {
            let mut args = Args::new(property, diagnostics);
            if let Some(value) = read(&mut args) {
                args.finish();
                values.push(value);
            }
        }
        values
    }

    /// Whether any property `keyword` is present (without taking it), or a
    /// misspelling of it (already reported as an unknown property, so that
    /// it is not reported missing as well).
    pub fn has(&self, keyword: &str) -> bool {
        self.all(keyword).next().is_some()
            || self.declaration.body.properties().iter().any(|property| {
                let written = property.keyword.text.as_str();
                !crate::syntax::keyword::PROPERTY_KEYWORDS.contains(&written)
                    && suggestion(written, self.allowed) == Some(keyword)
            })
    }

    /// Reports a missing required property.
    pub fn require<T>(
        &self,
        value: Option<T>,
        keyword: &str,
        example: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<T> {
        if value.is_none() && !self.has(keyword) {
            let declaration = self.declaration;
            let what = declaration.name.as_ref().map_or_else(
                || format!("this {}", declaration.kind),
                |name| format!("{} `{}`", declaration.kind, name.text),
            );
            diagnostics.push(
                Diagnostic::error(REQUIRED, format!("{what} has no `{keyword}`"))
                    .at(
                        declaration
                            .name
                            .as_ref()
                            .map_or(declaration.keyword, |name| name.span),
                        format!("`{keyword}` missing"),
                    )
                    .help(format!("add `{example}`")),
            );
        }
        value
    }

    /// Reports every property this kind of declaration does not take.
    pub fn finish(self, diagnostics: &mut Vec<Diagnostic>) {
        let kind = self.declaration.kind;
        for property in self.declaration.body.properties() {
            let keyword = property.keyword.text.as_str();
            if self.allowed.contains(&keyword) {
                continue;
            }
            let help = match suggestion(keyword, self.allowed) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("{} takes {}", article(kind), describe_choices(self.allowed)),
            };
            if !crate::syntax::keyword::PROPERTY_KEYWORDS.contains(&keyword) {
                diagnostics.push(
                    Diagnostic::error(
                        crate::syntax::error::UNKNOWN_PROPERTY,
                        format!("unknown property `{keyword}` in {}", article(kind)),
                    )
                    .at(property.keyword.span, "not a property keyword")
                    .help(help),
                );
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    NOT_ALLOWED,
                    format!("{} has no property `{keyword}`", article(kind)),
                )
                .at(
                    property.keyword.span,
                    format!("not a property of {}", article(kind)),
                )
                .help(help),
            );
        }
    }
}

/// The property of `allowed` that `word` most likely misspells.
fn suggestion(word: &str, allowed: &[&'static str]) -> Option<&'static str> {
    misspelt_property(word, allowed)
        .or_else(|| crate::syntax::keyword::closest(word, allowed.iter().copied()))
}

/// Words that follow a property keyword as its values or sub-keywords, and
/// so are never a misspelt property however close they are to one.
const VALUE_WORDS: &[&str] = &[
    "in",
    "out",
    "linear",
    "equal_power",
    "head",
    "tail",
    "to",
    "for",
    "society",
    "share",
    "tolerance",
    "gate",
    "downmix",
    "perpetuity",
    "float",
    "wav",
    "world",
    "all",
    "bext",
    "score",
    "song",
    "diegetic",
    "non-diegetic",
    "sync",
    "master",
    "album",
    "soundtrack",
    "quoted",
    "pending",
    "executed",
    "mix",
    "me",
    "on",
    "off",
    "pink",
    "white",
    "brown",
    "programme",
    "dialogue",
];

/// The property of `allowed` that `word` is a plain misspelling of: the
/// same word in another case, or one or two letters off (one for short
/// keywords), and not a word that is itself a value.
pub fn misspelt_property(word: &str, allowed: &[&'static str]) -> Option<&'static str> {
    if !word.starts_with(|character: char| character.is_ascii_lowercase())
        || word.contains('.')
        || VALUE_WORDS.contains(&word)
        || crate::resolve::stem::ROLES.contains(&word)
        || crate::resolve::coverage::MEDIA.contains(&word)
    {
        return None;
    }
    allowed
        .iter()
        .copied()
        .filter(|keyword| keyword.len() >= 4 && *keyword != word)
        .map(|keyword| {
            let distance = if word.eq_ignore_ascii_case(keyword) {
                0
            } else {
                strsim::damerau_levenshtein(word, keyword)
            };
            (distance, keyword)
        })
        .filter(|(distance, keyword)| *distance <= if keyword.len() >= 7 { 2 } else { 1 })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, keyword)| keyword)
}

/// The declaration with each misspelt property keyword that the property
/// before it swallowed as an argument (`media streaming territroy world`)
/// split off as a property of its own, so that it is reported as an
/// unknown property and its arguments are not read as the previous
/// property's. `None` when nothing is split. Words in `names` (everything
/// declared) are values, never misspellings.
pub fn split_misspelt(
    declaration: &Declaration,
    allowed: &'static [&'static str],
    names: &std::collections::HashSet<String>,
) -> Option<Declaration> {
    let crate::syntax::ast::Body::Block { properties, span } = &declaration.body else {
        return None;
    };
    let mut split = Vec::with_capacity(properties.len());
    let mut changed = false;
    for property in properties {
        let mut current = property.clone();
        current.arguments.clear();
        for (index, argument) in property.arguments.iter().enumerate() {
            let misspelt = match &argument.value {
                crate::syntax::ast::Value::Word(word) if index > 0 && !names.contains(word) => {
                    misspelt_property(word, allowed).is_some()
                }
                _ => false,
            };
            if misspelt {
                if let crate::syntax::ast::Value::Word(word) = &argument.value {
                    let end = current.span.end;
                    current.span.end = current
                        .arguments
                        .last()
                        .map_or(current.keyword.span.end, |last| last.span.end);
                    split.push(std::mem::replace(
                        &mut current,
                        Property {
                            keyword: crate::syntax::ast::Name {
                                text: word.clone(),
                                span: argument.span,
                            },
                            arguments: Vec::new(),
                            span: argument.span.to(Span {
                                start: end,
                                ..argument.span
                            }),
                        },
                    ));
                    changed = true;
                }
            } else {
                current.arguments.push(argument.clone());
            }
        }
        split.push(current);
    }
    changed.then(|| Declaration {
        body: crate::syntax::ast::Body::Block {
            properties: split,
            span: *span,
        },
        ..declaration.clone()
    })
}

/// `a stem`, `an album`.
fn article(kind: crate::syntax::ast::DeclarationKind) -> String {
    let word = kind.keyword();
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}
