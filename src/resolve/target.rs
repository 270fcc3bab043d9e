//! The `target` declaration: a deliverable rendered from buses (layout and
//! downmix, format, spec, media, territory, release, due date, normalize,
//! limiter, dialogue gate, match, reel).

use crate::{
    model::{Named, Target},
    resolve::{coverage::coverage, format::format, interpret::Interpreter, props::Props},
    syntax::ast::Declaration,
};

pub(super) const TARGET: &[&str] = &[
    "kind",
    "from",
    "layout",
    "format",
    "spec",
    "media",
    "territory",
    "release",
    "due",
    "normalize",
    "limiter",
    "dialogue_gate",
    "match",
    "reel",
];

impl Interpreter<'_> {
    pub(super) fn target(&mut self, declaration: &Declaration, name: Named) -> Target {
        let mut props = Props::new(declaration, TARGET);
        let d = &mut *self.diagnostics;
        let is_me = props
            .read("kind", d, |args| args.choice(&["mix", "me"]))
            .is_some_and(|kind| kind.name == "me");
        let from = props
            .read("from", d, |args| {
                Some(args.words("the buses it is rendered from"))
            })
            .unwrap_or_default();
        if from.is_empty() {
            props.require(None::<()>, "from", "from PM", d);
        }
        let format = props.read("format", d, format);
        let format = props.require(format, "format", "format wav 48kHz 24bit", d);
        let adm = format.is_some_and(|format| format.adm)
            || props.has("format") && format.is_none() && !props.has("layout");
        let layout = props.read("layout", d, |args| {
            let layout = args.layout()?;
            let downmix = if args.eat("downmix").is_some() {
                Some(args.word("the name of a downmix such as `loro`")?)
            } else {
                None
            };
            Some((layout, downmix))
        });
        // A target without a layout would render nothing: it is required,
        // but for an ADM master, whose tracks are its scene's.
        let layout = if adm {
            layout
        } else {
            props.require(layout, "layout", "layout 5.1", d)
        };
        let (layout, downmix) = match layout {
            Some((layout, downmix)) => (Some(layout), downmix),
            None => (None, None),
        };
        let spec = props.read("spec", d, |args| {
            args.word("a delivery spec such as `netflix.stereo`")
        });
        let media = props.read("media", d, |args| {
            coverage(
                args,
                "all",
                "media such as `streaming` or `[streaming, broadcast]`",
            )
        });
        let territory = props.read("territory", d, |args| {
            coverage(args, "world", "territories such as `world` or `[GB, DE]`")
        });
        let release = props.read("release", d, |args| args.date());
        let due = props.read("due", d, |args| args.date());
        let normalize = props
            .read("normalize", d, |args| args.choice(&["on", "off"]))
            .is_none_or(|choice| choice.name == "on");
        let limiter = props
            .read("limiter", d, |args| args.choice(&["on", "off"]))
            .is_some_and(|choice| choice.name == "on");
        let dialogue_gate = props
            .read("dialogue_gate", d, |args| {
                Some(args.words("the dialogue stems or buses that gate loudness"))
            })
            .unwrap_or_default();
        let matches = props.read("match", d, |args| {
            args.word("the target whose level this one takes, such as `print_master`")
        });
        let reel = props.read("reel", d, |args| {
            args.word("the reel it renders, such as `R2`")
        });
        props.finish(d);
        Target {
            reel,
            name,
            from,
            layout,
            downmix,
            format,
            spec,
            media,
            territory,
            release,
            due,
            normalize,
            limiter,
            dialogue_gate,
            matches,
            is_me,
            span: declaration.span,
        }
    }
}
