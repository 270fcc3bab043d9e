//! D007: after a build, each deliverable (a target or an album track) for
//! clipping: a sample at full scale, or a true peak above 0 dBTP.
//!
//! A sample is at full scale when it holds its encoding's largest or
//! smallest value: +32767 or −32768 at 16 bits, +8388607 or −8388608 at 24
//! bits, ≥ +1.0 or ≤ −1.0 in 32-bit float (see [`crate::audio::clip`]). The
//! message counts them (every channel's sample on its own) and gives the
//! first one's timecode, at the project's frame rate, from the file's
//! `bext` time reference (an album track, which has none, counts from
//! 00:00:00:00). A deliverable with no sample at full scale whose true peak
//! is above 0 dBTP clips between its samples once it is converted to
//! analogue or re-encoded; the message gives the true peak and where it
//! first rises over 0 dBTP.
//!
//! Why: a clipped deliverable is distorted, and every distributor's QC
//! rejects it, spec or no spec. Example: a target without a spec whose mix
//! is raised by 48 dB (`gain 48dB` on a bus member) sits at full scale most
//! of the time and gives D007 at the target.
//!
//! The build reports it (the measurement exists only after rendering); a
//! `lint` block sets its severity like any rule's.

use crate::{
    diagnostic::Diagnostic,
    lower::{RenderPlan, Renders, StageId, StageSpec},
    model::{Model, Timecode},
    stages::Measurement,
    syntax::span::Span,
};

/// The code of the rule.
pub const CODE: &str = crate::diagnostic::codes::D007.code;

/// Checks one deliverable's measurement for clipping; `deliverable` is the
/// deliverable's stage id (`target:NAME` or `album:NAME/NN`).
pub fn check(
    model: &Model,
    plan: &RenderPlan,
    deliverable: &StageId,
    measured: &Measurement,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if !measured.clips() {
        return diagnostics;
    }
    let Some(at) = declared_at(model, deliverable) else {
        return diagnostics;
    };
    let what = describe(plan, deliverable);
    let peak = measured.true_peak_dbtp;
    let first = first_clip(plan, measured).map(|(timecode, from_start)| {
        if from_start {
            format!("{timecode} from the file's start")
        } else {
            timecode.to_string()
        }
    });
    let (message, label) = match measured.clipped_samples {
        0 => {
            let peak = peak.unwrap_or(0.0);
            let first = first.map_or(String::new(), |first| format!(", first near {first}"));
            (
                format!("{what} clips: its true peak is {peak:+.1} dBTP, above 0 dBTP{first}"),
                format!("true peak {peak:+.1} dBTP"),
            )
        }
        count => {
            let samples = if count == 1 { "sample" } else { "samples" };
            let first = first.map_or(String::new(), |first| {
                if count == 1 {
                    format!(", at {first}")
                } else {
                    format!(", the first at {first}")
                }
            });
            let label = match peak {
                Some(peak) => format!("{count} {samples} at full scale; true peak {peak:+.1} dBTP"),
                None => format!("{count} {samples} at full scale"),
            };
            (
                format!("{what} clips: {count} {samples} at full scale{first}"),
                label,
            )
        }
    };
    let help = match deliverable.renders() {
        Renders::Track { .. } => {
            "lower the cue's `gain` until the track peaks under 0 dBTP".to_owned()
        }
        _ => "lower what feeds it (a bus member's or a clip's `gain`) until it peaks under 0 dBTP, or normalise it to a spec with a true-peak ceiling".to_owned(),
    };
    diagnostics.push(Diagnostic::error(CODE, message).at(at, label).help(help));
    diagnostics
}

/// The first clip's timecode (see [`Measurement::first_clip_frame`]) at the
/// project's frame rate: from the file's `bext` time reference, or from
/// 00:00:00:00 for a file without one (the flag says which).
pub fn first_clip(plan: &RenderPlan, measured: &Measurement) -> Option<(Timecode, bool)> {
    let frame = measured.first_clip_frame?;
    if measured.sample_rate == 0 {
        return None;
    }
    let drop_frame = plan.picture_start.drop_frame && plan.frame_rate.allows_drop_frame();
    let sample = measured.time_reference.unwrap_or(0).saturating_add(frame);
    let timecode =
        Timecode::from_samples(sample, plan.frame_rate, drop_frame, measured.sample_rate);
    // A file stamped at midnight (an album track's bext) counts from its start.
    Some((timecode, measured.time_reference.unwrap_or(0) == 0))
}

/// Where a deliverable is declared: a target's name, an album track's
/// `track` entry.
fn declared_at(model: &Model, deliverable: &StageId) -> Option<Span> {
    match deliverable.renders() {
        Renders::Target(name) => model.targets.get(name).map(|target| target.name.span),
        Renders::Track { album, number } => model
            .albums
            .get(album)?
            .tracks
            .get(number.checked_sub(1)?)
            .map(|track| track.cue.span),
        _ => None,
    }
}

/// "target `stereo`" or "track 02 \"Ocean Drive\" of album `ost`".
fn describe(plan: &RenderPlan, deliverable: &StageId) -> String {
    match deliverable.renders() {
        Renders::Target(name) => format!("target `{name}`"),
        Renders::Track { album, number } => {
            let title = plan.stages.iter().find_map(|stage| match stage {
                StageSpec::AlbumTrack(track) if track.id == *deliverable => {
                    Some(track.title.as_str())
                }
                _ => None,
            });
            match title {
                Some(title) => format!("track {number:02} \"{title}\" of album `{album}`"),
                None => format!("track {number:02} of album `{album}`"),
            }
        }
        _ => format!("`{deliverable}`"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{lower::lower, resolve::resolve_text};

    fn project() -> (Model, RenderPlan) {
        let resolved = resolve_text(
            "soundtrack.sndtrk",
            None,
            r#"import "std/layouts"
            project "T" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
            stem fx { role effects layout 2.0 tone 1kHz -20dBFS for 1s }
            cue 1M1 "Theme" { type score usage BI tone 220Hz -20dBFS for 1s at 01:00:00:00 }
            bus FX 2.0 { fx }
            target loud { from FX layout 2.0 format wav 48kHz 24bit }
            album ost "OST" { kind score track 1M1 format wav 44.1kHz 16bit }"#,
        );
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        (resolved.model, plan)
    }

    fn measured(clipped: u64, first: Option<u64>, peak: f64) -> Measurement {
        Measurement {
            true_peak_dbtp: Some(peak),
            clipped_samples: clipped,
            first_clip_frame: first,
            time_reference: Some(3600 * 48_000),
            sample_rate: 48_000,
            ..Measurement::default()
        }
    }

    #[test]
    fn a_clean_deliverable_gives_nothing() {
        let (model, plan) = project();
        let clean = measured(0, None, -0.1);
        assert!(check(&model, &plan, &StageId::target("loud"), &clean).is_empty());
    }

    #[test]
    fn full_scale_samples_are_counted_with_the_first_timecode() {
        let (model, plan) = project();
        // 36 frames at 24 fps is 1.5 s: 01:00:01:12.
        let loud = measured(3, Some(72_000), 41.94);
        let found = check(&model, &plan, &StageId::target("loud"), &loud);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, CODE);
        assert!(found[0].is_error());
        assert_eq!(
            found[0].message,
            "target `loud` clips: 3 samples at full scale, the first at 01:00:01:12"
        );
    }

    #[test]
    fn a_true_peak_over_0_dbtp_clips_without_a_full_scale_sample() {
        let (model, plan) = project();
        let over = measured(0, Some(0), 0.44);
        let found = check(&model, &plan, &StageId::target("loud"), &over);
        assert_eq!(
            found[0].message,
            "target `loud` clips: its true peak is +0.4 dBTP, above 0 dBTP, first near 01:00:00:00"
        );
    }

    #[test]
    fn an_album_track_counts_from_its_start() {
        let (model, plan) = project();
        let track = Measurement {
            time_reference: None,
            sample_rate: 44_100,
            ..measured(1, Some(44_100 * 2), 0.0)
        };
        let found = check(&model, &plan, &StageId::track("ost", 1), &track);
        assert_eq!(
            found[0].message,
            "track 01 \"Theme\" of album `ost` clips: 1 sample at full scale, at 00:00:02:00 from the file's start"
        );
        // A deliverable the recipe does not declare gives nothing.
        assert!(check(&model, &plan, &StageId::track("ost", 2), &track).is_empty());
    }
}
