//! `pan`: reading it, and deciding where a panned mono source goes in the
//! layout of the bus or album it reaches.
//!
//! - A channel the layout has is a direct route (`pan C` into 5.1 or 1.0,
//!   `pan Ls` into 5.1).
//! - `pan C` into a layout without a centre is a phantom centre: the source
//!   at 0° on the layout's ring, which for 2.0 is L and R each at the
//!   project's `pan_law` gain.
//! - `pan 30deg` places the source at that azimuth between the two nearest
//!   loudspeakers of the layout's ring ([`crate::audio::pan_ring`]).
//! - Anything else (`pan Ls` into 2.0, an azimuth into 1.0) is an error
//!   naming the bus or album.

use crate::{
    audio::{pan_law::PanLaw, pan_ring::ring_gains},
    diagnostic::Diagnostic,
    model::{Model, Named, Pan, Spanned},
    resolve::args::Args,
    syntax::{span::Span, unit::Dimension},
};

/// E0330: a `pan_law` that is not one of the four laws.
pub const UNKNOWN_PAN_LAW: &str = crate::diagnostic::codes::E0330.code;
/// E0331: a pan to a channel the destination lacks.
pub const NO_SUCH_CHANNEL: &str = crate::diagnostic::codes::E0331.code;
/// E0332: an azimuth into a layout without a ring of loudspeakers.
pub const NO_RING: &str = crate::diagnostic::codes::E0332.code;

/// Reads `pan C` or `pan 30deg` (an azimuth from -180° to 180°).
pub(super) fn pan(args: &mut Args<'_, '_>) -> Option<Pan> {
    use crate::syntax::ast::Value;
    let angled = args.peek().is_some_and(|argument| {
        matches!(
            &argument.value,
            Value::Quantity { .. } | Value::Misspelt { .. } | Value::Number { .. }
        )
    });
    if !angled {
        return args
            .word("a channel such as `C` or an azimuth such as `30deg`")
            .map(Pan::Channel);
    }
    let azimuth = args.quantity(Dimension::Angle)?;
    if !(-180.0..=180.0).contains(&azimuth.value) {
        return args.out_of_range(
            azimuth.span,
            format!("an azimuth of {}deg is not between -180deg and 180deg", azimuth.value),
            "write an azimuth from -180deg to 180deg: 0deg is front centre, positive angles are to the left",
        );
    }
    Some(Pan::Azimuth(azimuth))
}

/// Reads `pan_law -3dB` (or `0dB`, `-4.5dB`, `-6dB`).
pub(super) fn pan_law(args: &mut Args<'_, '_>) -> Option<Spanned<PanLaw>> {
    let gain = args.quantity(Dimension::Gain)?;
    match PanLaw::from_db(gain.value) {
        Some(law) => Some(Spanned {
            value: law,
            span: gain.span,
        }),
        None => {
            args.diagnostics.push(
                Diagnostic::error(
                    UNKNOWN_PAN_LAW,
                    format!("{}dB is not a pan law sndtrk knows", gain.value),
                )
                .at(gain.span, "unknown pan law")
                .help(
                    "write one of `0dB`, `-3dB` (the default, constant power), `-4.5dB` or `-6dB`",
                ),
            );
            None
        }
    }
}

/// The project's pan law (-3 dB without a project or a `pan_law`).
pub fn project_law(model: &Model) -> PanLaw {
    model
        .project
        .as_ref()
        .map_or_else(PanLaw::default, |project| project.pan_law)
}

/// Where a panned mono source goes in a layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// Into one channel at unity, by index.
    Channel(usize),
    /// Into several channels, by index, each at its gain.
    Gains(Vec<(usize, f64)>),
}

/// Why a pan has no place in a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unplaceable {
    /// A channel the layout does not have (and, for `C`, no ring to make a
    /// phantom centre on).
    NoChannel,
    /// An azimuth, but the layout has fewer than two loudspeakers on its ring.
    NoRing,
}

/// Where `pan` puts a mono source in a layout of `channels`, at `law`.
pub fn placement(channels: &[String], pan: &Pan, law: PanLaw) -> Result<Placement, Unplaceable> {
    let ring = |degrees| {
        ring_gains(channels, degrees, law).map(|gains| match gains.as_slice() {
            [(index, _)] => Placement::Channel(*index),
            _ => Placement::Gains(gains),
        })
    };
    match pan {
        Pan::Channel(channel) => {
            if let Some(index) = channels.iter().position(|known| *known == channel.name) {
                return Ok(Placement::Channel(index));
            }
            if channel.name != "C" {
                return Err(Unplaceable::NoChannel);
            }
            ring(0.0).ok_or(Unplaceable::NoChannel)
        }
        Pan::Azimuth(azimuth) => ring(azimuth.value).ok_or(Unplaceable::NoRing),
    }
}

/// What a pan's error message says of the two sides: `stem `dx``, and the
/// destination `bus `ST`` with its layout and channels.
pub struct PanContext<'a> {
    /// `stem `dx`` or `cue `1M1``.
    pub source: String,
    /// `bus `ST`` or `album `ost``.
    pub destination: String,
    /// The destination's layout name.
    pub layout: &'a str,
    /// The destination's channels.
    pub channels: &'a [String],
    /// Where the source joins the destination (the bus member or album
    /// track), if that is not the pan itself.
    pub joins: Option<Span>,
}

/// E0331 or E0332 for `pan` that has no place in the context's layout.
pub fn unplaceable(context: &PanContext<'_>, pan: &Pan, problem: Unplaceable) -> Diagnostic {
    let PanContext {
        source,
        destination,
        layout,
        channels,
        joins,
    } = context;
    let list = channels.join(" ");
    let diagnostic = match problem {
        Unplaceable::NoChannel => Diagnostic::error(
            NO_SUCH_CHANNEL,
            format!(
                "{source} pans to `{}`, but {destination} is {layout} and has no `{}`",
                pan.describe(),
                pan.describe()
            ),
        )
        .at(pan.span(), format!("no `{}` in {destination}", pan.describe()))
        .help(format!(
            "pan to a channel of {layout} ({list}), to `C` (a phantom centre where there is none), or to an azimuth such as `30deg`"
        )),
        Unplaceable::NoRing => Diagnostic::error(
            NO_RING,
            format!(
                "{source} pans to {}, but {destination} is {layout}, with no loudspeakers around the listener to pan between",
                pan.describe()
            ),
        )
        .at(pan.span(), format!("an azimuth into {destination}"))
        .help(format!(
            "an azimuth needs two or more of L R C Ls Rs Lss Rss Lrs Rrs; pan to a channel of {layout} ({list})"
        )),
    };
    match joins {
        Some(span) => diagnostic.related(*span, format!("joins {destination} here")),
        None => diagnostic,
    }
}

/// The channels of layout `name` in `model` (empty if it is unknown).
pub fn channels(model: &Model, name: &str) -> Vec<String> {
    model
        .layouts
        .get(name)
        .map(|layout| {
            layout
                .channels
                .iter()
                .map(|channel| channel.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Checks that a panned `source` (a stem or cue's name, and its kind) has
/// a place in `destination` (a bus or album, `kind` naming it, of layout
/// `layout`), reporting E0331/E0332 otherwise.
pub(super) fn check(
    model: &Model,
    source: (&str, &Named),
    destination: (&str, &Named),
    layout: &str,
    pan: &Pan,
    joins: Span,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if model.layouts.index(layout).is_none() {
        return;
    }
    let channels = channels(model, layout);
    if let Err(problem) = placement(&channels, pan, project_law(model)) {
        let context = PanContext {
            source: format!("{} `{}`", source.0, source.1.name),
            destination: format!("{} `{}`", destination.0, destination.1.name),
            layout,
            channels: &channels,
            joins: Some(joins),
        };
        diagnostics.push(unplaceable(&context, pan, problem));
    }
}
