//! How a render stage's file is written: its channel layout, a target's
//! format, start and dither, and whether a target is normalised to its
//! spec. Shared by a target's own run ([`crate::stages`]) and its run in
//! its bus's pass ([`crate::stages::follow`]).

use miette::IntoDiagnostic;

use crate::{
    audio::{dither::TpdfQuantizer, ChannelLayout, WavSpec},
    lower::{SpecLimits, TargetStage},
    model::LoudnessTarget,
    stages::delivery::encoding,
};

/// The spec and loudness a target is normalised to, if it is.
pub(crate) fn normalization(target: &TargetStage) -> Option<(&SpecLimits, LoudnessTarget)> {
    let spec = target.spec.as_ref()?;
    let loudness = spec.loudness?;
    target.normalize.then_some((spec, loudness))
}

/// The layout of `channels`, with the WAV channel mask `mask` when it
/// differs from theirs.
pub(crate) fn layout(channels: &[String], mask: Option<u32>) -> miette::Result<ChannelLayout> {
    let layout = ChannelLayout::new("layout", channels).into_diagnostic()?;
    match mask {
        Some(mask) if mask != layout.mask() => {
            Ok(ChannelLayout::from_wav_mask(mask, channels.len()))
        }
        _ => Ok(layout),
    }
}

/// How target `target` is written: its file's format, with its start
/// (`time_reference`, in samples at the project's `rate`) moved to the
/// deliverable's rate (a resampled deliverable starts at the same instant),
/// and its dither.
pub(crate) fn target_output(
    target: &TargetStage,
    rate: u32,
    time_reference: u64,
) -> miette::Result<(WavSpec, Option<TpdfQuantizer>)> {
    let (sample_format, quantizer) = encoding(&target.format, &target.id)?;
    let out_rate = target.format.sample_rate;
    let time_reference = ((u128::from(time_reference) * u128::from(out_rate)
        + u128::from(rate) / 2)
        / u128::from(rate)) as u64;
    let spec = WavSpec {
        sample_rate: out_rate,
        layout: layout(&target.channels, target.mask)?,
        sample_format,
        time_reference: Some(time_reference),
    };
    Ok((spec, quantizer))
}
