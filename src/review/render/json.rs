//! `sndtrk diff --format json`: one document,
//! `{"base", "head", "deliverables", "cues", "rights", "diagnostics": {"new", "fixed"}}`,
//! diagnostics in `sndtrk check --format json`'s shape.

use serde::Serialize;

use crate::{
    emit::json::JsonDiagnostic,
    review::{cues::CueChange, deliverables::DeliverableChange, rights::RightsChange, Review},
};

#[derive(Serialize)]
struct Document<'a> {
    base: &'a str,
    base_commit: Option<&'a str>,
    head: &'a str,
    head_commit: Option<&'a str>,
    deliverables: &'a [DeliverableChange],
    cues: &'a [CueChange],
    rights: &'a [RightsChange],
    diagnostics: Diagnostics<'a>,
}

#[derive(Serialize)]
struct Diagnostics<'a> {
    new: Vec<JsonDiagnostic<'a>>,
    fixed: Vec<JsonDiagnostic<'a>>,
}

/// The comparison as pretty-printed JSON.
pub fn render(review: &Review) -> String {
    let located = |(sources, diagnostic)| JsonDiagnostic::of(sources, diagnostic);
    let document = Document {
        base: review.base_name(),
        base_commit: review.base.checkout.commit.as_deref(),
        head: review.head_name(),
        head_commit: review.head.checkout.commit.as_deref(),
        deliverables: &review.deliverables,
        cues: &review.cues,
        rights: &review.rights,
        diagnostics: Diagnostics {
            new: review.new_diagnostics().into_iter().map(located).collect(),
            fixed: review
                .fixed_diagnostics()
                .into_iter()
                .map(located)
                .collect(),
        },
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
