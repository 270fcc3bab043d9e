//! C006 `overlapping-cues`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::AudioSource};

use super::lengths::{subjects, Lengths, Subject};

declare_rule! {
    /// ## What it checks
    /// Two uses of music cues in the picture that overlap in time: two
    /// cues, or two uses of one cue (`at` given twice). A use runs from its
    /// `at` for the length of its audio less its trims, cut short by its
    /// own `to`, in samples at the project's rate as the build renders it
    /// (a generator's `for`, a file's length from its WAV header). A use
    /// that starts where another ends does not overlap it. Two uses count
    /// only when one target's mix hears both (an alternate cue for another
    /// version of the film, in another target, overlaps nothing); a cue
    /// without `at` is C003, and a cue of `silence` (a placeholder, heard
    /// as nothing) does not count.
    ///
    /// ## Why
    /// Each use is one line of the cue sheet, and the societies pay by
    /// duration: two cues heard at once are both paid for the overlap, which
    /// a society may query. Most often one cue was moved or lengthened and
    /// the next was not. A deliberate crossfade between cues is fine:
    /// suppress the warning there with its reason.
    ///
    /// ## Example
    /// ```text
    /// cue 1M1 "Harbor Lights" { … tone 220Hz -20dBFS for 10s at 01:00:00:00 }
    /// cue 1M2 "Night Watch" { … tone 330Hz -20dBFS for 10s at 01:00:08:00 }
    /// // C006: 1M2 starts 2s before 1M1 ends
    /// ```
    pub static RULE {
        code: C006,
        name: "overlapping-cues",
        check: check,
    }
}

/// One use of a cue as placed: its samples on the picture's clock.
struct Extent<'m> {
    subject: Subject<'m>,
    /// The cue's index in the model.
    cue: usize,
    lengths: Lengths,
    /// How many uses the cue has.
    uses: usize,
    start: u64,
    end: u64,
}

impl Extent<'_> {
    /// "cue 1M1", or "use 2 of cue 1M1" for a cue used more than once.
    fn describe(&self) -> String {
        if self.uses > 1 {
            format!(
                "use {} of cue {}",
                self.subject.number, self.subject.name.name
            )
        } else {
            format!("cue {}", self.subject.name.name)
        }
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let mut extents: Vec<Extent<'_>> = subjects(model)
        .into_iter()
        .filter(|subject| subject.kind == "cue" && !subject.clip.uses.is_empty())
        .filter(|subject| {
            !matches!(
                subject.clip.audio.as_ref().map(|audio| &audio.value),
                Some(AudioSource::Silence { .. })
            )
        })
        .filter_map(|subject| {
            let index = model.cues.index(&subject.name.name)?;
            if !checker.mixes.iter().any(|mix| mix.contains_cue(index)) {
                return None;
            }
            let lengths = Lengths::of(checker, &subject.clip)?;
            let start = lengths.start;
            let end = start.saturating_add(lengths.placed()?);
            Some(Extent {
                cue: index,
                uses: model.cues[index].clip.uses.len(),
                subject,
                lengths,
                start,
                end,
            })
        })
        .filter(|extent| extent.end > extent.start)
        .collect();
    // Stable: uses that start together stay in the order written.
    extents.sort_by_key(|extent| extent.start);
    for (later_index, later) in extents.iter().enumerate() {
        for earlier in &extents[..later_index] {
            let together = checker
                .mixes
                .iter()
                .any(|mix| mix.contains_cue(earlier.cue) && mix.contains_cue(later.cue));
            if earlier.end > later.start && together {
                diagnostics.push(overlap(earlier, later));
            }
        }
    }
}

fn overlap(earlier: &Extent<'_>, later: &Extent<'_>) -> Diagnostic {
    let lengths = &later.lengths;
    let overlap = earlier.end.min(later.end).saturating_sub(later.start);
    let ends = lengths.timecode(lengths.next_frame_start(earlier.end));
    let mut diagnostic = Diagnostic::warning(
        RULE.code,
        format!(
            "{} at {} overlaps {}, which plays from {} to {ends}, by {}",
            later.describe(),
            lengths.timecode(later.start),
            earlier.describe(),
            earlier.lengths.timecode(earlier.start),
            lengths.duration(overlap),
        ),
    );
    if let Some(at) = later.subject.clip.at() {
        diagnostic = diagnostic.at(
            at.span,
            format!("starts {} before it ends", lengths.seconds(overlap)),
        );
    }
    if let Some(at) = earlier.subject.clip.at() {
        diagnostic = diagnostic.related(at.span, format!("plays until {ends}"));
    }
    diagnostic.help(format!(
        "start {} at {ends} or later, or end {} earlier with `to`; for a deliberate crossfade, `// sndtrk: allow(C006) REASON` above the cue",
        later.describe(),
        earlier.describe(),
    ))
}
