//! The `spec` declaration: a delivery spec (layouts, rate, depth, loudness,
//! true and sample peaks, loudness range, limiter).

use crate::{
    model::{LoudnessGate, LoudnessTarget, Named, Spanned, Spec},
    resolve::{
        args::layout_name,
        format::{bit_depth, sample_rate},
        interpret::Interpreter,
        props::Props,
    },
    syntax::ast::{Declaration, Value},
    syntax::unit::Dimension,
};

pub(super) const SPEC: &[&str] = &[
    "kind",
    "layout",
    "rate",
    "depth",
    "loudness",
    "true_peak",
    "sample_peak",
    "lra",
    "limiter",
];

impl Interpreter<'_> {
    pub(super) fn spec(&mut self, declaration: &Declaration, name: Named) -> Spec {
        let mut props = Props::new(declaration, SPEC);
        let d = &mut *self.diagnostics;
        let is_me = props
            .read("kind", d, |args| args.choice(&["mix", "me"]))
            .is_some_and(|kind| kind.name == "me");
        let layouts = props
            .read("layout", d, |args| {
                let Some(argument) = args.peek() else {
                    return args.missing("a layout such as `5.1` or a list `[2.0, 5.1]`");
                };
                if let Value::List(items) = &argument.value {
                    let argument = args.list("a list of layouts")?;
                    let _ = argument;
                    let mut layouts = Vec::new();
                    for item in items {
                        match item.values.as_slice() {
                            [single] => match layout_name(single) {
                                Some(layout) => layouts.push(layout),
                                None => {
                                    let _: Option<()> =
                                        args.wrong(single, "a layout such as `5.1`");
                                }
                            },
                            _ => {
                                let _: Option<()> =
                                    args.wrong(&item.values[0], "one layout per list item");
                            }
                        }
                    }
                    Some(layouts)
                } else {
                    Some(vec![args.layout()?])
                }
            })
            .unwrap_or_default();
        let sample_rate = props.read("rate", d, |args| sample_rate(args));
        let bits = props.read("depth", d, |args| bit_depth(args));
        let loudness = props.read("loudness", d, |args| {
            let level = args.quantity(Dimension::Loudness)?;
            if !(-70.0..=0.0).contains(&level.value) {
                return args.out_of_range(
                    level.span,
                    format!("a loudness target of {} LUFS is out of range", level.value),
                    "write a loudness between -70LUFS and 0LUFS",
                );
            }
            let mut target = LoudnessTarget {
                lufs: level.value,
                tolerance_lu: 1.0,
                gate: LoudnessGate::Programme,
                span: args.property_span(),
            };
            loop {
                if args.eat("tolerance").is_some() {
                    let tolerance = args.quantity(Dimension::LoudnessDifference)?;
                    if !(0.0..=20.0).contains(&tolerance.value) {
                        return args.out_of_range(
                            tolerance.span,
                            format!("a tolerance of {} LU is out of range", tolerance.value),
                            "write a tolerance between 0LU and 20LU",
                        );
                    }
                    target.tolerance_lu = tolerance.value;
                } else if args.eat("gate").is_some() {
                    let gate = args.choice(&["programme", "dialogue"])?;
                    target.gate = if gate.name == "dialogue" {
                        LoudnessGate::Dialogue
                    } else {
                        LoudnessGate::Programme
                    };
                } else {
                    return Some(target);
                }
            }
        });
        let true_peak = props.read("true_peak", d, |args| {
            let peak = args.quantity(Dimension::TruePeak)?;
            if !(-60.0..=3.0).contains(&peak.value) {
                return args.out_of_range(
                    peak.span,
                    format!("a true-peak ceiling of {} dBTP is out of range", peak.value),
                    "write a ceiling between -60dBTP and 3dBTP",
                );
            }
            Some(peak)
        });
        let sample_peak = props.read("sample_peak", d, |args| {
            let peak = args.quantity(Dimension::Level)?;
            if !(-60.0..=0.0).contains(&peak.value) {
                return args.out_of_range(
                    peak.span,
                    format!(
                        "a sample-peak ceiling of {} dBFS is out of range",
                        peak.value
                    ),
                    "write a ceiling between -60dBFS and 0dBFS",
                );
            }
            Some(peak)
        });
        let lra = props.read("lra", d, |args| {
            let low = args.quantity(Dimension::LoudnessDifference)?;
            args.expect("to")?;
            let high = args.quantity(Dimension::LoudnessDifference)?;
            if high.value < low.value {
                return args.out_of_range(
                    high.span,
                    "the loudness range's maximum is below its minimum".to_owned(),
                    "write `lra MIN to MAX`",
                );
            }
            Some(Spanned {
                value: (low.value, high.value),
                span: low.span.to(high.span),
            })
        });
        let limiter = props
            .read("limiter", d, |args| args.choice(&["on", "off"]))
            .is_some_and(|choice| choice.name == "on");
        props.finish(d);
        Spec {
            name,
            layouts,
            sample_rate,
            bits,
            loudness,
            true_peak_dbtp: true_peak,
            sample_peak_dbfs: sample_peak,
            lra,
            is_me,
            limiter,
            span: declaration.span,
        }
    }
}
