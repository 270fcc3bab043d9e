//! `check`'s diagnostics as the protocol's: the code, the severity, the
//! range, the message, the label and the help as related information, and
//! for a lint rule a link to its doc as the `codeDescription`.

use std::collections::BTreeMap;

use lsp_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, Position, Range, Url,
};

use crate::{
    diagnostic::{Diagnostic, Severity},
    lint,
    lsp::analysis::Analysis,
    syntax::span::SourceId,
};

/// Where the repository's files are read; each lint rule's file holds its doc.
const REPOSITORY_FILES: &str = "https://github.com/sndtrk/sndtrk/blob/main/";

/// The diagnostics of every file of the project that is not part of the
/// standard library, by URI; a file without any is listed with none.
pub fn by_file(analysis: &Analysis) -> BTreeMap<Url, Vec<LspDiagnostic>> {
    let mut files: BTreeMap<Url, Vec<LspDiagnostic>> = BTreeMap::new();
    for (index, uri) in analysis.uris.iter().enumerate() {
        let source = SourceId(u32::try_from(index).unwrap_or(u32::MAX));
        if let Some(uri) = uri {
            if !analysis.is_stdlib(source) {
                files.entry(uri.clone()).or_default();
            }
        }
    }
    for diagnostic in &analysis.diagnostics {
        // One without a place is shown at the top of the recipe.
        let source = diagnostic.span.map_or(SourceId(0), |span| span.source);
        let Some(uri) = analysis.uri(source) else {
            continue;
        };
        if let Some(list) = files.get_mut(uri) {
            list.push(convert(analysis, diagnostic));
        }
    }
    files
}

/// One diagnostic in the protocol's terms.
pub fn convert(analysis: &Analysis, diagnostic: &Diagnostic) -> LspDiagnostic {
    let primary = diagnostic.span.and_then(|span| analysis.location(span));
    let range = primary.as_ref().map_or_else(
        || Range::new(Position::new(0, 0), Position::new(0, 0)),
        |at| at.range,
    );
    let mut related = Vec::new();
    if let (Some(at), Some(label)) = (&primary, &diagnostic.label) {
        related.push(information(at.clone(), label.clone()));
    }
    for (span, label) in &diagnostic.related {
        if let Some(at) = analysis.location(*span) {
            related.push(information(at, label.clone()));
        }
    }
    if let (Some(at), Some(help)) = (&primary, &diagnostic.help) {
        related.push(information(at.clone(), format!("help: {help}")));
    }
    LspDiagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_owned())),
        code_description: doc_link(diagnostic.code).map(|href| CodeDescription { href }),
        source: Some("sndtrk".to_owned()),
        message: match (&primary, &diagnostic.help) {
            (None, Some(help)) => format!("{}\nhelp: {help}", diagnostic.message),
            _ => diagnostic.message.clone(),
        },
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn information(location: Location, message: String) -> DiagnosticRelatedInformation {
    DiagnosticRelatedInformation { location, message }
}

/// The link to a lint rule's doc: the file that declares it.
pub fn doc_link(code: &str) -> Option<Url> {
    let rule = lint::rule(code)?;
    Url::parse(REPOSITORY_FILES).ok()?.join(rule.file).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_links_to_the_file_holding_its_doc() {
        for rule in lint::RULES {
            let link = doc_link(rule.code).expect("a link");
            let file = link.path().trim_start_matches("/sndtrk/sndtrk/blob/main/");
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            assert!(
                path.is_file(),
                "{} links to missing {}",
                rule.code,
                path.display()
            );
        }
        assert!(doc_link("E0204").is_none());
    }
}
