//! C007 `clip-cut-at-reel-end`.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::{Spanned, Timecode},
};

use super::lengths::{subjects, Lengths};

declare_rule! {
    /// ## What it checks
    /// A stem or cue that starts inside a reel and runs past the reel's
    /// `end` (into no reel, or into a reel that does not begin where this
    /// one ends), or, in a project without reels, one that runs past the
    /// programme's `end`. The build cuts it there: the long play holds each
    /// reel from its `start` up to its `end`, and nothing between reels. The
    /// clip's length is the build's (its source, trims and `to`; a file's
    /// from its WAV header).
    ///
    /// ## Why
    /// Music and effects that ring over a reel break are cut off in the
    /// delivered reel and in the long play: a cue that should have been
    /// faded out or carried into the next reel (as a separate cue there)
    /// stops dead. It is a warning, because a clip trimmed by the reel's
    /// end is sometimes what was meant (a long ambience bed laid over the
    /// whole reel).
    ///
    /// ## Example
    /// ```text
    /// reel R1 { start 01:00:00:00 end 01:20:00:00 }
    /// cue 1M4 "Tide" { … tone 220Hz -24dBFS for 30s at 01:19:45:00 }
    /// // C007: 1M4 runs 15s past the end of reel R1 and is cut there
    /// ```
    pub static RULE {
        code: C007,
        name: "clip-cut-at-reel-end",
        check: check,
    }
}

/// Where the programme stops: a reel's end, or the programme's.
struct Boundary {
    /// "the end of reel `R1`", "the programme's end".
    what: String,
    /// "reel `R1` ends here", "the programme ends here".
    label: String,
    /// The first sample after the stretch.
    end: u64,
    /// The first sample of the stretch.
    start: u64,
    /// The `end` written in the recipe.
    written: Spanned<Timecode>,
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let Some(project) = &model.project else {
        return;
    };
    let (rate, frame_rate) = (project.sample_rate, project.frame_rate);
    let samples = |timecode: Timecode| timecode.to_samples(frame_rate, rate).ok();
    let mut boundaries: Vec<Boundary> = model
        .reels
        .iter()
        .filter_map(|reel| {
            let (start, end) = (reel.start?, reel.end?);
            Some(Boundary {
                what: format!("the end of reel `{}`", reel.name.name),
                label: format!("reel `{}` ends here", reel.name.name),
                start: samples(start.value)?,
                end: samples(end.value)?,
                written: end,
            })
        })
        .collect();
    if boundaries.is_empty() {
        if let Some(end) = project.end {
            if let Some(sample) = samples(end.value) {
                boundaries.push(Boundary {
                    what: "the programme's end".to_owned(),
                    label: "the programme ends here".to_owned(),
                    start: 0,
                    end: sample,
                    written: end,
                });
            }
        }
    }
    for subject in subjects(model) {
        let Some(lengths) = Lengths::of(checker, &subject.clip) else {
            continue;
        };
        let Some(placed) = lengths.placed() else {
            continue;
        };
        let (start, end) = (lengths.start, lengths.start.saturating_add(placed));
        let Some(boundary) = boundaries
            .iter()
            .find(|boundary| boundary.start <= start && start < boundary.end)
        else {
            continue;
        };
        // A reel that begins where this one ends carries the clip on.
        let carried = boundaries
            .iter()
            .any(|next| next.start == boundary.end && end <= next.end);
        if end <= boundary.end || carried {
            continue;
        }
        let over = end - boundary.end;
        let at = subject.clip.at().map_or(subject.declaration, |at| at.span);
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                format!(
                    "{} runs {} past {} and is cut there",
                    subject.describe(),
                    lengths.duration(over),
                    boundary.what
                ),
            )
            .at(at, format!("plays until {}", lengths.timecode(end)))
            .related(boundary.written.span, boundary.label.clone())
            .help(format!(
                "end it with `to {}` (and a `fade out`), or carry it on in the next reel as a {} of its own",
                boundary.written.value,
                if subject.kind == "cue" { "cue" } else { "clip" }
            )),
        );
    }
}
