//! K-weighted energy of consecutive 100 ms sub-blocks, the unit from which
//! BS.1770 builds its 400 ms gating blocks and EBU R128 its 3 s short-term
//! windows.
//!
//! A wrapper around libebur128's port (`ebur128::EbuR128`): audio is pushed
//! in blocks of any size, split at 100 ms boundaries, and the energy of each
//! completed sub-block (channel weights applied, LFE excluded) is handed to a
//! callback. A 400 ms block is then the mean of four consecutive sub-blocks
//! and a 3 s window the mean of thirty, exactly as libebur128 forms them.

use ebur128::{EbuR128, Mode};

use crate::audio::{channel_role::ChannelRole, dsp_error::DspError};

/// Converts a BS.1770 loudness (LUFS) to the mean-square energy it stands for.
pub fn loudness_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs + 0.691) / 10.0)
}

/// Converts a mean-square energy to BS.1770 loudness (LUFS); 0 gives -inf.
pub fn energy_to_loudness(energy: f64) -> f64 {
    if energy <= 0.0 {
        f64::NEG_INFINITY
    } else {
        10.0 * energy.log10() - 0.691
    }
}

/// A streaming K-weighted meter that reports each 100 ms sub-block's energy.
pub(crate) struct SubBlockMeter {
    pub(crate) meter: EbuR128,
    channels: usize,
    sample_rate: u32,
    /// Frames per sub-block: `(rate + 5) / 10`, libebur128's 100 ms.
    hop: usize,
    /// Frames in the current, unfinished sub-block.
    fill: usize,
    frames: u64,
}

impl SubBlockMeter {
    /// A meter for the given channel roles and rate; `extra` adds modes
    /// (integrated, LRA, peaks) on top of the momentary loudness it needs.
    pub(crate) fn new(
        roles: &[ChannelRole],
        sample_rate: u32,
        extra: Mode,
    ) -> Result<Self, DspError> {
        let channels = roles.len();
        let unsupported = DspError::UnsupportedFormat {
            channels,
            sample_rate,
        };
        let channel_count = u32::try_from(channels).map_err(|_| unsupported.clone())?;
        let mut meter = EbuR128::new(channel_count, sample_rate, Mode::M | extra)
            .map_err(|_| unsupported.clone())?;
        let map: Vec<ebur128::Channel> = roles.iter().map(|r| r.meter_channel()).collect();
        meter.set_channel_map(&map).map_err(|_| unsupported)?;
        Ok(Self {
            meter,
            channels,
            sample_rate,
            hop: (sample_rate as usize + 5) / 10,
            fill: 0,
            frames: 0,
        })
    }

    /// Checks that `block` holds whole frames.
    pub(crate) fn check_block(&self, block: &[f32]) -> Result<(), DspError> {
        if !block.len().is_multiple_of(self.channels) {
            return Err(DspError::PartialFrame {
                samples: block.len(),
                channels: self.channels,
            });
        }
        Ok(())
    }

    /// Feeds interleaved frames; calls `on_sub_block(energy)` for every
    /// 100 ms sub-block completed by them, in order.
    pub(crate) fn push(
        &mut self,
        block: &[f32],
        mut on_sub_block: impl FnMut(f64),
    ) -> Result<(), DspError> {
        self.check_block(block)?;
        let mut rest = block;
        while !rest.is_empty() {
            let frames = (rest.len() / self.channels).min(self.hop - self.fill);
            let (now, later) = rest.split_at(frames * self.channels);
            self.meter
                .add_frames_f32(now)
                .map_err(|_| DspError::UnsupportedFormat {
                    channels: self.channels,
                    sample_rate: self.sample_rate,
                })?;
            self.fill += frames;
            self.frames += frames as u64;
            if self.fill == self.hop {
                self.fill = 0;
                let lufs = self.meter.loudness_window(100).unwrap_or(f64::NEG_INFINITY);
                on_sub_block(loudness_to_energy(lufs));
            }
            rest = later;
        }
        Ok(())
    }
}

/// The mean of the last `N` sub-block energies, once `N` have been seen.
#[derive(Debug, Clone)]
pub(crate) struct SlidingMean<const N: usize> {
    ring: [f64; N],
    seen: u64,
}

impl<const N: usize> SlidingMean<N> {
    pub(crate) fn new() -> Self {
        Self {
            ring: [0.0; N],
            seen: 0,
        }
    }

    /// Adds one sub-block energy; returns the window mean once it is full.
    pub(crate) fn push(&mut self, energy: f64) -> Option<f64> {
        self.ring[(self.seen % N as u64) as usize] = energy;
        self.seen += 1;
        (self.seen >= N as u64).then(|| self.ring.iter().sum::<f64>() / N as f64)
    }
}
