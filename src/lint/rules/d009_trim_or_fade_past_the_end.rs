//! D009 `trim-or-fade-past-the-end`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::AudioSource};

use super::lengths::{of_the_source, subjects, why_this_long, Lengths, Places, Subject};

declare_rule! {
    /// ## What it checks
    /// A stem or cue whose `trim head` and `trim tail` together remove more
    /// than its audio holds, or whose `fade in` or `fade out` alone is
    /// longer than the clip as placed (after its trims and its `to`). The
    /// length of the audio is a generator's `for` or, for a `file`, the
    /// length its WAV header gives; the arithmetic is the build's, in
    /// samples at the project's sample rate. A `to` past the end of the
    /// audio is D010: `to` cuts a clip short but never pads it.
    /// A file that cannot be read is reported by its own code (E0501 to
    /// E0506), not here.
    ///
    /// ## Why
    /// Such a clip cannot be rendered as written: the build stops at it
    /// with E0515 (a trim past the end of the source, or a fade longer than
    /// what remains), so every deliverable that hears it fails. The cause is
    /// nearly always a shorter file than the recipe was written for: a
    /// re-export, a conform, a cue cut down. Hence an error, found in review
    /// rather than at the end of a long build. A clip that trims exactly
    /// all of its audio, or whose fades overlap, still renders, and is a
    /// warning (D010).
    ///
    /// ## Example
    /// ```text
    /// stem dx { role dialogue layout 1.0 file "stems/R1_DX.wav" trim head 30s tail 12s }
    /// // D009 when stems/R1_DX.wav holds 40s: the trims remove 42s, 2s more than it has
    /// cue 1M1 "Harbor Lights" { … tone 220Hz -24dBFS for 12s at 01:00:04:00 to 01:00:07:00 fade out 4s }
    /// // D009: the cue plays 3s (cut by `to`), its fade out lasts 4s
    /// ```
    pub static RULE {
        code: D009,
        name: "trim-or-fade-past-the-end",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut places = Places::default();
    for subject in subjects(checker.model) {
        let Some(lengths) = Lengths::of(checker, &subject.clip) else {
            continue;
        };
        match lengths.placed() {
            // Trims are the clip's, not a use's: said once.
            None if subject.number == 1 => {
                trims_past_the_end(checker, &subject, &lengths, &mut places, diagnostics)
            }
            None => {}
            Some(placed) => {
                for (fade, direction) in [(lengths.fade_in, "in"), (lengths.fade_out, "out")] {
                    if fade > placed {
                        let found = fade_too_long(
                            checker,
                            &subject,
                            &lengths,
                            &mut places,
                            fade,
                            direction,
                        );
                        // Two uses of one length say the same.
                        if !diagnostics.contains(&found) {
                            diagnostics.push(found);
                        }
                    }
                }
            }
        }
    }
}

fn trims_past_the_end(
    checker: &Checker<'_>,
    subject: &Subject<'_>,
    lengths: &Lengths,
    places: &mut Places,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let clip = &subject.clip;
    let written = places.of(checker.model, subject.declaration);
    let over = lengths.trims().saturating_sub(lengths.source);
    let mut diagnostic = Diagnostic::error(
        RULE.code,
        format!(
            "{} trims {} from {}, {} more than it holds",
            subject.describe(),
            lengths.seconds(lengths.trims()),
            of_the_source(clip, lengths),
            lengths.duration(over),
        ),
    )
    .at(
        written.trim.unwrap_or(subject.name.span),
        format!("{} past the end of the audio", lengths.duration(over)),
    );
    if let Some(audio) = &clip.audio {
        diagnostic = diagnostic.related(
            audio.span,
            format!("{} of audio", lengths.seconds(lengths.source)),
        );
    }
    let lengthen = match clip.audio.as_ref().map(|audio| &audio.value) {
        Some(AudioSource::File { .. }) => "point `file` at the full-length export",
        _ => "lengthen the generator's `for`",
    };
    diagnostics.push(diagnostic.help(format!(
        "trim at most {} in all, or {lengthen}",
        lengths.seconds(lengths.source)
    )));
}

fn fade_too_long(
    checker: &Checker<'_>,
    subject: &Subject<'_>,
    lengths: &Lengths,
    places: &mut Places,
    fade: u64,
    direction: &str,
) -> Diagnostic {
    let clip = &subject.clip;
    let written = places.of(checker.model, subject.declaration);
    let placed = lengths.placed().unwrap_or(0);
    let at = match direction {
        "in" => written.fade_in,
        _ => written.fade_out,
    };
    let mut diagnostic = Diagnostic::error(
        RULE.code,
        format!(
            "{} fades {direction} over {} but plays for only {}",
            subject.describe(),
            lengths.seconds(fade),
            lengths.seconds(placed),
        ),
    )
    .at(
        at.or(written.fade).unwrap_or(subject.name.span),
        format!(
            "{} longer than the clip",
            lengths.duration(fade.saturating_sub(placed))
        ),
    );
    if let Some((span, label)) = why_this_long(clip, lengths, &written) {
        diagnostic = diagnostic.related(span, label);
    }
    diagnostic.help(format!(
        "fade {direction} over at most {}, or lengthen the clip",
        lengths.seconds(placed)
    ))
}
