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
        let rate = if tc.drop_frame && self.frame_rate.allows_drop_frame() {
            format!("{} drop-frame", self.frame_rate.describe())
        } else {
            self.frame_rate.describe().to_owned()
        };
        let problem = if tc.hours > 23 {
            Some(format!("hour {} does not exist (00 to 23)", tc.hours))
        } else if tc.minutes > 59 {
            Some(format!("minute {} does not exist (00 to 59)", tc.minutes))
        } else if tc.seconds > 59 {
            Some(format!("second {} does not exist (00 to 59)", tc.seconds))
        } else if tc.frames >= nominal {
            Some(format!(
                "frame {} does not exist at {rate} (frames 00 to {:02})",
                tc.frames,
                nominal - 1
            ))
        } else if tc.drop_frame && !self.frame_rate.allows_drop_frame() {
            Some(format!(
                "drop-frame timecode (`;`) exists only at 29.97 fps, not at {rate}"
            ))
        } else if tc.drop_frame {
            (tc.seconds == 0 && tc.minutes % 10 != 0 && tc.frames < 2).then(|| {
                format!(
                    "frame {:02} is dropped at the start of minute {:02} at {rate}",
                    tc.frames, tc.minutes
                )
            })
        } else {
            None
        };
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
    let nominal = u64::from(frame_rate.nominal());
    ((u64::from(timecode.hours) * 60 + u64::from(timecode.minutes)) * 60
        + u64::from(timecode.seconds))
        * nominal
        + u64::from(timecode.frames)
}
