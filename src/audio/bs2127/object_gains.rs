//! The gains of one object block (ITU-R BS.2127, the gain calculator for
//! Objects, cartesian path).
//!
//! The block's position is clipped to the cube (each coordinate to
//! [-1, 1]), panned with the allocentric panner over the target's
//! loudspeakers without the LFE, and scaled by the block's gain; the LFE
//! channel gets nothing from an object. A point source with no extent,
//! divergence, diffuseness, zone exclusion or channel lock (the Dolby
//! profile's objects as sndtrk writes them) needs nothing else.

use super::allocentric::AllocentricPanner;
use super::error::RenderError;
use super::target::{Position, TargetLayout};

/// The allocentric panner over a target's non-LFE loudspeakers, and which
/// layout channel each of its gains goes to.
#[derive(Debug, Clone)]
pub(crate) struct LayoutPanner {
    panner: AllocentricPanner,
    channels: Vec<usize>,
    total: usize,
}

impl LayoutPanner {
    pub(crate) fn new(layout: TargetLayout) -> Self {
        let (channels, positions): (Vec<usize>, Vec<Position>) = layout
            .speakers()
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.lfe)
            .map(|(i, s)| (i, s.position))
            .unzip();
        Self {
            panner: AllocentricPanner::new(&positions),
            channels,
            total: layout.channels(),
        }
    }

    /// The gains over every layout channel (LFE silent) for `position`.
    pub(crate) fn gains(&self, position: Position) -> Vec<f64> {
        let mut full = vec![0.0; self.total];
        for (&channel, g) in self.channels.iter().zip(self.panner.gains(position)) {
            if let Some(slot) = full.get_mut(channel) {
                *slot = g;
            }
        }
        full
    }
}

/// The gains, one per channel of `layout` in its WAV order, of an object
/// block at `position` with block gain `gain` (linear).
pub fn object_gains(
    layout: TargetLayout,
    position: Position,
    gain: f64,
) -> Result<Vec<f64>, RenderError> {
    block_gains(&LayoutPanner::new(layout), position, gain)
}

pub(crate) fn block_gains(
    panner: &LayoutPanner,
    position: Position,
    gain: f64,
) -> Result<Vec<f64>, RenderError> {
    if !position.is_finite() {
        return Err(RenderError::NotFinite {
            x: position.x,
            y: position.y,
            z: position.z,
        });
    }
    if !gain.is_finite() {
        return Err(RenderError::BadGain { gain });
    }
    let clipped = Position::new(
        position.x.clamp(-1.0, 1.0),
        position.y.clamp(-1.0, 1.0),
        position.z.clamp(-1.0, 1.0),
    );
    Ok(panner
        .gains(clipped)
        .into_iter()
        .map(|g| g * gain)
        .collect())
}
