//! An object rendered as a stream: [`super::render_object`]'s arithmetic,
//! frame for frame, over a mono [`Source`] read block by block, so that a
//! scene's re-render of a feature-length programme holds one block of
//! audio and one block's gains at a time ([`ObjectPanner`] is the same
//! render fed samples a caller already holds).
//!
//! Every frame of the output is exactly what [`super::render_object`]
//! writes into silent buffers for the same signal and blocks (a test holds
//! the two to the bit): the same gains, the same ramp `(1 − p)·from + p·to`
//! with `p = (n − s) / L`, computed in `f64` and rounded once to `f32`.

use super::error::RenderError;
use super::interpolation::{check_block, ramp_length, ObjectBlock};
use super::object_gains::{block_gains, LayoutPanner};
use super::target::TargetLayout;
use crate::audio::{AudioError, Source};

/// An object's metadata blocks rendered to `layout`, a block of mono
/// samples at a time, from the blocks' frame 0 on: the state of
/// [`ObjectStream`], for a caller that has the samples already (a master's
/// tracks, read once for all its objects).
pub struct ObjectPanner {
    panner: LayoutPanner,
    channels: usize,
    blocks: Vec<ObjectBlock>,
    /// The block the next frame is in or before.
    next: usize,
    /// The gains of the block `next` (once entered) and those it ramps from.
    current: Option<Entered>,
    /// The gains and end of the last block left, for the next one's ramp.
    previous: Option<(u64, Vec<f64>)>,
    /// The absolute frame the next sample is.
    position: u64,
}

/// A mono source rendered to `layout` by its metadata blocks.
pub struct ObjectStream {
    source: Box<dyn Source>,
    panner: ObjectPanner,
    scratch: Vec<f32>,
}

/// A block being rendered: its gains, and the ramp into them.
struct Entered {
    to: Vec<f64>,
    from: Option<Vec<f64>>,
    ramp_end: u64,
    length: f64,
}

impl ObjectStream {
    /// `source` (one channel, its frame 0 the blocks' frame 0) rendered to
    /// `layout` by `blocks` (checked as [`ObjectPanner::new`] checks them).
    pub fn new(
        source: Box<dyn Source>,
        layout: TargetLayout,
        blocks: Vec<ObjectBlock>,
    ) -> Result<Self, RenderError> {
        Ok(Self::with_panner(
            source,
            ObjectPanner::new(layout, blocks)?,
        ))
    }

    /// `source` rendered by `panner` (which must be at its frame 0).
    pub fn with_panner(source: Box<dyn Source>, panner: ObjectPanner) -> Self {
        Self {
            source,
            panner,
            scratch: Vec::new(),
        }
    }
}

impl ObjectPanner {
    /// `blocks` rendered to `layout` (in time order, not overlapping, each
    /// interpolation no longer than its block: what
    /// [`super::render_object`] checks, checked here once, up front).
    pub fn new(layout: TargetLayout, blocks: Vec<ObjectBlock>) -> Result<Self, RenderError> {
        let mut previous_end: Option<u64> = None;
        for block in &blocks {
            check_block(block, previous_end)?;
            previous_end = Some(block.start.saturating_add(block.duration));
        }
        let panner = LayoutPanner::new(layout);
        for block in &blocks {
            block_gains(&panner, block.position, block.gain)?;
        }
        Ok(Self {
            panner,
            channels: layout.channels(),
            blocks,
            next: 0,
            current: None,
            previous: None,
            position: 0,
        })
    }

    /// Channels per frame of the render.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Renders the next `mono.len()` frames into `out` (interleaved, one
    /// frame of [`ObjectPanner::channels`] per sample, overwritten).
    pub fn render(&mut self, mono: &[f32], out: &mut [f32]) {
        let channels = self.channels;
        for (i, (&x, frame)) in mono.iter().zip(out.chunks_exact_mut(channels)).enumerate() {
            self.render_frame(self.position + i as u64, f64::from(x), frame);
        }
        self.position += mono.len().min(out.len() / channels.max(1)) as u64;
    }

    /// Renders frame `n` (mono sample `x`) into `frame`, one value per
    /// channel; moves on to the block that holds `n`.
    fn render_frame(&mut self, n: u64, x: f64, frame: &mut [f32]) {
        while let Some(block) = self.blocks.get(self.next) {
            if n < block.start {
                break;
            }
            let end = block.start.saturating_add(block.duration);
            if n < end {
                if self.current.is_none() {
                    self.enter(*block);
                }
                break;
            }
            // The block is over: its gains are what the next ramps from.
            if self.current.is_none() {
                self.enter(*block);
            }
            if let Some(entered) = self.current.take() {
                self.previous = Some((end, entered.to));
            }
            self.next += 1;
        }
        let inside = self.blocks.get(self.next).is_some_and(|block| {
            n >= block.start && n < block.start.saturating_add(block.duration)
        });
        let (Some(entered), true) = (&self.current, inside) else {
            frame.fill(0.0);
            return;
        };
        let start = self.blocks[self.next].start;
        match &entered.from {
            Some(from) if n < entered.ramp_end => {
                let p = (n - start) as f64 / entered.length;
                for ((out, &g0), &g1) in frame.iter_mut().zip(from).zip(&entered.to) {
                    *out = (0.0 + (x * (1.0 - p) * g0 + x * p * g1)) as f32;
                }
            }
            _ => {
                for (out, &g) in frame.iter_mut().zip(&entered.to) {
                    *out = if g != 0.0 { (0.0 + x * g) as f32 } else { 0.0 };
                }
            }
        }
    }

    /// Starts `block`: its gains, and the ramp from the previous block's
    /// when it follows it without a gap.
    fn enter(&mut self, block: ObjectBlock) {
        // Checked in `new`: the gains of every block can be computed.
        let to = block_gains(&self.panner, block.position, block.gain)
            .unwrap_or_else(|_| vec![0.0; self.channels]);
        let length = ramp_length(&block);
        let from = self
            .previous
            .take()
            .filter(|(end, _)| *end == block.start)
            .map(|(_, gains)| gains);
        let end = block.start.saturating_add(block.duration);
        let ramp_end = match &from {
            Some(_) => block.start.saturating_add(length.ceil() as u64).min(end),
            None => block.start,
        };
        self.current = Some(Entered {
            to,
            from,
            ramp_end,
            length,
        });
    }
}

impl Source for ObjectStream {
    fn channels(&self) -> usize {
        self.panner.channels
    }

    fn frames(&self) -> u64 {
        self.source.frames()
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let want = out.len() / self.panner.channels.max(1);
        self.scratch.resize(want, 0.0);
        let got = self.source.read(&mut self.scratch[..want])?;
        self.panner.render(&self.scratch[..got], out);
        Ok(got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::bs2127::{render_object, Position};

    /// A mono source of the given samples.
    struct Samples {
        samples: Vec<f32>,
        at: usize,
    }

    impl Source for Samples {
        fn channels(&self) -> usize {
            1
        }
        fn frames(&self) -> u64 {
            self.samples.len() as u64
        }
        fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
            let n = out.len().min(self.samples.len() - self.at);
            out[..n].copy_from_slice(&self.samples[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn signal(frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|n| {
                if n % 97 == 0 {
                    -0.0
                } else {
                    (n as f32 * 0.013).sin() * 0.5
                }
            })
            .collect()
    }

    /// The stream, read in reads of `read` frames, interleaved.
    fn streamed(
        layout: TargetLayout,
        samples: &[f32],
        blocks: &[ObjectBlock],
        read: usize,
    ) -> Vec<f32> {
        let source = Box::new(Samples {
            samples: samples.to_vec(),
            at: 0,
        });
        let mut stream = ObjectStream::new(source, layout, blocks.to_vec()).unwrap();
        let channels = layout.channels();
        let mut all = Vec::new();
        let mut block = vec![0.0f32; read * channels];
        loop {
            let got = stream.read(&mut block).unwrap();
            if got == 0 {
                break;
            }
            all.extend_from_slice(&block[..got * channels]);
        }
        all
    }

    fn reference(layout: TargetLayout, samples: &[f32], blocks: &[ObjectBlock]) -> Vec<f32> {
        let mut out = vec![vec![0.0f32; samples.len()]; layout.channels()];
        render_object(layout, samples, blocks, &mut out).unwrap();
        (0..samples.len())
            .flat_map(|n| out.iter().map(move |channel| channel[n]))
            .collect()
    }

    fn blocks() -> Vec<ObjectBlock> {
        vec![
            // Silence before the first block, then a still block.
            ObjectBlock::new(100, 900, Position::new(-1.0, 1.0, 0.0)).with_jump(0.0),
            // A jump with a fractional interpolation (0.005208 s at 48 kHz).
            ObjectBlock::new(1000, 1024, Position::new(0.3, 0.2, 0.5)).with_jump(249.984),
            // A linear move over the whole block.
            ObjectBlock::new(2024, 1024, Position::new(1.0, -1.0, 1.0)),
            // A gap, then a block that starts at its own gains.
            ObjectBlock::new(3100, 500, Position::new(0.0, 0.0, 0.2))
                .with_jump(250.0)
                .with_gain(0.5),
            // An immediate jump.
            ObjectBlock::new(3600, 400, Position::new(-0.4, 0.9, 0.0)).with_jump(0.0),
        ]
    }

    #[test]
    fn the_stream_is_render_object_to_the_bit() {
        let samples = signal(4200);
        for layout in TargetLayout::ALL {
            let expected = reference(layout, &samples, &blocks());
            for read in [1, 7, 256, 1024, 5000] {
                let got = streamed(layout, &samples, &blocks(), read);
                assert_eq!(
                    got.len(),
                    expected.len(),
                    "{} in reads of {read}",
                    layout.name()
                );
                for (i, (a, b)) in got.iter().zip(&expected).enumerate() {
                    assert_eq!(
                        a.to_bits(),
                        b.to_bits(),
                        "{} frame {} channel {}, in reads of {read}",
                        layout.name(),
                        i / layout.channels(),
                        i % layout.channels()
                    );
                }
            }
        }
    }

    #[test]
    fn bad_blocks_are_refused_up_front() {
        let source = || {
            Box::new(Samples {
                samples: signal(10),
                at: 0,
            }) as Box<dyn Source>
        };
        let p = Position::new(0.0, 1.0, 0.0);
        let overlap = vec![ObjectBlock::new(0, 10, p), ObjectBlock::new(5, 10, p)];
        assert!(matches!(
            ObjectStream::new(source(), TargetLayout::Surround51, overlap),
            Err(RenderError::Overlap { .. })
        ));
        let long = vec![ObjectBlock::new(0, 10, p).with_jump(11.0)];
        assert!(matches!(
            ObjectStream::new(source(), TargetLayout::Surround51, long),
            Err(RenderError::InterpolationTooLong { .. })
        ));
        let nan = vec![ObjectBlock::new(0, 10, Position::new(f64::NAN, 0.0, 0.0))];
        assert!(matches!(
            ObjectStream::new(source(), TargetLayout::Surround51, nan),
            Err(RenderError::NotFinite { .. })
        ));
    }
}
