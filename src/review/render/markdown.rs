//! `sndtrk diff --format markdown`: a pull-request comment: a table of the
//! deliverables that change and why, the cue-sheet changes, and the
//! diagnostics brought and fixed.

use std::fmt::Write;

use crate::{
    emit::json::JsonDiagnostic,
    review::{cues, deliverables::Change, Review},
};

/// Text for a table cell: pipes and line breaks escaped, HTML inert.
fn cell(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '|' => escaped.push_str("\\|"),
            '\n' | '\r' => escaped.push(' '),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn code(text: &str) -> String {
    // A code span cannot hold its own backticks; the recipe's words rarely do.
    format!("`{}`", text.replace('`', "'").replace('|', "\\|"))
}

fn diagnostic_row(out: &mut String, word: &str, diagnostic: &JsonDiagnostic<'_>) {
    let place = match (&diagnostic.file, diagnostic.line) {
        (Some(file), Some(line)) => format!("{}:{line}", cell(file)),
        _ => "—".to_owned(),
    };
    let _ = writeln!(
        out,
        "| {word} | {} | {} | {place} | {} |",
        code(diagnostic.code),
        diagnostic.severity,
        cell(diagnostic.message)
    );
}

/// The comparison as a pull-request comment.
pub fn render(review: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### sndtrk diff: {} → {}\n",
        code(review.base_name()),
        code(review.head_name())
    );
    let changed: Vec<_> = review
        .deliverables
        .iter()
        .filter(|deliverable| deliverable.change != Change::Unchanged)
        .collect();
    if changed.is_empty() {
        out.push_str("No deliverable changes.\n");
    } else {
        out.push_str("| deliverable | kind | change | because |\n|---|---|---|---|\n");
        for deliverable in &changed {
            let because: Vec<String> = deliverable.because.iter().map(|why| code(why)).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&deliverable.name),
                deliverable.kind,
                deliverable.change.as_str(),
                if because.is_empty() {
                    "—".to_owned()
                } else {
                    because.join("<br>")
                }
            );
        }
    }
    let unchanged: Vec<String> = review
        .deliverables
        .iter()
        .filter(|deliverable| deliverable.change == Change::Unchanged)
        .map(|deliverable| code(&deliverable.name))
        .collect();
    if !unchanged.is_empty() {
        let _ = writeln!(out, "\nUnchanged: {}", unchanged.join(", "));
    }
    out.push_str("\n#### Cue sheet\n\n");
    if review.cues.is_empty() {
        out.push_str("No cue changes.\n");
    } else {
        out.push_str(
            "| cue | use | change | before | after | what changed |\n|---|---|---|---|---|---|\n",
        );
        for cue in &review.cues {
            let details: Vec<String> = cue
                .changes
                .iter()
                .chain(&cue.cue_sheet)
                .map(|detail| cell(detail))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code(&cue.cue),
                cue.number,
                cue.change,
                cues::shown(cue.before.as_ref(), " – "),
                cues::shown(cue.after.as_ref(), " – "),
                if details.is_empty() {
                    "—".to_owned()
                } else {
                    details.join("<br>")
                }
            );
        }
    }
    if !review.rights.is_empty() {
        out.push_str(
            "\n#### Rights\n\n| cue | in | before | after | not covered |\n|---|---|---|---|---|\n",
        );
        for change in &review.rights {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                code(&change.cue),
                cell(&change.context),
                change.before.unwrap_or("—"),
                change.after.unwrap_or("—"),
                if change.gaps.is_empty() {
                    "—".to_owned()
                } else {
                    cell(&change.gaps.join("; "))
                }
            );
        }
    }
    out.push_str("\n#### Diagnostics\n\n");
    let new = review.new_diagnostics();
    let fixed = review.fixed_diagnostics();
    if new.is_empty() && fixed.is_empty() {
        out.push_str("None new, none fixed.\n");
    } else {
        out.push_str("| | code | severity | where | message |\n|---|---|---|---|---|\n");
        for (sources, diagnostic) in new {
            diagnostic_row(&mut out, "new", &JsonDiagnostic::of(sources, diagnostic));
        }
        for (sources, diagnostic) in fixed {
            diagnostic_row(&mut out, "fixed", &JsonDiagnostic::of(sources, diagnostic));
        }
    }
    out
}
