//! The properties of one declaration, taken one keyword at a time, so that
//! unknown, repeated and missing properties are each reported once.

use crate::{
    diagnostic::Diagnostic,
    resolve::args::{describe_choices, Args},
    syntax::ast::{Declaration, Property},
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

    /// Whether any property `keyword` is present (without taking it).
    pub fn has(&self, keyword: &str) -> bool {
        self.all(keyword).next().is_some()
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
            let help = match crate::syntax::keyword::closest(keyword, self.allowed.iter().copied())
            {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("a {kind} takes {}", describe_choices(self.allowed)),
            };
            diagnostics.push(
                Diagnostic::error(NOT_ALLOWED, format!("a {kind} has no property `{keyword}`"))
                    .at(property.keyword.span, format!("not a property of a {kind}"))
                    .help(help),
            );
        }
    }
}
