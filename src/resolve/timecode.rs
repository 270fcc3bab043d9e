//! Timecodes, checked against the project's frame rate and counted in frames.

use crate::{
    diagnostic::Diagnostic,
    model::{FrameRate, Spanned},
    resolve::{args::BAD_TIMECODE, interpret::Interpreter},
    syntax::ast::Timecode,
};

impl Interpreter<'_> {
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
