//! What the BS.2127 renderer refuses: metadata that cannot be rendered as
//! given (it would otherwise be guessed at or panic).

use thiserror::Error;

/// A scene element the renderer cannot render.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RenderError {
    /// A coordinate that is not a finite number.
    #[error("position ({x}, {y}, {z}) is not finite")]
    NotFinite { x: f64, y: f64, z: f64 },
    /// A block gain that is not a finite number.
    #[error("block gain {gain} is not finite")]
    BadGain { gain: f64 },
    /// A jump's interpolation is longer than its block (BS.2127 forbids it).
    #[error(
        "block at frame {start} lasts {duration} frames but interpolates over {interpolation} frames"
    )]
    InterpolationTooLong {
        start: u64,
        duration: u64,
        interpolation: f64,
    },
    /// An interpolation length that is negative or not finite.
    #[error("block at frame {start} has interpolation length {interpolation}")]
    BadInterpolation { start: u64, interpolation: f64 },
    /// Blocks that overlap or go back in time.
    #[error("block at frame {start} starts before the previous block ends (frame {previous_end})")]
    Overlap { start: u64, previous_end: u64 },
    /// Output buffers that do not match the target layout.
    #[error("{got} output channels for a {layout} target of {expected}")]
    ChannelCount {
        layout: &'static str,
        expected: usize,
        got: usize,
    },
}
