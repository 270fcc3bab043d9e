//! D010 `clip-not-as-written`.

use crate::{diagnostic::Diagnostic, lint::Checker};

use super::lengths::{of_the_source, subjects, why_this_long, Lengths, Places, Subject};

declare_rule! {
    /// ## What it checks
    /// A stem or cue that renders, but not as its recipe reads:
    ///
    /// - its `to` lies after the end of its audio as placed at `at` (after
    ///   its trims) by a frame or more: the clip ends earlier than `to` says,
    ///   since `to` cuts a longer clip short and never pads a shorter one. A
    ///   `to` at the end of the audio is fine, and so is one that the audio
    ///   reaches within the last frame before it: a timecode can say no more
    ///   than the frame (a 15s master placed at 23.976 fps ends 0.015s into
    ///   its last frame);
    /// - its trims remove exactly all of its audio, so nothing of it plays;
    /// - its `fade in` and `fade out` together are longer than the clip as
    ///   placed, so the two ramps overlap and the clip never plays at full
    ///   level.
    ///
    /// The arithmetic is the build's, as for D009: samples at the project's
    /// sample rate, the audio's length from a generator's `for` or a file's
    /// WAV header.
    ///
    /// ## Why
    /// The build renders each of these without complaint, which is why it
    /// is a warning and not an error: the deliverables are made, but a cue
    /// sheet entry, a music edit or a fade is not what the recipe says. A
    /// `to` past the end usually means the file is shorter than the cut it
    /// was placed for; trims that leave nothing, a clip that was cut and
    /// left in; overlapping fades, fades meant for a longer clip. A trim past
    /// the end, or a single fade longer than the clip, cannot render at all
    /// and is D009.
    ///
    /// ## Example
    /// ```text
    /// cue 2M3 "Ocean Drive" { … tone 440Hz -26dBFS for 15s at 01:00:20:00 to 01:00:40:00 }
    /// // D010: the audio ends at 01:00:35:00, 5s before `to`
    /// stem bg { role ambience layout 2.0 noise brown -40dBFS for 6s fade in 4s out 4s }
    /// // D010: 8s of fades on a 6s clip overlap by 2s
    /// ```
    pub static RULE {
        code: D010,
        name: "clip-not-as-written",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut places = Places::default();
    for subject in subjects(checker.model) {
        let Some(lengths) = Lengths::of(checker, &subject.clip) else {
            continue;
        };
        // Trims past the end are D009; nothing else can be said of the clip.
        let (Some(trimmed), Some(placed)) = (lengths.trimmed(), lengths.placed()) else {
            continue;
        };
        // Trims are the clip's, not a use's: said once.
        if trimmed == 0 && lengths.trims() > 0 && subject.number == 1 {
            diagnostics.push(trims_everything(checker, &subject, &lengths, &mut places));
        }
        // A `to` can name no more than a frame: audio that ends within the
        // last frame before it reaches it.
        let short = |wanted: &u64| {
            let end = lengths.start.saturating_add(trimmed);
            trimmed > 0 && lengths.next_frame_start(end) < lengths.start.saturating_add(*wanted)
        };
        if let Some(wanted) = lengths.wanted().filter(short) {
            diagnostics.push(to_past_the_end(&subject, &lengths, trimmed, wanted));
        }
        let (fade_in, fade_out) = (lengths.fade_in, lengths.fade_out);
        let overlap = fade_in > 0
            && fade_out > 0
            && fade_in <= placed
            && fade_out <= placed
            && fade_in.saturating_add(fade_out) > placed;
        if overlap {
            let found = fades_overlap(checker, &subject, &lengths, &mut places);
            // Two uses of one length say the same.
            if !diagnostics.contains(&found) {
                diagnostics.push(found);
            }
        }
    }
}

fn trims_everything(
    checker: &Checker<'_>,
    subject: &Subject<'_>,
    lengths: &Lengths,
    places: &mut Places,
) -> Diagnostic {
    let clip = &subject.clip;
    let written = places.of(checker.model, subject.declaration);
    let mut diagnostic = Diagnostic::warning(
        RULE.code,
        format!(
            "{} trims all {}: nothing of it plays",
            subject.describe(),
            of_the_source(clip, lengths).trim_start_matches("the "),
        ),
    )
    .at(
        written.trim.unwrap_or(subject.name.span),
        format!("removes all {}", lengths.seconds(lengths.source)),
    );
    if let Some(audio) = &clip.audio {
        diagnostic = diagnostic.related(
            audio.span,
            format!("{} of audio", lengths.seconds(lengths.source)),
        );
    }
    diagnostic.help(format!(
        "trim less than {} in all, or remove the {} if it was cut",
        lengths.seconds(lengths.source),
        subject.kind
    ))
}

fn to_past_the_end(
    subject: &Subject<'_>,
    lengths: &Lengths,
    trimmed: u64,
    wanted: u64,
) -> Diagnostic {
    let clip = &subject.clip;
    let end = lengths.start.saturating_add(trimmed);
    let ends = lengths.timecode(end);
    // On a frame boundary the timecode is the out point, the first frame
    // without audio; otherwise the audio stops within that frame.
    let on_a_frame = lengths.next_frame_start(end) == end;
    let short = lengths.duration(wanted.saturating_sub(trimmed));
    let until = clip
        .until()
        .map(|until| until.value.to_string())
        .unwrap_or_default();
    let mut diagnostic = Diagnostic::warning(
        RULE.code,
        format!(
            "{} ends {} {ends}, {short} before its `to {until}`: {} of audio from {}",
            subject.describe(),
            if on_a_frame { "at" } else { "within frame" },
            lengths.seconds(trimmed),
            lengths.timecode(lengths.start),
        ),
    );
    if let Some(at) = clip.until() {
        diagnostic = diagnostic.at(at.span, format!("{short} after the audio ends"));
    }
    if let Some(audio) = &clip.audio {
        let label = if lengths.trims() > 0 {
            format!(
                "{} of audio, {} after its trims",
                lengths.seconds(lengths.source),
                lengths.seconds(trimmed)
            )
        } else {
            format!("{} of audio", lengths.seconds(lengths.source))
        };
        diagnostic = diagnostic.related(audio.span, label);
    }
    diagnostic.help(format!(
        "end the placement at {ends}{}, drop `to` so that the clip ends with its audio, or place a longer source: `to` cuts a longer clip short but does not pad a shorter one",
        if on_a_frame { "" } else { " or earlier" }
    ))
}

fn fades_overlap(
    checker: &Checker<'_>,
    subject: &Subject<'_>,
    lengths: &Lengths,
    places: &mut Places,
) -> Diagnostic {
    let clip = &subject.clip;
    let written = places.of(checker.model, subject.declaration);
    let placed = lengths.placed().unwrap_or(0);
    let fades = lengths.fade_in.saturating_add(lengths.fade_out);
    let overlap = lengths.duration(fades.saturating_sub(placed));
    let mut diagnostic = Diagnostic::warning(
        RULE.code,
        format!(
            "{} fades in over {} and out over {} but plays for only {}: the fades overlap by {overlap}, so it never plays at full level",
            subject.describe(),
            lengths.seconds(lengths.fade_in),
            lengths.seconds(lengths.fade_out),
            lengths.seconds(placed),
        ),
    )
    .at(
        written.fade.unwrap_or(subject.name.span),
        format!("{} of fades", lengths.seconds(fades)),
    );
    if let Some((span, label)) = why_this_long(clip, lengths, &written) {
        diagnostic = diagnostic.related(span, label);
    }
    diagnostic.help(format!(
        "make the two fades {} or less together, or lengthen the clip",
        lengths.seconds(placed)
    ))
}
