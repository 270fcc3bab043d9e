//! `measure:NAME` and `measure:NAME/NN`: a deliverable (a target or an
//! album track) measured as delivered: its integrated loudness (and its
//! dialogue-gated loudness where its spec gates on dialogue), true and
//! sample peaks, loudness range, and its samples at full scale, as one
//! line of JSON, then its loudness curve at 10 Hz ([`crate::stages::curve`]).
//! A build checks the measurement against the spec (D004) and for clipping
//! (D007).

use std::io::Write;

use miette::IntoDiagnostic;
use serde::{Deserialize, Serialize};

use crate::{
    audio::{
        self,
        block_energy::{energy_to_loudness, SlidingMean},
        channel_role::ChannelRole,
        chunk_stats,
        clip::ClipCounter,
        dialogue_gate::{DialogueGatedMeter, DialogueGatedReport},
        loudness::LoudnessMeter,
        true_peak::TruePeakMeter,
        Source, WavReader, BLOCK_FRAMES,
    },
    engine::key::Params,
    engine::stage::{InputObject, RunContext, Stage},
    lower::MeasureStage,
    stages::{curve::Curve, loudness::MIN_DIALOGUE_FRACTION, region::ChunkKeys},
};

/// The version of what a measurement records, in its key: raised whenever
/// [`Measurement`] gains a field, so a measurement cached by an older sndtrk
/// is not taken for a new one.
const VERSION: u64 = 5;

/// What a measurement stage records. Levels of silence are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub integrated_lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub lra_lu: Option<f64>,
    /// The loudness over the blocks where the deliverable's dialogue
    /// carries speech, when its spec gates on dialogue and there is enough
    /// dialogue to gate on (see [`crate::audio::dialogue_gate`]).
    #[serde(default)]
    pub dialogue_gated_lufs: Option<f64>,
    /// The share (0 to 1) of the programme's blocks that carry dialogue,
    /// when the dialogue-gated loudness is measured.
    #[serde(default)]
    pub dialogue_fraction: Option<f64>,
    /// Samples at full scale (every channel's counted; see
    /// [`crate::audio::clip`]).
    #[serde(default)]
    pub clipped_samples: u64,
    /// The first frame (from the file's start) holding a sample at full
    /// scale; without one, where the true peak first rises above 0 dBTP
    /// (to within 10 ms), when it does.
    #[serde(default)]
    pub first_clip_frame: Option<u64>,
    /// The file's `bext` time reference (samples since midnight), if any.
    #[serde(default)]
    pub time_reference: Option<u64>,
    /// The file's sample rate.
    #[serde(default)]
    pub sample_rate: u32,
}

impl Measurement {
    /// Reads a measurement stage's output object: its first line, the JSON
    /// of the measurement (what may follow is the curve, see
    /// [`crate::stages::curve`]).
    pub fn decode(bytes: &[u8]) -> Option<Measurement> {
        let end = bytes
            .iter()
            .position(|byte| *byte == b'\n')
            .unwrap_or(bytes.len());
        serde_json::from_slice(&bytes[..end]).ok()
    }

    /// Whether the deliverable clips: a sample at full scale, or a true
    /// peak above 0 dBTP.
    pub fn clips(&self) -> bool {
        self.clipped_samples > 0 || self.true_peak_dbtp.is_some_and(|peak| peak > 0.0)
    }
}

/// A measurement stage.
pub(super) struct MeasureRender {
    spec: MeasureStage,
    inputs: Vec<String>,
}

impl MeasureRender {
    pub fn new(spec: &MeasureStage) -> MeasureRender {
        let mut inputs: Vec<String> = spec.measured.iter().map(ToString::to_string).collect();
        inputs.extend(spec.dialogue.iter().map(ToString::to_string));
        if let Some(rerender) = &spec.rerender {
            inputs.extend(rerender.dialogue.iter().map(ToString::to_string));
        }
        MeasureRender {
            inputs,
            spec: spec.clone(),
        }
    }
}

impl Stage for MeasureRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "measure"
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn params(&self, params: &mut Params<'_>) {
        params
            .u64("version", VERSION)
            .str("channels", &self.spec.channels.join(" "))
            .u64("sample_rate", u64::from(self.spec.sample_rate))
            .u64("dialogue_inputs", self.spec.dialogue.len() as u64);
        if let Some(rerender) = &self.spec.rerender {
            super::scene::rerender_params(params, rerender);
        }
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let inputs = context.inputs().to_vec();
        let (measured, dialogue) = inputs.split_at(self.spec.measured.len().min(inputs.len()));
        if measured.is_empty() {
            return Err(miette::miette!("`{}` has no input", self.spec.id));
        }
        let paths: Vec<&std::path::Path> =
            measured.iter().map(|input| input.path.as_path()).collect();
        let (measurement, curve) = match (&self.spec.rerender, paths.as_slice()) {
            (Some(rerender), [master]) => {
                let gate = dialogue.get(self.spec.dialogue.len()..).unwrap_or_default();
                measure_master(master, &self.spec.channels, rerender, gate)?
            }
            (None, [path]) if dialogue.len() <= 1 => {
                match measured_from_stats(context, &measured[0], &self.spec.channels, dialogue)? {
                    Some(done) => done,
                    None => measure(&[path], &self.spec.channels, dialogue)?,
                }
            }
            _ => measure(&paths, &self.spec.channels, dialogue)?,
        };
        let mut bytes = serde_json::to_vec(&measurement).into_diagnostic()?;
        bytes.push(b'\n');
        bytes.extend(curve.encode());
        context.output().write_all(&bytes).into_diagnostic()
    }
}

/// Measures the WAV files at `paths` (one deliverable, or an album's
/// tracks played one after the other as one programme), whose channels are
/// `labels`, gating on the sum of `dialogue` (objects on the deliverable's
/// timeline at its rate) when given. Frames count from the first file's
/// start. With it, the loudness curve (one point per 100 ms).
fn measure(
    paths: &[&std::path::Path],
    labels: &[String],
    dialogue: &[InputObject],
) -> miette::Result<(Measurement, Curve)> {
    let Some(first) = paths.first() else {
        miette::bail!("nothing to measure");
    };
    let format = WavReader::open(first).into_diagnostic()?.format().clone();
    let mut sources: Vec<Box<dyn Source>> = Vec::with_capacity(paths.len());
    for path in paths {
        let reader = WavReader::open(path).into_diagnostic()?;
        if reader.channels() != format.channels || reader.format().sample_rate != format.sample_rate
        {
            miette::bail!(
                "`{}` is not in the format of `{}`, measured with it",
                path.display(),
                first.display()
            );
        }
        sources.push(Box::new(reader));
    }
    measure_sources(sources, &format, first, labels, dialogue)
}

/// [`measure`] of `sources` (one after the other, in the file format
/// `format` of the first, at `first`), whose channels are `labels`.
fn measure_sources(
    sources: Vec<Box<dyn Source>>,
    format: &crate::audio::WavFormat,
    first: &std::path::Path,
    labels: &[String],
    dialogue: &[InputObject],
) -> miette::Result<(Measurement, Curve)> {
    let channels = sources
        .first()
        .map_or(format.channels, |source| source.channels());
    let rate = format.sample_rate;
    // Labels without a position (an ADM master's tracks) weigh 1.
    let roles = crate::audio::channel_role::ChannelRole::for_layout(labels);
    let mut meter = LoudnessMeter::with_curve(&roles, rate).into_diagnostic()?;
    let mut clips = ClipCounter::new(channels, format.sample_format);
    let mut gate = match (dialogue, sources.as_slice()) {
        ([], _) | (_, [_, _, ..]) => None,
        (buses, _) => Some(DialogueGate::new(buses, labels, rate, format.frames)?),
    };
    let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
    let hop = meter.sub_block_frames().max(1);
    let mut into_hop = 0;
    let mut curve = Curve::default();
    for mut reader in sources {
        loop {
            let frames = reader.read(&mut block).into_diagnostic()?;
            if frames == 0 {
                break;
            }
            // In pieces that end on the curve's 100 ms steps.
            let mut rest = &block[..frames * channels];
            while !rest.is_empty() {
                let take = (rest.len() / channels).min(hop - into_hop);
                let (now, later) = rest.split_at(take * channels);
                meter.push(now).into_diagnostic()?;
                clips.push(now);
                if let Some(gate) = &mut gate {
                    gate.push(now, take)?;
                }
                into_hop += take;
                if into_hop == hop {
                    into_hop = 0;
                    let (momentary, short_term, peak) = meter.latest();
                    curve.push(momentary, short_term, peak);
                }
                rest = later;
            }
        }
    }
    let report = meter.report();
    let gated = gate.map(DialogueGate::report);
    let measurement = measurement(
        &report,
        gated,
        (clips.clipped(), clips.first()),
        first,
        format,
    )?;
    Ok((measurement, curve))
}

/// The measurement of a file at `path` (in `format`) from its meter's
/// `report`, its dialogue gate's, and its samples at full scale (how many,
/// the first frame with one): where it first clips, if its true peak is
/// over 0 dBTP with no sample at full scale, is found in the file.
fn measurement(
    report: &crate::audio::loudness::LoudnessReport,
    gated: Option<DialogueGatedReport>,
    (clipped_samples, first_clip): (u64, Option<u64>),
    path: &std::path::Path,
    format: &crate::audio::WavFormat,
) -> miette::Result<Measurement> {
    let finite = |value: f64| value.is_finite().then_some(value);
    let true_peak_dbtp = finite(report.true_peak_dbtp);
    let first_clip_frame = match first_clip {
        Some(frame) => Some(frame),
        None if true_peak_dbtp.is_some_and(|peak| peak > 0.0) => first_over(path)?,
        None => None,
    };
    Ok(Measurement {
        integrated_lufs: finite(report.integrated_lufs),
        true_peak_dbtp,
        sample_peak_dbfs: finite(report.sample_peak_dbfs),
        lra_lu: finite(report.loudness_range_lu),
        // Below the share of dialogue a gated spec needs, the spec measures
        // the whole programme: no dialogue-gated figure.
        dialogue_gated_lufs: gated
            .filter(|gated| gated.dialogue_fraction() >= MIN_DIALOGUE_FRACTION)
            .and_then(|gated| finite(gated.dialogue_gated_lufs)),
        dialogue_fraction: gated.map(|gated| gated.dialogue_fraction()),
        clipped_samples,
        first_clip_frame,
        time_reference: format.time_reference,
        sample_rate: format.sample_rate,
    })
}

/// A deliverable measured from the stats its render left, chunk by
/// chunk, in its region index ([`crate::stages::region`]): what reading it
/// again would measure, since the same chunks merge the same way
/// ([`chunk_stats::merge`]), without reading it. Gated on `dialogue` (one
/// mono bus, its target's dialogue gate), it is gated on the gate's chunk
/// stats that its target's gain was measured with, when its index has
/// them for that very gate (the same chunk keys). `None` when it has no
/// such index, or its file's channels are not the `labels`' roles (the
/// render metered it by its channel mask).
fn measured_from_stats(
    context: &RunContext<'_>,
    input: &InputObject,
    labels: &[String],
    dialogue: &[InputObject],
) -> miette::Result<Option<(Measurement, Curve)>> {
    let Some(index) = context
        .regions_of(&input.digest)
        .and_then(|bytes| ChunkKeys::decode(&bytes))
    else {
        return Ok(None);
    };
    let Some(stats) = &index.stats else {
        return Ok(None);
    };
    let speech = match dialogue {
        [] => None,
        [gate] => match gate_stats(context, gate, &index)? {
            Some(speech) => Some(speech),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let format = WavReader::open(&input.path)
        .into_diagnostic()?
        .format()
        .clone();
    let metered = ChannelRole::for_layout(
        crate::audio::ChannelLayout::from_wav_mask(format.channel_mask, format.channels).labels(),
    );
    if metered != ChannelRole::for_layout(labels) || format.frames != index.frames {
        return Ok(None);
    }
    let report = chunk_stats::merge(stats, format.sample_rate);
    let gated = speech.map(|speech| {
        let sub_blocks = |stats: &[chunk_stats::ChunkStats]| -> Vec<f64> {
            stats
                .iter()
                .flat_map(|chunk| chunk.energies.iter().copied())
                .collect()
        };
        crate::audio::dialogue_gate::from_sub_blocks(sub_blocks(stats), sub_blocks(&speech))
    });
    let mut curve = Curve::default();
    let mut momentary = SlidingMean::<4>::new();
    let mut short_term = SlidingMean::<30>::new();
    for chunk in stats {
        for (energy, peak) in chunk.energies.iter().zip(&chunk.peaks) {
            let m = momentary.push(*energy).map(energy_to_loudness);
            let s = short_term.push(*energy).map(energy_to_loudness);
            curve.push(m, s, f64::from(*peak));
        }
    }
    let first_clip = stats.iter().enumerate().find_map(|(at, chunk)| {
        chunk
            .first_clip
            .map(|frame| at as u64 * index.chunk + frame)
    });
    let clipped = stats.iter().map(|chunk| chunk.clipped).sum();
    let measurement = measurement(&report, gated, (clipped, first_clip), &input.path, &format)?;
    Ok(Some((measurement, curve)))
}

/// The chunk stats of the dialogue gate `gate` kept in a deliverable's
/// `index`, if they are the gate's (its index's header and keys) over the
/// deliverable's frames, and the gate is one channel (whose mono sum is
/// itself, sample for sample).
fn gate_stats(
    context: &RunContext<'_>,
    gate: &InputObject,
    index: &ChunkKeys,
) -> miette::Result<Option<Vec<chunk_stats::ChunkStats>>> {
    let Some(kept) = index.dialogue.as_deref() else {
        return Ok(None);
    };
    let Some(own) = context
        .regions_of(&gate.digest)
        .and_then(|bytes| ChunkKeys::decode(&bytes))
    else {
        return Ok(None);
    };
    let same = own.header == kept.header && own.keys == kept.keys && kept.frames == index.frames;
    let mono = WavReader::open(&gate.path).into_diagnostic()?.channels() == 1;
    Ok(kept.stats.clone().filter(|_| same && mono))
}

/// An ADM master measured as it is heard: its loudness, dialogue-gated
/// loudness, true peak, loudness range and curve on `rerender` (its
/// scene's 5.1 re-render, made from its tracks); its clipping and sample
/// peak on its tracks (`labels`), as delivered.
fn measure_master(
    master: &std::path::Path,
    labels: &[String],
    rerender: &crate::lower::MasterRerender,
    dialogue: &[InputObject],
) -> miette::Result<(Measurement, Curve)> {
    let (tracks, _) = measure(&[master], labels, &[])?;
    let format = WavReader::open(master).into_diagnostic()?.format().clone();
    let heard = super::scene::master_source(master, rerender, format.sample_rate)?;
    let (heard, curve) =
        measure_sources(vec![heard], &format, master, &rerender.channels, dialogue)?;
    Ok((
        Measurement {
            sample_peak_dbfs: tracks.sample_peak_dbfs,
            clipped_samples: tracks.clipped_samples,
            first_clip_frame: tracks.first_clip_frame,
            ..heard
        },
        curve,
    ))
}

/// Where the true peak of the file at `path` first rises above 0 dBTP: the
/// first frame of the 10 ms stretch in which it does, if it does.
fn first_over(path: &std::path::Path) -> miette::Result<Option<u64>> {
    let mut reader = WavReader::open(path).into_diagnostic()?;
    let channels = reader.channels();
    let rate = reader.format().sample_rate;
    let mut peaks = TruePeakMeter::new(channels, rate);
    let stretch = (rate as usize / 100).max(1);
    let mut block = vec![0.0f32; stretch * channels];
    let mut start = 0u64;
    loop {
        let frames = reader.read(&mut block).into_diagnostic()?;
        if frames == 0 {
            return Ok(None);
        }
        peaks.push(&block[..frames * channels]);
        if peaks.peak_so_far() > 1.0 {
            // The window of a point reaches back half the filter's length.
            let back = crate::audio::true_peak::HALF_TAPS as u64;
            return Ok(Some(start.saturating_sub(back)));
        }
        start += frames as u64;
    }
}

/// The sum of a deliverable's dialogue buses, to gate its loudness on.
struct DialogueGate {
    speech: audio::Bus,
    meter: DialogueGatedMeter,
    buffer: Vec<f32>,
}

impl DialogueGate {
    /// The mono sum of `buses`, as long as the deliverable's `frames`.
    fn new(
        buses: &[InputObject],
        labels: &[String],
        rate: u32,
        frames: u64,
    ) -> miette::Result<Self> {
        let mut speech = audio::Bus::new(1).into_diagnostic()?;
        for bus in buses {
            let reader = WavReader::open(&bus.path).into_diagnostic()?;
            let inputs = reader.channels();
            let down = audio::Matrix::new("dialogue", inputs, vec![vec![1.0; inputs]])
                .into_diagnostic()?;
            let mono = audio::Convert::new(reader, down).into_diagnostic()?;
            speech.add(Box::new(mono), 0, 0.0).into_diagnostic()?;
        }
        speech.set_length(frames);
        let meter = DialogueGatedMeter::new(
            &ChannelRole::for_layout(labels),
            &[ChannelRole::Center],
            rate,
        )
        .into_diagnostic()?;
        Ok(Self {
            speech,
            meter,
            buffer: vec![0.0; BLOCK_FRAMES],
        })
    }

    /// Feeds `frames` frames of the deliverable (`block`) and as many of
    /// the dialogue (silence past its end).
    fn push(&mut self, block: &[f32], frames: usize) -> miette::Result<()> {
        if self.buffer.len() < frames {
            self.buffer.resize(frames, 0.0);
        }
        let speech = &mut self.buffer[..frames];
        let got = self.speech.read(speech).into_diagnostic()?;
        speech[got..].fill(0.0);
        self.meter.push(block, speech).into_diagnostic()
    }

    fn report(self) -> DialogueGatedReport {
        self.meter.report()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measurement_clips_at_full_scale_or_above_0_dbtp() {
        let clean = Measurement {
            true_peak_dbtp: Some(-0.1),
            ..Measurement::default()
        };
        assert!(!clean.clips());
        let over = Measurement {
            true_peak_dbtp: Some(0.2),
            ..Measurement::default()
        };
        assert!(over.clips());
        let clipped = Measurement {
            clipped_samples: 1,
            ..clean
        };
        assert!(clipped.clips());
    }

    #[test]
    fn an_earlier_measurement_reads_with_nothing_clipped() {
        let old = r#"{"integrated_lufs":-23.0,"true_peak_dbtp":-1.5,"sample_peak_dbfs":-2.0,"lra_lu":4.0}"#;
        let measured: Measurement = serde_json::from_str(old).unwrap();
        assert_eq!(measured.clipped_samples, 0);
        assert_eq!(measured.first_clip_frame, None);
        assert_eq!(measured.integrated_lufs, Some(-23.0));
    }
}
