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
        bs2127::{ObjectBlock, ObjectPanner, ObjectStream, Position, TargetLayout},
        AudioError, Matrix, Source, WavReader,
    },
    engine::key::Params,
    lower::{AdmObject, MasterRerender},
    stages::keys::{object_params, rows_params},
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
    if source.channels() != 1 {
        miette::bail!(
            "object `{}` has {} channels, not one",
            object.name,
            source.channels()
        );
    }
    let panner = object_panner(object, layout, source.frames(), rate, programme_start)?;
    Ok(Box::new(ObjectStream::with_panner(source, panner)))
}

/// `object`'s blocks over a programme of `frames` samples at `rate` whose
/// first sample is `programme_start`, ready to render to `layout`.
fn object_panner(
    object: &AdmObject,
    layout: &str,
    frames: u64,
    rate: u32,
    programme_start: u64,
) -> miette::Result<ObjectPanner> {
    let Some(target) = TargetLayout::named(layout) else {
        miette::bail!(
            "object `{}`: the BS.2127 renderer does not render to {layout}",
            object.name
        );
    };
    let blocks = compile(&object.points(programme_start), frames, rate);
    ObjectPanner::new(target, object_blocks(&blocks, rate))
        .map_err(|error| miette::miette!("object `{}`: {error}", object.name))
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
/// on the master's clock (its `bext` time reference). The file is read
/// once for the bed and every object.
pub(super) fn master_source(
    master: &std::path::Path,
    rerender: &MasterRerender,
    rate: u32,
) -> miette::Result<Box<dyn Source>> {
    let reader = WavReader::open(master).into_diagnostic()?;
    let tracks = reader.channels();
    let start = reader.format().time_reference.unwrap_or(0);
    let bed = Matrix::new("bed", tracks, rerender.bed.clone()).into_diagnostic()?;
    let mut objects = Vec::with_capacity(rerender.objects.len());
    for (track, object) in &rerender.objects {
        if *track >= tracks {
            miette::bail!(
                "object `{}`: the master has no track {}",
                object.name,
                track + 1
            );
        }
        let panner = object_panner(object, &rerender.layout, reader.frames(), rate, start)?;
        objects.push((*track, panner));
    }
    Ok(Box::new(MasterRender {
        reader,
        tracks,
        channels: rerender.channels.len(),
        bed,
        objects,
        frames: Vec::new(),
        mono: Vec::new(),
        placed: Vec::new(),
    }))
}

/// [`master_source`]'s render: one read of the master's tracks, summed as a
/// bus sums its members (the bed, then each object, in order, on silence).
struct MasterRender {
    reader: WavReader,
    tracks: usize,
    channels: usize,
    bed: Matrix,
    objects: Vec<(usize, ObjectPanner)>,
    frames: Vec<f32>,
    mono: Vec<f32>,
    placed: Vec<f32>,
}

impl Source for MasterRender {
    fn channels(&self) -> usize {
        self.channels
    }

    fn frames(&self) -> u64 {
        self.reader.frames()
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let want = out.len() / self.channels.max(1);
        self.frames.resize(want * self.tracks, 0.0);
        let got = self.reader.read(&mut self.frames)?;
        let input = &self.frames[..got * self.tracks];
        let out = &mut out[..got * self.channels];
        self.placed.resize(out.len(), 0.0);
        self.bed.apply(input, &mut self.placed);
        out.fill(0.0);
        add(out, &self.placed);
        for (track, panner) in &mut self.objects {
            self.mono.clear();
            self.mono
                .extend(input.chunks_exact(self.tracks).map(|frame| frame[*track]));
            panner.render(&self.mono, &mut self.placed);
            add(out, &self.placed);
        }
        Ok(got)
    }
}

fn add(out: &mut [f32], placed: &[f32]) {
    for (o, p) in out.iter_mut().zip(placed) {
        *o += p;
    }
}

/// The key parameters of an ADM master's measurement on its re-render.
pub(super) fn rerender_params(params: &mut Params<'_>, rerender: &MasterRerender) {
    params
        .str("rerender.layout", &rerender.layout)
        .u64("rerender.dialogue_inputs", rerender.dialogue.len() as u64);
    rows_params(params, "rerender.bed", &rerender.bed);
    for (track, object) in &rerender.objects {
        object_params(params, &format!("rerender.track{track}"), object);
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
