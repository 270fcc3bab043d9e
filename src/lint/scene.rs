//! What an object's source must be, as far as its header tells, checked by
//! `sndtrk check` before anything is built: a mono file (E0367; an object
//! is one track of the master), and a path that ends within the clip as
//! the file makes it (E0363: its length less its trims, unless a `to`
//! bounds it, which the resolver checked).

use crate::{
    diagnostic::{codes, Diagnostic},
    lint::Checker,
    model::{time_reference_at, AudioSource},
};

/// Checks every object's file against its header.
pub fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let (rate, frame_rate) = model
        .project
        .as_ref()
        .map_or((48_000, crate::model::FrameRate::F24), |project| {
            (project.sample_rate, project.frame_rate)
        });
    for object in &model.objects {
        let Some(audio) = &object.clip.audio else {
            continue;
        };
        let AudioSource::File { written, .. } = &audio.value else {
            continue;
        };
        let Some(Ok(header)) = checker.header(&object.clip) else {
            if let Some(Err(diagnostic)) = checker.header(&object.clip) {
                diagnostics.push((**diagnostic).clone());
            }
            continue;
        };
        if header.channels != 1 {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0367.code,
                    format!(
                        "`{written}` has {} channels, but object `{}` is mono",
                        header.channels, object.name.name
                    ),
                )
                .at(audio.span, format!("{} channels", header.channels))
                .help("an object is one mono track of the master: point `file` at a mono file, or make the source a stem of a bed"),
            );
            continue;
        }
        if object.clip.until().is_some() {
            continue;
        }
        let length = time_reference_at(header.frames, header.sample_rate, rate);
        let trimmed = [object.clip.trim_head, object.clip.trim_tail]
            .into_iter()
            .flatten()
            .map(|trim| trim.samples(rate, frame_rate))
            .sum::<u64>();
        let end = length.saturating_sub(trimmed);
        if let Some(point) = object.path.iter().find(|point| point.offset > end) {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0363.code,
                    format!(
                        "the path of object `{}` runs past the end of its clip",
                        object.name.name
                    ),
                )
                .at(point.span, "after the clip ends")
                .related(
                    audio.span,
                    format!("{:.3} s long", end as f64 / f64::from(rate)),
                )
                .help("end the path within the clip, or lengthen the clip"),
            );
        }
    }
}
