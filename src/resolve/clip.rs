//! A clip, the part of a stem or cue that plays: its one audio source, layout,
//! pan, uses (each `at START [to END]`, see [`super::uses`]), gain, fades
//! and trims.

use crate::{
    diagnostic::Diagnostic,
    model::{Clip, FadeCurve, Spanned},
    resolve::{
        args::Args, audio_source::audio_source, gain::gain, interpret::Interpreter, pan::pan,
        props::Props,
    },
    syntax::ast::Declaration,
};

/// E0310: a stem or cue with two audio sources.
pub const TWO_SOURCES: &str = crate::diagnostic::codes::E0310.code;

const CLIP: &[&str] = &[
    "layout", "pan", "file", "tone", "noise", "silence", "at", "gain", "fade", "trim",
];

impl Interpreter<'_> {
    pub(super) fn clip(&mut self, declaration: &Declaration, props: &mut Props<'_>) -> Clip {
        let mut sources = Vec::new();
        for keyword in ["file", "tone", "noise", "silence"] {
            if let Some(property) = props.one(keyword, self.diagnostics) {
                sources.push(property);
            }
        }
        if let [first, second, ..] = sources.as_slice() {
            self.diagnostics.push(
                Diagnostic::error(
                    TWO_SOURCES,
                    format!("a {} has one audio source", declaration.kind),
                )
                .at(second.keyword.span, "second source")
                .related(first.keyword.span, "first source")
                .help("keep one of `file`, `tone`, `noise` and `silence`"),
            );
        }
        let frame_rate = self.frame_rate;
        let audio = sources.first().and_then(|property| {
            let mut args = Args::new(property, self.diagnostics);
            let audio = audio_source(&mut args, property.keyword.text.as_str(), self.sample_rate);
            if audio.is_some() {
                args.finish();
            }
            audio.map(|value| Spanned {
                value,
                span: property.span,
            })
        });
        let _ = frame_rate;
        let d = &mut *self.diagnostics;
        let layout = props.read("layout", d, |args| args.layout());
        let pan = props.read("pan", d, pan);
        let gain_db = props
            .read("gain", d, |args| gain(args))
            .map_or(0.0, |gain| gain.value);
        let placements = props.every("at");
        let fade = props.read("fade", d, |args| {
            let mut fade = (None, None, FadeCurve::EqualPower);
            let mut any = false;
            loop {
                if args.eat("in").is_some() {
                    fade.0 = Some(args.duration()?.value);
                } else if args.eat("out").is_some() {
                    fade.1 = Some(args.duration()?.value);
                } else if args.eat("linear").is_some() {
                    fade.2 = FadeCurve::Linear;
                } else if args.eat("equal_power").is_some() {
                    fade.2 = FadeCurve::EqualPower;
                } else if any {
                    return Some(fade);
                } else {
                    return match args.peek() {
                        Some(argument) => args.wrong(argument, "`in DURATION` or `out DURATION`"),
                        None => args.missing("`in DURATION` or `out DURATION`"),
                    };
                }
                any = true;
            }
        });
        let trim = props.read("trim", d, |args| {
            let mut trim = (None, None);
            let mut any = false;
            loop {
                if args.eat("head").is_some() {
                    trim.0 = Some(args.duration()?.value);
                } else if args.eat("tail").is_some() {
                    trim.1 = Some(args.duration()?.value);
                } else if any {
                    return Some(trim);
                } else {
                    return match args.peek() {
                        Some(argument) => {
                            args.wrong(argument, "`head DURATION` or `tail DURATION`")
                        }
                        None => args.missing("`head DURATION` or `tail DURATION`"),
                    };
                }
                any = true;
            }
        });
        let uses = self.uses(&placements);
        let (fade_in, fade_out, fade_curve) = fade.unwrap_or((None, None, FadeCurve::EqualPower));
        let (trim_head, trim_tail) = trim.unwrap_or((None, None));
        Clip {
            audio,
            layout,
            uses,
            gain_db,
            pan,
            fade_in,
            fade_out,
            fade_curve,
            trim_head,
            trim_tail,
        }
    }
}

#[allow(dead_code)]
const _CLIP_PROPERTIES: &[&str] = CLIP;
