//! Diagnostics: a stable code, a severity, a message, a labelled span and a
//! help line that says what to do.
//!
//! The front end and the lint rules produce [`Diagnostic`]s that point into
//! [`Sources`]; [`Diagnostic::report`] attaches the whole source text so
//! miette can render it, and [`Diagnostic::location`] gives the 1-based
//! line and column for machine-readable output.

pub mod codes;

use std::{fmt, sync::Arc};

use miette::{LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

use crate::{syntax::source::Sources, syntax::span::Span};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How many lines apart a related label may be to be drawn with the primary.
const NEAR_LINES: usize = 3;

/// One problem found in a recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// A stable code such as `E0101`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is, with the label shown under it.
    pub span: Option<Span>,
    pub label: Option<String>,
    /// Further places, each with a label (shown when in the same file).
    pub related: Vec<(Span, String)>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Points the diagnostic at `span` with a label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The file name and 1-based start and end line and column.
    pub fn location(&self, sources: &Sources) -> Option<Location> {
        let span = self.span?;
        let file = sources.get(span.source);
        let (line, column) = file.line_column(span.start as usize);
        let (end_line, end_column) = file.line_column(span.end as usize);
        Some(Location {
            file: file.name.clone(),
            line,
            column,
            end_line,
            end_column,
        })
    }

    /// The diagnostic with its source attached, ready for miette to render.
    ///
    /// Related places more than a few lines from the primary span (or in
    /// another file) are named in a note under the help instead of being
    /// drawn, so a snippet never spans half a file.
    pub fn report(&self, sources: &Sources) -> Report {
        let source = self.span.map(|span| {
            let file = sources.get(span.source);
            Arc::new(NamedSource::new(file.name.clone(), file.text.to_string()))
        });
        let mut diagnostic = self.clone();
        if let Some(primary) = self.span {
            let line = |span: Span| sources.get(span.source).line_column(span.start as usize).0;
            let (near, far): (Vec<_>, Vec<_>) =
                diagnostic.related.drain(..).partition(|(span, _)| {
                    span.source == primary.source
                        && line(*span).abs_diff(line(primary)) <= NEAR_LINES
                });
            diagnostic.related = near;
            for (span, label) in far {
                let file = sources.get(span.source);
                let (line, column) = file.line_column(span.start as usize);
                let note = format!("{label}: {}:{line}:{column}", file.name);
                diagnostic.help = Some(match diagnostic.help.take() {
                    Some(help) => format!("{help}\n{note}"),
                    None => note,
                });
            }
        }
        Report { diagnostic, source }
    }

    /// Ordering for output: by file, position, then code.
    pub fn sort_key(&self) -> (Option<(u32, u32)>, &'static str) {
        (self.span.map(|span| (span.source.0, span.start)), self.code)
    }
}

/// Where a diagnostic points, in 1-based lines and columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A [`Diagnostic`] with the text of its file, implementing
/// [`miette::Diagnostic`].
#[derive(Debug)]
pub struct Report {
    diagnostic: Diagnostic,
    source: Option<Arc<NamedSource<String>>>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
            .as_deref()
            .map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.diagnostic.span?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            self.diagnostic.label.clone(),
            primary,
        )];
        labels.extend(
            self.diagnostic
                .related
                .iter()
                .filter(|(span, _)| span.source == primary.source)
                .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span)),
        );
        Some(Box::new(labels.into_iter()))
    }
}
