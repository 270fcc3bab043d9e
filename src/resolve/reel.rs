//! The `reel` declaration (`reel R1 { start 01:00:00:00 end 01:20:41:12 }`)
//! and the checks that need every reel: reels that overlap, and reels in a
//! project that also gives its programme an `end`.

use crate::{
    diagnostic::{codes, Diagnostic},
    model::{Model, Named, Reel},
    resolve::{interpret::Interpreter, props::Props, timecode::frames, OUT_OF_RANGE},
    syntax::ast::Declaration,
};

pub(super) const REEL: &[&str] = &["start", "end"];

/// E0350: two reels that overlap in timecode.
pub const REELS_OVERLAP: &str = codes::E0350.code;
/// E0351: a project with reels that also gives its programme an `end`.
pub const END_WITH_REELS: &str = codes::E0351.code;

impl Interpreter<'_> {
    pub(super) fn reel(&mut self, declaration: &Declaration, name: Named) -> Reel {
        let mut props = Props::new(declaration, REEL);
        let d = &mut *self.diagnostics;
        let start = props.one("start", d).cloned();
        let end = props.one("end", d).cloned();
        props.require(start.as_ref(), "start", "start 01:00:00:00", d);
        props.require(end.as_ref(), "end", "end 01:20:41:12", d);
        props.finish(d);
        let start = start
            .and_then(|property| self.lone_timecode(&property))
            .and_then(|timecode| self.check_timecode(timecode));
        let end = end
            .and_then(|property| self.lone_timecode(&property))
            .and_then(|timecode| self.check_timecode(timecode));
        if let (Some(start), Some(end)) = (start, end) {
            if frames(end.value, self.frame_rate) <= frames(start.value, self.frame_rate) {
                self.diagnostics.push(
                    Diagnostic::error(
                        OUT_OF_RANGE,
                        format!(
                            "reel `{}` ends at {} before it starts at {}",
                            name.name, end.value, start.value
                        ),
                    )
                    .at(end.span, "ends before the start")
                    .related(start.span, "the reel starts here")
                    .help("write `end` after `start`: the reel runs up to the frame `end` names"),
                );
            }
        }
        Reel {
            name,
            start,
            end,
            span: declaration.span,
        }
    }
}

/// Reels that overlap (E0350), and a programme `end` beside reels (E0351).
pub(super) fn check(model: &Model, diagnostics: &mut Vec<Diagnostic>) {
    let Some(project) = &model.project else {
        return;
    };
    let rate = project.frame_rate;
    let mut reels: Vec<(&Reel, u64, u64)> = model
        .reels
        .iter()
        .filter_map(|reel| {
            let (start, end) = reel.bounds()?;
            let (start, end) = (frames(start, rate), frames(end, rate));
            (start < end).then_some((reel, start, end))
        })
        .collect();
    reels.sort_by_key(|(reel, start, _)| (*start, reel.name.name.clone()));
    for pair in reels.windows(2) {
        let [(earlier, _, earlier_end), (later, later_start, _)] = pair else {
            continue;
        };
        if later_start < earlier_end {
            let (Some(start), Some(end)) = (later.start, earlier.end) else {
                continue;
            };
            diagnostics.push(
                Diagnostic::error(
                    REELS_OVERLAP,
                    format!(
                        "reel `{}` starts at {} before reel `{}` ends at {}",
                        later.name.name, start.value, earlier.name.name, end.value
                    ),
                )
                .at(start.span, "starts inside another reel")
                .related(end.span, format!("reel `{}` ends here", earlier.name.name))
                .help("reels are joined in timecode order: each starts at or after the end of the one before"),
            );
        }
    }
    if let (Some(end), Some(first)) = (&project.end, model.reels.iter().next()) {
        diagnostics.push(
            Diagnostic::error(
                END_WITH_REELS,
                "the project gives its programme an `end` and declares reels",
            )
            .at(end.span, "the programme's end")
            .related(first.name.span, "a reel")
            .help("the long play ends where its last reel ends: remove `end`, or the reels"),
        );
    }
}
