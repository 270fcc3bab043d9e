//! `sndtrk diff`: the comparison as aligned text for a terminal.

use std::fmt::Write;

use crate::{
    emit::json::JsonDiagnostic,
    review::{cues, deliverables::Change, Review},
};

fn diagnostic_line(out: &mut String, word: &str, diagnostic: &JsonDiagnostic<'_>) {
    let place = match (&diagnostic.file, diagnostic.line, diagnostic.column) {
        (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}: "),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "  {word:<6} {place}{} {}: {}",
        diagnostic.severity, diagnostic.code, diagnostic.message
    );
}

/// The comparison for people.
pub fn render(review: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} → {}", review.base_name(), review.head_name());
    let changed: Vec<_> = review
        .deliverables
        .iter()
        .filter(|deliverable| deliverable.change != Change::Unchanged)
        .collect();
    let unchanged: Vec<&str> = review
        .deliverables
        .iter()
        .filter(|deliverable| deliverable.change == Change::Unchanged)
        .map(|deliverable| deliverable.name.as_str())
        .collect();
    out.push_str("\ndeliverables:\n");
    let width = changed
        .iter()
        .map(|deliverable| deliverable.name.len() + deliverable.kind.len() + 1)
        .max()
        .unwrap_or(0);
    for deliverable in &changed {
        let name = format!("{} {}", deliverable.kind, deliverable.name);
        let _ = write!(out, "  {:<9} {name:<width$}", deliverable.change.as_str());
        if !deliverable.because.is_empty() {
            let _ = write!(out, "  because {}", deliverable.because.join("; "));
        }
        out.push('\n');
    }
    if !unchanged.is_empty() {
        let _ = writeln!(out, "  unchanged {}", unchanged.join(", "));
    }
    out.push_str("\ncues:\n");
    if review.cues.is_empty() {
        out.push_str("  none changed\n");
    }
    for cue in &review.cues {
        let _ = write!(
            out,
            "  {:<8} {} (use {})  {} → {}",
            cue.change,
            cue.cue,
            cue.number,
            cues::shown(cue.before.as_ref(), "–"),
            cues::shown(cue.after.as_ref(), "–")
        );
        let details: Vec<&str> = cue
            .changes
            .iter()
            .chain(&cue.cue_sheet)
            .map(String::as_str)
            .collect();
        if !details.is_empty() {
            let _ = write!(out, "  ({})", details.join("; "));
        }
        out.push('\n');
    }
    if !review.rights.is_empty() {
        out.push_str("\nrights:\n");
    }
    for change in &review.rights {
        let _ = write!(
            out,
            "  {} in {}: {} → {}",
            change.cue,
            change.context,
            change.before.unwrap_or("not played"),
            change.after.unwrap_or("not played")
        );
        if !change.gaps.is_empty() {
            let _ = write!(out, "  ({})", change.gaps.join("; "));
        }
        out.push('\n');
    }
    out.push_str("\ndiagnostics:\n");
    let new = review.new_diagnostics();
    let fixed = review.fixed_diagnostics();
    if new.is_empty() && fixed.is_empty() {
        out.push_str("  none new, none fixed\n");
    }
    for (sources, diagnostic) in new {
        diagnostic_line(&mut out, "new", &JsonDiagnostic::of(sources, diagnostic));
    }
    for (sources, diagnostic) in fixed {
        diagnostic_line(&mut out, "fixed", &JsonDiagnostic::of(sources, diagnostic));
    }
    out
}
