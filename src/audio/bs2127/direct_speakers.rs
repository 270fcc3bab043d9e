//! The DirectSpeakers path of ITU-R BS.2127 for a bed channel: which
//! target loudspeakers a channel of a channel bed plays from.
//!
//! In order, the first that applies:
//!
//! 1. a speaker label that names a target loudspeaker (its BS.2051 name,
//!    bare or as a `urn:itu:bs:2051:…:speaker:` URN; `LFE`, `LFEL`, `LFER`
//!    read as `LFE1`, `LFE1`, `LFE2`), of the same kind (LFE or not), plays
//!    from that loudspeaker alone;
//! 2. otherwise a target loudspeaker of the same kind at the channel's
//!    position (the allocentric positions, to 1e-5 in each coordinate)
//!    plays it, if exactly one is the closest;
//! 3. otherwise an LFE channel goes to the target's LFE, or nowhere when
//!    the target has none (2.0); any other channel is panned to its
//!    position with the allocentric point-source panner.
//!
//! The Recommendation's table of mapping rules (e.g. M+110 to M+135 when
//! the target lacks M+110) applies only to the ITU common-definition pack
//! formats (BS.2094); the Dolby profile's beds are custom packs with `RC_`
//! labels, which name no BS.2051 loudspeaker, so for them steps 2 and 3
//! decide, and the table is not implemented here. A channel is an LFE
//! channel when its label says so (`RC_LFE`, `LFE`, `LFE1`, `LFE2`), as the
//! profile's LFE is (its `lowPass` frequency element says the same).

use super::error::RenderError;
use super::object_gains::LayoutPanner;
use super::target::{Position, TargetLayout};

const TOLERANCE: f64 = 1e-5;

/// A bed channel: its speaker label and position.
#[derive(Debug, Clone, PartialEq)]
pub struct BedChannel {
    /// The speaker label (`RC_L`, or a BS.2051 name such as `M+030`).
    pub label: String,
    /// The channel's room-centric position.
    pub position: Position,
}

impl BedChannel {
    /// A channel with this label and position.
    pub fn new(label: &str, position: Position) -> Self {
        Self {
            label: label.to_string(),
            position,
        }
    }

    /// The Dolby profile's bed channel for a sndtrk bed label (`Lss`) or
    /// profile label (`RC_Lss`), with the profile's position.
    pub fn profile(label: &str) -> Option<Self> {
        let rc = super::bed_labels::speaker_label(label).unwrap_or(label);
        super::bed_labels::position(rc).map(|p| Self::new(rc, p))
    }

    fn nominal_label(&self) -> &str {
        let label = self.label.as_str();
        let label = match label.strip_prefix("urn:itu:bs:2051:") {
            Some(rest) => rest
                .split_once(":speaker:")
                .filter(|(version, _)| {
                    !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())
                })
                .map_or(label, |(_, name)| name),
            None => label,
        };
        match label {
            "LFE" | "LFEL" => "LFE1",
            "LFER" => "LFE2",
            other => other,
        }
    }

    fn is_lfe(&self) -> bool {
        matches!(self.nominal_label(), "LFE1" | "LFE2" | "RC_LFE")
    }
}

/// The gains, one per channel of `layout` in its WAV order, of a bed
/// channel.
pub fn bed_channel_gains(
    layout: TargetLayout,
    channel: &BedChannel,
) -> Result<Vec<f64>, RenderError> {
    let p = channel.position;
    if !p.is_finite() {
        return Err(RenderError::NotFinite {
            x: p.x,
            y: p.y,
            z: p.z,
        });
    }
    let speakers = layout.speakers();
    let lfe = channel.is_lfe();
    let unit = |i: usize| {
        let mut g = vec![0.0; speakers.len()];
        if let Some(slot) = g.get_mut(i) {
            *slot = 1.0;
        }
        g
    };
    let name = channel.nominal_label();
    if let Some(i) = speakers
        .iter()
        .position(|s| s.bs2051 == name && s.lfe == lfe)
    {
        return Ok(unit(i));
    }
    let at_position: Vec<(usize, f64)> = speakers
        .iter()
        .enumerate()
        .filter(|(_, s)| s.lfe == lfe)
        .filter(|(_, s)| {
            (s.position.x - p.x).abs() <= TOLERANCE
                && (s.position.y - p.y).abs() <= TOLERANCE
                && (s.position.z - p.z).abs() <= TOLERANCE
        })
        .map(|(i, s)| {
            let d = ((s.position.x - p.x).powi(2)
                + (s.position.y - p.y).powi(2)
                + (s.position.z - p.z).powi(2))
            .sqrt();
            (i, d)
        })
        .collect();
    if let Some(&(closest, min)) = at_position.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
        if at_position
            .iter()
            .filter(|(_, d)| (d - min).abs() < TOLERANCE)
            .count()
            == 1
        {
            return Ok(unit(closest));
        }
    }
    if lfe {
        return Ok(match speakers.iter().position(|s| s.bs2051 == "LFE1") {
            Some(i) => unit(i),
            None => vec![0.0; speakers.len()],
        });
    }
    Ok(LayoutPanner::new(layout).gains(p))
}

/// Adds the render of a bed channel's `signal` (mono, one sample a frame)
/// into `out`, one buffer per channel of `layout` in its WAV order, each
/// at least as long as the part of the signal rendered (the shorter of
/// the signal and the buffers).
pub fn render_bed_channel(
    layout: TargetLayout,
    channel: &BedChannel,
    signal: &[f32],
    out: &mut [Vec<f32>],
) -> Result<(), RenderError> {
    super::interpolation::check_outputs(layout, out)?;
    let gains = bed_channel_gains(layout, channel)?;
    for (buffer, &g) in out.iter_mut().zip(&gains) {
        if g == 0.0 {
            continue;
        }
        for (o, &x) in buffer.iter_mut().zip(signal) {
            *o = (f64::from(*o) + f64::from(x) * g) as f32;
        }
    }
    Ok(())
}
