//! A clip's uses: each `at START [to END]` property of a stem or cue is one
//! place where it plays. A second `at` is a second use (a reprise), not a
//! repetition; two uses that start on the same frame are E0340.

use crate::{
    diagnostic::Diagnostic,
    model::{Placement, Spanned, Use},
    resolve::{args::Args, interpret::Interpreter, timecode::frames},
    syntax::ast::Property,
};

/// E0340: two uses of one stem or cue start on the same frame.
pub const SAME_START: &str = crate::diagnostic::codes::E0340.code;

impl Interpreter<'_> {
    /// The uses written in `properties` (every `at` of a declaration), in
    /// the order written; a use whose `at` does not read is left out (its
    /// error is reported).
    pub(super) fn uses(&mut self, properties: &[&Property]) -> Vec<Use> {
        let mut uses: Vec<Use> = Vec::new();
        for property in properties {
            let Some(one) = self.one_use(property) else {
                continue;
            };
            let rate = self.frame_rate;
            let start = |placement: Placement| placement.timecode().map(|tc| frames(tc, rate));
            if let Some(earlier) = uses
                .iter()
                .find(|earlier| start(earlier.at.value) == start(one.at.value))
            {
                self.diagnostics.push(
                    Diagnostic::error(
                        SAME_START,
                        format!("two uses start at {}", one.at.value),
                    )
                    .at(one.at.span, "starts on the same frame")
                    .related(earlier.at.span, "the earlier use")
                    .help("each `at` is one use of the audio: remove the repeated `at`, or move it to where the reprise starts"),
                );
                continue;
            }
            uses.push(one);
        }
        uses
    }

    /// One `at START [to END]` or `at bext [to END]`.
    fn one_use(&mut self, property: &Property) -> Option<Use> {
        let mut args = Args::new(property, self.diagnostics);
        let at = match args.eat("bext") {
            Some(span) => Some(Spanned {
                value: Placement::Bext,
                span,
            }),
            None => args.timecode().map(|timecode| Spanned {
                value: Placement::Timecode(timecode.value),
                span: timecode.span,
            }),
        };
        let until = if at.is_some() && args.eat("to").is_some() {
            args.timecode()
        } else {
            None
        };
        if at.is_some() {
            args.finish();
        }
        let at = at.and_then(|at| match at.value {
            Placement::Bext => Some(at),
            Placement::Timecode(value) => self
                .check_timecode(Spanned {
                    value,
                    span: at.span,
                })
                .map(|timecode| Spanned {
                    value: Placement::Timecode(timecode.value),
                    span: timecode.span,
                }),
        });
        let until = until.and_then(|timecode| self.check_timecode(timecode));
        let start = at.and_then(|at| {
            at.value.timecode().map(|value| Spanned {
                value,
                span: at.span,
            })
        });
        if let (Some(start), Some(end)) = (start, until) {
            if frames(end.value, self.frame_rate) <= frames(start.value, self.frame_rate) {
                self.diagnostics.push(
                    Diagnostic::error(
                        crate::resolve::OUT_OF_RANGE,
                        format!(
                            "the placement ends at {} before it starts at {}",
                            end.value, start.value
                        ),
                    )
                    .at(end.span, "ends before the start")
                    .help("write `at START to END` with END after START"),
                );
            }
        }
        Some(Use {
            at: at?,
            until,
            span: property.span,
        })
    }
}
