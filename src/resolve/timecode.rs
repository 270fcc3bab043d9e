//! Timecodes, checked against the project's frame rate and counted in frames.

use crate::{
    diagnostic::Diagnostic,
    model::{FrameRate, Spanned},
    resolve::{
        args::{Args, BAD_TIMECODE},
        interpret::Interpreter,
    },
    syntax::ast::{Property, Timecode},
};

impl Interpreter<'_> {
    /// The one timecode a property such as `picture_start` or `end` takes.
    pub(super) fn lone_timecode(&mut self, property: &Property) -> Option<Spanned<Timecode>> {
        let mut args = Args::new(property, self.diagnostics);
        let timecode = args.timecode();
        if timecode.is_some() {
            args.finish();
        }
        timecode
    }

    /// Checks a timecode against the project's frame rate.
    pub(super) fn check_timecode(
        &mut self,
        timecode: Spanned<Timecode>,
    ) -> Option<Spanned<Timecode>> {
        let Spanned { value: tc, span } = timecode;
        let nominal = self.frame_rate.nominal();
        let problem = tc.check(self.frame_rate).err();
        match problem {
            None => Some(timecode),
            Some(message) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        BAD_TIMECODE,
                        format!("`{tc}` is not a valid timecode: {message}"),
                    )
                    .at(span, "invalid timecode")
                    .help(format!(
                        "write HH:MM:SS:FF; at {} the frames run from 00 to {:02}",
                        self.frame_rate.describe(),
                        nominal - 1
                    )),
                );
                None
            }
        }
    }
}

/// Counts frames from midnight (for ordering placements).
pub(super) fn frames(timecode: Timecode, frame_rate: FrameRate) -> u64 {
    timecode.frame_count(frame_rate)
}
