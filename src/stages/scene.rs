//! A scene re-rendered to loudspeakers (`target NAME { from SCENE layout
//! 7.1.4 … }`): the bed arrives as a matrix (each bed channel's BS.2127
//! DirectSpeakers gains, made when the plan is lowered); each object is
//! rendered here, from the very blocks the scene's ADM master carries.
//!
//! An object's path is put on the programme's clock (the bed's first
//! sample), compiled to the master's audioBlockFormats
//! ([`crate::audio::adm::blocks::compile`]) and read as BS.2127 reads them
//! from the master: the first block without interpolation, every later one
//! a jump over its `interpolationLength` as written in seconds (0.005208 s,
//! 249.984 samples at 48 kHz). A renderer of the master, such as `ear`,
//! therefore gives the same loudspeaker feeds.

use miette::IntoDiagnostic;

use crate::{
    audio::{
        adm::{axml::interpolation_length, blocks::compile, Block},
        bs2127::{ObjectBlock, ObjectStream, Position, TargetLayout},
        Bus, Convert, Matrix, Source, WavReader,
    },
    engine::key::Params,
    lower::{AdmObject, MasterRerender, Route},
    stages::keys::route_params,
};

/// `object`'s mono stage output `source` rendered to `layout` (a layout
/// the renderer targets, in its WAV order), for a programme at `rate`
/// whose first sample is `programme_start` samples after midnight.
pub(super) fn object_source(
    object: &AdmObject,
    source: Box<dyn Source>,
    layout: &str,
    rate: u32,
    programme_start: u64,
) -> miette::Result<Box<dyn Source>> {
    let Some(target) = TargetLayout::named(layout) else {
        miette::bail!(
            "object `{}`: the BS.2127 renderer does not render to {layout}",
            object.name
        );
    };
    if source.channels() != 1 {
        miette::bail!(
            "object `{}` has {} channels, not one",
            object.name,
            source.channels()
        );
    }
    let blocks = compile(&object.points(programme_start), source.frames(), rate);
    let stream = ObjectStream::new(source, target, object_blocks(&blocks, rate))
        .map_err(|error| miette::miette!("object `{}`: {error}", object.name))?;
    Ok(Box::new(stream))
}

/// The master's blocks as BS.2127 interprets them, in frames at `rate`.
pub(crate) fn object_blocks(blocks: &[Block], rate: u32) -> Vec<ObjectBlock> {
    blocks
        .iter()
        .map(|block| {
            let written = interpolation_length(block.interpolation, rate);
            let seconds: f64 = written.parse().unwrap_or(0.0);
            ObjectBlock::new(
                block.start,
                block.frames,
                Position::new(block.x, block.y, block.z),
            )
            .with_jump(seconds * f64::from(rate))
        })
        .collect()
}

/// An ADM master's tracks (the file at `master`) rendered to `rerender`'s
/// loudspeakers: the bed by its matrix, each object's track from its path
/// on the master's clock (its `bext` time reference).
pub(super) fn master_source(
    master: &std::path::Path,
    rerender: &MasterRerender,
    rate: u32,
) -> miette::Result<Box<dyn Source>> {
    let open = || WavReader::open(master).into_diagnostic();
    let reader = open()?;
    let tracks = reader.channels();
    let start = reader.format().time_reference.unwrap_or(0);
    let bed = Matrix::new("bed", tracks, rerender.bed.clone()).into_diagnostic()?;
    let mut sum = Bus::new(rerender.channels.len()).into_diagnostic()?;
    sum.add(
        Box::new(Convert::new(reader, bed).into_diagnostic()?),
        0,
        0.0,
    )
    .into_diagnostic()?;
    for (track, object) in &rerender.objects {
        let mut row = vec![0.0f32; tracks];
        if let Some(slot) = row.get_mut(*track) {
            *slot = 1.0;
        }
        let select = Matrix::new("track", tracks, vec![row]).into_diagnostic()?;
        let mono = Box::new(Convert::new(open()?, select).into_diagnostic()?);
        let placed = object_source(object, mono, &rerender.layout, rate, start)?;
        sum.add(placed, 0, 0.0).into_diagnostic()?;
    }
    Ok(Box::new(sum))
}

/// The key parameters of an ADM master's measurement on its re-render.
pub(super) fn rerender_params(params: &mut Params<'_>, rerender: &MasterRerender) {
    params
        .str("rerender.layout", &rerender.layout)
        .u64("rerender.dialogue_inputs", rerender.dialogue.len() as u64);
    for (index, row) in rerender.bed.iter().enumerate() {
        let text: Vec<String> = row.iter().map(|gain| format!("{gain:?}")).collect();
        params.str(&format!("rerender.bed{index}"), &text.join(" "));
    }
    for (track, object) in &rerender.objects {
        route_params(
            params,
            &format!("rerender.track{track}"),
            &Route::Object(object.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_read_as_the_master_writes_them() {
        let blocks = [
            Block {
                start: 0,
                frames: 1024,
                x: -1.0,
                y: 1.0,
                z: 0.0,
                interpolation: 0,
            },
            Block {
                start: 1024,
                frames: 1024,
                x: 1.0,
                y: 1.0,
                z: 0.0,
                interpolation: 250,
            },
        ];
        let read = object_blocks(&blocks, 48_000);
        assert_eq!(read[0].interpolation, 0.0);
        assert!(read[0].jump && read[1].jump);
        // 0.005208 s, as written, is 249.984 samples.
        assert!((read[1].interpolation - 249.984).abs() < 1e-9);
        assert_eq!((read[1].start, read[1].duration), (1024, 1024));
    }
}
