//! How a render stage's file is written: its channel layout, a target's
//! format, start and dither, whether a target is normalised to its spec,
//! and what a deliverable's `bext` chunk says of it. Shared by a target's
//! own run ([`crate::stages`]) and its run in its bus's pass
//! ([`crate::stages::follow`]).

use miette::IntoDiagnostic;

use crate::{
    audio::{bext::BextInfo, dither::TpdfQuantizer, ChannelLayout, WavSpec},
    lower::{AlbumTrackStage, SpecLimits, TargetStage},
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
    stamp: Stamp,
) -> miette::Result<(WavSpec, Option<TpdfQuantizer>)> {
    let out_rate = target.format.sample_rate;
    let at_out_rate = |samples: u64| {
        ((u128::from(samples) * u128::from(out_rate) + u128::from(rate) / 2) / u128::from(rate))
            as u64
    };
    let (sample_format, quantizer) = encoding(&target.format, &dither_identity(target))?;
    let first = at_out_rate(stamp.first).saturating_mul(target.channels.len() as u64);
    let quantizer = quantizer.map(|quantizer| quantizer.starting_at(first));
    let time_reference = at_out_rate(stamp.time_reference);
    let spec = WavSpec {
        sample_rate: out_rate,
        layout: layout(&target.channels, target.mask)?,
        sample_format,
        time_reference: Some(time_reference),
    };
    Ok((spec, quantizer))
}

/// Where a target's first sample is: on the picture's clock (its `bext`
/// time reference) and in the long play, both at the project's rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub time_reference: u64,
    pub first: u64,
}

/// What a target's dither sequence is seeded with: what it renders (its
/// buses, routes, layout and depth), not its name, and the sequence runs
/// from the start of the long play: a reel's target takes the noise the
/// long play takes there, so it is that reel of the long play to the bit.
fn dither_identity(target: &TargetStage) -> String {
    let mut identity = format!("dither:{}:{}", target.layout, target.format.bits);
    for (id, route) in &target.from {
        match route {
            // An object's placement, not where its path is written in the
            // recipe (its points' spans).
            crate::lower::Route::Object(object) => identity.push_str(&format!(
                "|{id} object {} {} {}",
                object.name,
                object.start,
                object.path_text()
            )),
            _ => identity.push_str(&format!("|{id} {route:?}")),
        }
    }
    identity
}

/// The `bext` description of target `target` of the project titled
/// `project`: project, deliverable, layout and spec, e.g. `Night Harbor -
/// print_master - 5.1 - netflix.surround` (a part that is empty is left
/// out; the chunk holds it in ASCII, see [`crate::audio::bext`]).
pub(crate) fn target_bext(project: &str, target: &TargetStage) -> BextInfo {
    let spec = target.spec.as_ref().map_or("", |spec| spec.name.as_str());
    describe(&[project, &target.name, &target.layout, spec])
}

/// The `bext` description of album track `track`, on the album titled
/// `album` of the project titled `project`: project, album, track number
/// and title, e.g. `Night Harbor - Night Harbor (Original Motion Picture
/// Soundtrack) - 01 Harbor Lights`.
pub(crate) fn track_bext(project: &str, album: &str, track: &AlbumTrackStage) -> BextInfo {
    let title = format!("{:02} {}", track.number, track.title);
    describe(&[project, album, title.trim()])
}

/// The parts that are not empty, joined by ` - `.
fn describe(parts: &[&str]) -> BextInfo {
    let parts: Vec<&str> = parts
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect();
    BextInfo::new(parts.join(" - "))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{
        audio::bext::{self, BextLoudness},
        lower::{lower, StageSpec},
        resolve::resolve_text,
    };

    /// The example's plan.
    fn example() -> Vec<StageSpec> {
        let text = include_str!("../../examples/night-harbor/soundtrack.sndtrk");
        let resolved = resolve_text("soundtrack.sndtrk", None, text);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        lower(&resolved.model, Path::new(".")).stages
    }

    #[test]
    fn a_target_is_described_by_project_name_layout_and_spec() {
        let stages = example();
        let target = |name: &str| {
            stages
                .iter()
                .find_map(|stage| match stage {
                    StageSpec::Target(target) if target.name == name => Some(target.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no target {name}"))
        };
        assert_eq!(
            target_bext("Night Harbor", &target("print_master")).description,
            "Night Harbor - print_master - 5.1 - netflix.surround"
        );
        assert_eq!(
            target_bext("Night Harbor", &target("stereo")).description,
            "Night Harbor - stereo - 2.0 - netflix.stereo"
        );
        let mut bare = target("me");
        bare.spec = None;
        assert_eq!(
            target_bext("", &bare).description,
            "me - 5.1",
            "empty parts are left out"
        );
        // What the chunk holds: ASCII.
        let info = target_bext("Café Noir — Director’s Cut", &target("broadcast"));
        let body = bext::encode(&info, 0, &BextLoudness::default());
        assert_eq!(
            bext::description(&body).as_deref(),
            Some("Cafe Noir - Director's Cut - broadcast - 2.0 - ebu.r128")
        );
    }

    #[test]
    fn an_album_track_is_described_by_project_album_number_and_title() {
        let track = example()
            .into_iter()
            .find_map(|stage| match stage {
                StageSpec::AlbumTrack(track) if track.number == 2 => Some(track),
                _ => None,
            })
            .expect("track 2");
        assert_eq!(
            track_bext(
                "Night Harbor",
                "Night Harbor (Original Motion Picture Soundtrack)",
                &track
            )
            .description,
            "Night Harbor - Night Harbor (Original Motion Picture Soundtrack) - 02 Ocean Drive"
        );
    }
}
