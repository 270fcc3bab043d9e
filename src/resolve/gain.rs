//! Gains in dB and levels in dBFS.

use crate::{
    diagnostic::Diagnostic, model::Spanned, resolve::args::Args, syntax::span::Span,
    syntax::unit::Dimension,
};

pub(super) fn check_gain(diagnostics: &mut Vec<Diagnostic>, gain: f64, span: Span) -> Option<f64> {
    if (-144.0..=48.0).contains(&gain) {
        return Some(gain);
    }
    diagnostics.push(
        Diagnostic::error(
            crate::resolve::OUT_OF_RANGE,
            format!("a gain of {gain} dB is out of range"),
        )
        .at(span, "out of range")
        .help("write a gain between -144dB and +48dB"),
    );
    None
}

pub(super) fn gain(args: &mut Args<'_, '_>) -> Option<Spanned<f64>> {
    let gain = args.quantity(Dimension::Gain)?;
    check_gain(args.diagnostics, gain.value, gain.span).map(|value| Spanned {
        value,
        span: gain.span,
    })
}

pub(super) fn level(args: &mut Args<'_, '_>) -> Option<f64> {
    let level = args.quantity(Dimension::Level)?;
    if !(-144.0..=0.0).contains(&level.value) {
        return args.out_of_range(
            level.span,
            format!("a level of {} dBFS is out of range", level.value),
            "write a level between -144dBFS and 0dBFS",
        );
    }
    Some(level.value)
}
