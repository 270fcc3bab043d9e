//! The `layout` and `downmix` declarations: channel layouts and the matrices
//! between them.

use crate::{
    model::{Downmix, Layout, MatrixRow, Named},
    resolve::{interpret::Interpreter, props::Props},
    syntax::ast::{Argument, Declaration, Value},
};

pub(super) const LAYOUT: &[&str] = &["channels", "mask"];
pub(super) const DOWNMIX: &[&str] = &["from", "matrix", "default"];

impl Interpreter<'_> {
    pub(super) fn layout(&mut self, declaration: &Declaration, name: Named) -> Layout {
        let mut props = Props::new(declaration, LAYOUT);
        let d = &mut *self.diagnostics;
        let channels = props.read("channels", d, |args| {
            let list = args.list("a list of channels such as `[L, R]`")?;
            let Value::List(items) = &list.value else {
                return None;
            };
            let mut channels = Vec::new();
            for item in items {
                match item.values.as_slice() {
                    [Argument {
                        value: Value::Word(word),
                        span,
                    }] => {
                        if channels.iter().any(|channel: &Named| channel.name == *word) {
                            return args.out_of_range(
                                *span,
                                format!("channel `{word}` is listed twice"),
                                "list each channel once",
                            );
                        }
                        channels.push(Named {
                            name: word.clone(),
                            span: *span,
                        });
                    }
                    _ => {
                        let _: Option<()> =
                            args.wrong(&item.values[0], "a channel label such as `L`");
                    }
                }
            }
            if channels.is_empty() || channels.len() > 32 {
                return args.out_of_range(
                    list.span,
                    format!("a layout of {} channels", channels.len()),
                    "a layout has 1 to 32 channels",
                );
            }
            Some(channels)
        });
        let channels = props
            .require(channels, "channels", "channels [L, R]", d)
            .unwrap_or_default();
        let mask = props.read("mask", d, |args| {
            let mask = args.hex("a WAV channel mask such as `0x3`")?;
            let bits = mask.value.count_ones() as usize;
            if mask.value > u64::from(u32::MAX) || (!channels.is_empty() && bits != channels.len())
            {
                return args.out_of_range(
                    mask.span,
                    format!(
                        "mask {:#X} has {bits} channel bits but the layout lists {} channels",
                        mask.value,
                        channels.len()
                    ),
                    "give one mask bit per channel, in the order of the mask bits",
                );
            }
            u32::try_from(mask.value).ok()
        });
        props.finish(d);
        Layout {
            name,
            channels,
            mask,
            span: declaration.span,
        }
    }

    pub(super) fn downmix(&mut self, declaration: &Declaration, name: Named) -> Downmix {
        let mut props = Props::new(declaration, DOWNMIX);
        let d = &mut *self.diagnostics;
        let layouts = props.read("from", d, |args| {
            let from = args.layout()?;
            args.expect("to")?;
            let to = args.layout()?;
            Some((from, to))
        });
        let layouts = props.require(layouts, "from", "from 5.1 to 2.0", d);
        let rows = props.read_all("matrix", d, |args| {
            let output = args.word("an output channel such as `L`")?;
            let list = args.list("the inputs and their gains, such as `[L 1.0, C 0.7071]`")?;
            let Value::List(items) = &list.value else {
                return None;
            };
            let mut inputs = Vec::new();
            for item in items {
                match item.values.as_slice() {
                    [Argument {
                        value: Value::Word(channel),
                        span,
                    }, Argument {
                        value: Value::Number { value, .. },
                        span: gain_span,
                    }] => {
                        if value.abs() > 4.0 {
                            return args.out_of_range(
                                *gain_span,
                                format!("a matrix gain of {value}"),
                                "matrix gains lie between -4 and 4",
                            );
                        }
                        inputs.push((
                            Named {
                                name: channel.clone(),
                                span: *span,
                            },
                            *value,
                        ));
                    }
                    _ => {
                        return args.wrong(
                            &item.values[0],
                            "an input channel and its gain, such as `C 0.7071`",
                        );
                    }
                }
            }
            Some(MatrixRow { output, inputs })
        });
        // `default`: the downmix a bus member or target of its `from`
        // layout uses for its `to` layout unless it names another.
        let default = props.one("default", d).cloned().map(|property| {
            crate::resolve::args::Args::new(&property, d).finish();
            property.keyword.span
        });
        props.finish(d);
        let (from, to) = match layouts {
            Some((from, to)) => (Some(from), Some(to)),
            None => (None, None),
        };
        Downmix {
            name,
            from,
            to,
            rows,
            default,
            span: declaration.span,
        }
    }
}
