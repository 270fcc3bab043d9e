//! The `project` declaration: title, frame rate, sample rate, picture start
//! release date and the programme's end.

use crate::{
    model::{FrameRate, Project},
    resolve::{format::sample_rate, interpret::Interpreter, pan, props::Props},
    syntax::ast::{Declaration, Timecode},
};

pub(super) const PROJECT: &[&str] = &[
    "frame_rate",
    "sample_rate",
    "picture_start",
    "release",
    "end",
    "pan_law",
];

impl Interpreter<'_> {
    pub(super) fn project(&mut self, declaration: &Declaration) -> Option<Project> {
        let d = &mut *self.diagnostics;
        let mut props = Props::new(declaration, PROJECT);
        let frame_rate = props.read("frame_rate", d, |args| {
            let rate = args.number("a frame rate such as `24` or `23.976`")?;
            let Some(frame_rate) = FrameRate::from_fps(rate.value) else {
                return args.out_of_range(
                    rate.span,
                    format!("{} is not a frame rate sndtrk knows", rate.value),
                    "write one of 23.976 (or 23.98), 24, 25, 29.97, 30, 48, 50, 59.94 or 60",
                );
            };
            Some(frame_rate)
        });
        let frame_rate = props.require(frame_rate, "frame_rate", "frame_rate 24", d);
        let sample_rate = props.read("sample_rate", d, |args| sample_rate(args));
        let sample_rate = props.require(sample_rate, "sample_rate", "sample_rate 48kHz", d);
        let title = declaration
            .title
            .as_ref()
            .map(|title| title.value.clone())
            .unwrap_or_default();
        let release = props.read("release", d, |args| args.date());
        let pan_law = props.read("pan_law", d, |args| pan::pan_law(args));
        let picture_start = props.one("picture_start", d).cloned();
        let end = props.one("end", d).cloned();
        props.finish(d);
        let frame_rate = frame_rate.unwrap_or(FrameRate::F24);
        self.frame_rate = frame_rate;
        let picture_start = picture_start
            .and_then(|property| self.lone_timecode(&property))
            .and_then(|timecode| self.check_timecode(timecode))
            .map_or(Timecode::ZERO, |timecode| timecode.value);
        let end = end
            .and_then(|property| self.lone_timecode(&property))
            .and_then(|timecode| self.check_timecode(timecode));
        Some(Project {
            end,
            title,
            frame_rate,
            sample_rate: sample_rate.map_or(48_000, |rate| rate.value),
            picture_start,
            release,
            pan_law: pan_law.map(|law| law.value).unwrap_or_default(),
            span: declaration.span,
        })
    }
}
