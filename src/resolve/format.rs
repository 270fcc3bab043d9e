//! Sample rates, bit depths and `format wav RATE DEPTH [float]`.

use crate::{
    model::{Format, Spanned},
    resolve::args::Args,
    syntax::unit::Dimension,
};

pub(super) fn sample_rate(args: &mut Args<'_, '_>) -> Option<Spanned<u32>> {
    let rate = args.quantity(Dimension::Frequency)?;
    if rate.value.fract() != 0.0 || !(8_000.0..=384_000.0).contains(&rate.value) {
        return args.out_of_range(
            rate.span,
            format!("{} Hz is not a sample rate", rate.value),
            "write a whole number of Hz from 8kHz to 384kHz, such as `48kHz` or `44.1kHz`",
        );
    }
    Some(Spanned {
        value: rate.value as u32,
        span: rate.span,
    })
}

pub(super) fn bit_depth(args: &mut Args<'_, '_>) -> Option<Spanned<u16>> {
    let bits = args.quantity(Dimension::BitDepth)?;
    if ![16.0, 24.0, 32.0].contains(&bits.value) {
        return args.out_of_range(
            bits.span,
            format!("{} bits is not a bit depth sndtrk writes", bits.value),
            "write `16bit`, `24bit` or `32bit float`",
        );
    }
    Some(Spanned {
        value: bits.value as u16,
        span: bits.span,
    })
}

/// E0368: an ADM master at a rate or depth the profile does not allow.
pub const ADM_FORMAT: &str = crate::diagnostic::codes::E0368.code;

/// `format wav RATE DEPTH [float]`, or `format adm RATE DEPTH` (48 or 96
/// kHz, 24 bits: the Dolby Atmos Master ADM Profile's).
pub(super) fn format(args: &mut Args<'_, '_>) -> Option<Format> {
    let adm = args.choice(&["wav", "adm"])?.name == "adm";
    let rate = sample_rate(args)?;
    let bits = bit_depth(args)?;
    if adm && ![48_000, 96_000].contains(&rate.value) {
        args.diagnostics.push(
            crate::diagnostic::Diagnostic::error(
                ADM_FORMAT,
                format!("an ADM master at {} Hz", rate.value),
            )
            .at(rate.span, "not 48 or 96 kHz")
            .help("the Dolby Atmos Master ADM Profile allows `48kHz` and `96kHz`"),
        );
        return None;
    }
    if adm && bits.value != 24 {
        args.diagnostics.push(
            crate::diagnostic::Diagnostic::error(
                ADM_FORMAT,
                format!("an ADM master of {}-bit samples", bits.value),
            )
            .at(bits.span, "not 24-bit")
            .help("the Dolby Atmos Master ADM Profile's samples are `24bit`"),
        );
        return None;
    }
    let float = args.eat("float").is_some();
    if float != (bits.value == 32) {
        return args.out_of_range(
            bits.span,
            if float {
                format!("{}-bit samples are integers, not float", bits.value)
            } else {
                "32-bit samples are written as float".to_owned()
            },
            "write `16bit`, `24bit` or `32bit float`",
        );
    }
    Some(Format {
        adm,
        sample_rate: rate.value,
        bits: bits.value,
        float,
        span: args.property_span(),
    })
}
