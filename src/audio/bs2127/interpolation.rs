//! An object's gains over time (ITU-R BS.2127, the interpretation of
//! object metadata) applied to its mono signal.
//!
//! An object is a sequence of blocks, each with a start frame, a duration,
//! a position and a gain. Each block's gains are computed once (see
//! [`super::object_gains`]). A block that starts exactly where the
//! previous one ended moves to its gains from the previous block's:
//!
//! - without a jump, linearly in the gains over the whole block, so that
//!   the block's own gains are reached at its end;
//! - with a jump (`jumpPosition` 1), over its interpolation length
//!   (`interpolationLength`, in frames, possibly fractional), then holds;
//!   an interpolation length of 0 jumps at once.
//!
//! The first block, and any block after a gap, starts at its own gains
//! with no interpolation. Frame `n` of a ramp from `s` over `L` frames
//! (the frames `s ≤ n < s + L`) has the gains `(1 − p)·from + p·to` with
//! `p = (n − s) / L`. Outside every block the object is silent.

use super::error::RenderError;
use super::object_gains::{block_gains, LayoutPanner};
use super::target::{Position, TargetLayout};

/// One block of an object's metadata, in frames at the render's rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectBlock {
    /// The first frame of the block.
    pub start: u64,
    /// The block's length in frames.
    pub duration: u64,
    /// The object's position.
    pub position: Position,
    /// The block's gain (linear).
    pub gain: f64,
    /// `jumpPosition`: interpolate over `interpolation` frames, not the
    /// whole block.
    pub jump: bool,
    /// `interpolationLength` in frames (used with `jump`).
    pub interpolation: f64,
}

impl ObjectBlock {
    /// A block with unity gain and no jump.
    pub fn new(start: u64, duration: u64, position: Position) -> Self {
        Self {
            start,
            duration,
            position,
            gain: 1.0,
            jump: false,
            interpolation: 0.0,
        }
    }

    /// The same block with a jump over `frames` frames.
    pub fn with_jump(mut self, frames: f64) -> Self {
        self.jump = true;
        self.interpolation = frames;
        self
    }

    /// The same block with gain `gain`.
    pub fn with_gain(mut self, gain: f64) -> Self {
        self.gain = gain;
        self
    }

    fn end(&self) -> u64 {
        self.start.saturating_add(self.duration)
    }
}

/// The frames over which `block` moves from the previous block's gains:
/// its interpolation length with a jump, else the whole block.
pub(crate) fn ramp_length(block: &ObjectBlock) -> f64 {
    if block.jump {
        block.interpolation
    } else {
        block.duration as f64
    }
}

/// The frames over which `block` ramps from the previous block's gains,
/// once it is known to be renderable after a block that ended at
/// `previous_end`: in time order, not overlapping, its interpolation finite,
/// not negative and no longer than the block.
pub(crate) fn check_block(
    block: &ObjectBlock,
    previous_end: Option<u64>,
) -> Result<f64, RenderError> {
    if let Some(previous_end) = previous_end.filter(|end| block.start < *end) {
        return Err(RenderError::Overlap {
            start: block.start,
            previous_end,
        });
    }
    let length = ramp_length(block);
    if !length.is_finite() || length < 0.0 {
        return Err(RenderError::BadInterpolation {
            start: block.start,
            interpolation: length,
        });
    }
    if length > block.duration as f64 {
        return Err(RenderError::InterpolationTooLong {
            start: block.start,
            duration: block.duration,
            interpolation: length,
        });
    }
    Ok(length)
}

pub(crate) fn check_outputs(layout: TargetLayout, out: &[Vec<f32>]) -> Result<(), RenderError> {
    if out.len() == layout.channels() {
        Ok(())
    } else {
        Err(RenderError::ChannelCount {
            layout: layout.name(),
            expected: layout.channels(),
            got: out.len(),
        })
    }
}

/// Adds the render of an object's mono `signal` (frame 0 is frame 0 of the
/// blocks' timeline) into `out`, one buffer per channel of `layout` in its
/// WAV order. Frames past the end of the signal or of the buffers are not
/// rendered. The blocks must be in time order and must not overlap.
pub fn render_object(
    layout: TargetLayout,
    signal: &[f32],
    blocks: &[ObjectBlock],
    out: &mut [Vec<f32>],
) -> Result<(), RenderError> {
    check_outputs(layout, out)?;
    let panner = LayoutPanner::new(layout);
    let frames = out
        .iter()
        .map(Vec::len)
        .min()
        .unwrap_or(0)
        .min(signal.len()) as u64;
    let mut previous: Option<(u64, Vec<f64>)> = None;
    for block in blocks {
        let length = check_block(block, previous.as_ref().map(|(end, _)| *end))?;
        let to = block_gains(&panner, block.position, block.gain)?;
        let from = previous
            .take()
            .filter(|(end, _)| *end == block.start)
            .map(|(_, gains)| gains);
        let end = block.end().min(frames);
        // The ramp covers the frames n with n - start < length.
        let ramp_end = match &from {
            Some(_) => block.start.saturating_add(length.ceil() as u64).min(end),
            None => block.start,
        };
        if let Some(from) = &from {
            for n in block.start..ramp_end.max(block.start) {
                let p = (n - block.start) as f64 / length;
                let x = sample(signal, n);
                for ((buffer, &g0), &g1) in out.iter_mut().zip(from).zip(&to) {
                    add(buffer, n, x * (1.0 - p) * g0 + x * p * g1);
                }
            }
        }
        for n in ramp_end.max(block.start)..end.max(ramp_end) {
            let x = sample(signal, n);
            for (buffer, &g) in out.iter_mut().zip(&to) {
                if g != 0.0 {
                    add(buffer, n, x * g);
                }
            }
        }
        previous = Some((block.end(), to));
    }
    Ok(())
}

fn sample(signal: &[f32], n: u64) -> f64 {
    usize::try_from(n)
        .ok()
        .and_then(|i| signal.get(i))
        .map_or(0.0, |&x| f64::from(x))
}

fn add(buffer: &mut [f32], n: u64, value: f64) {
    if let Some(o) = usize::try_from(n).ok().and_then(|i| buffer.get_mut(i)) {
        *o = (f64::from(*o) + value) as f32;
    }
}
