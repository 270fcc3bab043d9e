//! Loudness and peaks measured chunk by chunk, so that a programme spliced
//! from chunks (a region-level rebuild) is measured without reading it
//! again: each chunk's [`ChunkStats`] is a function of its own samples and
//! of the [`WARM_SUB_BLOCKS`] sub-blocks before it, and the programme's
//! [`LoudnessReport`] is [`merge`]d from the chunks' stats.
//!
//! A chunk is [`CHUNK_SUB_BLOCKS`] 100 ms sub-blocks (76,800 frames at
//! 48 kHz), so the sub-blocks, the 400 ms gating blocks and the 3 s
//! short-term windows sit on the same positions as in one pass over the
//! whole programme. Per chunk:
//!
//! - the K-weighted energy of each whole sub-block, from the K-weighting
//!   filter of `audio::k_weighting` started 200 ms before the chunk on the
//!   programme's own samples, so that its state at the chunk's first sample
//!   is the continuous filter's within 1e-19 (the filter's slowest pole, the
//!   38 Hz high-pass, decays by e^-48 in 200 ms); the first chunk starts
//!   from silence, as the continuous filter does;
//! - the true peak of every oversampled point whose window ends on one of
//!   its samples (the window reaches 31 samples back into the chunk
//!   before), per sub-block and for the chunk, and for the last chunk the
//!   points after the programme's end, as if silence followed (as
//!   [`crate::audio::true_peak::TruePeakMeter::peak`]);
//! - the sample peak, and, for a file format, the samples at full scale.
//!
//! The merge forms the momentary, short-term and gating blocks from the
//! sub-block energies as BS.1770-4 and EBU R128 define them (absolute gate
//! -70 LUFS, relative gate -10 LU, the LRA of EBU Tech 3342 from the 10 Hz
//! short-term values): the same arithmetic whatever the chunks came from,
//! so a spliced programme measures exactly as a clean one.

use ebur128::Mode;

use crate::audio::{
    block_energy::{energy_to_loudness, loudness_to_energy, SlidingMean, SubBlockMeter},
    channel_role::ChannelRole,
    clip::ClipCounter,
    dsp_error::DspError,
    k_weighting::KWeighting,
    loudness::{amplitude_to_db, LoudnessReport},
    loudness_range::loudness_range,
    sample_format::SampleFormat,
    true_peak::{abs_max, TruePeakFilter},
};

/// Sub-blocks per chunk.
pub const CHUNK_SUB_BLOCKS: usize = 16;
/// Sub-blocks of the programme before a chunk that its K-weighting filter
/// runs over first.
pub const WARM_SUB_BLOCKS: usize = 2;
/// Absolute gate of the integrated loudness, LUFS.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Relative gate, LU below the absolutely gated loudness.
const RELATIVE_GATE_LU: f64 = -10.0;

/// Frames of one 100 ms sub-block at `rate` (libebur128's rounding).
pub fn sub_block_frames(rate: u32) -> usize {
    (rate as usize + 5) / 10
}

/// Frames per chunk at `rate`.
pub fn chunk_frames(rate: u32) -> usize {
    CHUNK_SUB_BLOCKS * sub_block_frames(rate)
}

/// What one chunk contributes to the programme's measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkStats {
    /// Frames in the chunk (all chunks but the last are whole).
    pub frames: u64,
    /// The K-weighted energy of each whole sub-block.
    pub energies: Vec<f64>,
    /// The true peak (linear) of each sub-block's points, the last one
    /// partial; the last chunk's last entry also holds the points after
    /// the programme's end.
    pub peaks: Vec<f32>,
    /// The largest absolute sample.
    pub sample_peak: f32,
    /// Samples at full scale, and the first frame (in the chunk) with one.
    pub clipped: u64,
    pub first_clip: Option<u64>,
}

impl ChunkStats {
    /// The chunk's true peak (linear).
    pub fn true_peak(&self) -> f32 {
        self.peaks.iter().fold(0.0f32, |peak, &p| peak.max(p))
    }

    /// Appends the stats' bytes to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.frames.to_le_bytes());
        out.extend_from_slice(&(self.energies.len() as u32).to_le_bytes());
        for energy in &self.energies {
            out.extend_from_slice(&energy.to_le_bytes());
        }
        out.extend_from_slice(&(self.peaks.len() as u32).to_le_bytes());
        for peak in &self.peaks {
            out.extend_from_slice(&peak.to_le_bytes());
        }
        out.extend_from_slice(&self.sample_peak.to_le_bytes());
        out.extend_from_slice(&self.clipped.to_le_bytes());
        out.extend_from_slice(&self.first_clip.map_or(u64::MAX, |f| f).to_le_bytes());
    }

    /// Reads stats from the front of `bytes`; the rest after them.
    pub fn decode(bytes: &[u8]) -> Option<(ChunkStats, &[u8])> {
        fn take<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
            let (head, rest) = bytes.split_first_chunk::<N>()?;
            *bytes = rest;
            Some(*head)
        }
        let mut rest = bytes;
        let frames = u64::from_le_bytes(take(&mut rest)?);
        let count = u32::from_le_bytes(take(&mut rest)?) as usize;
        if count > CHUNK_SUB_BLOCKS {
            return None;
        }
        let mut energies = Vec::with_capacity(count);
        for _ in 0..count {
            energies.push(f64::from_le_bytes(take(&mut rest)?));
        }
        let count = u32::from_le_bytes(take(&mut rest)?) as usize;
        if count > CHUNK_SUB_BLOCKS {
            return None;
        }
        let mut peaks = Vec::with_capacity(count);
        for _ in 0..count {
            peaks.push(f32::from_le_bytes(take(&mut rest)?));
        }
        let sample_peak = f32::from_le_bytes(take(&mut rest)?);
        let clipped = u64::from_le_bytes(take(&mut rest)?);
        let first_clip = u64::from_le_bytes(take(&mut rest)?);
        Some((
            ChunkStats {
                frames,
                energies,
                peaks,
                sample_peak,
                clipped,
                first_clip: (first_clip != u64::MAX).then_some(first_clip),
            },
            rest,
        ))
    }
}

/// How a programme's chunks are measured: its channels' roles and rate,
/// and the format whose full scale counts as clipped, if any.
#[derive(Debug, Clone)]
pub struct ChunkSetup {
    roles: Vec<ChannelRole>,
    rate: u32,
    format: Option<SampleFormat>,
    filter: TruePeakFilter,
    weighting: KWeighting,
}

impl ChunkSetup {
    /// A setup for channels of `roles` at `rate`; an error if the meter
    /// cannot take them.
    pub fn new(
        roles: &[ChannelRole],
        rate: u32,
        format: Option<SampleFormat>,
    ) -> Result<Self, DspError> {
        if roles.is_empty() {
            return Err(DspError::UnsupportedFormat {
                channels: 0,
                sample_rate: rate,
            });
        }
        // The K-weighting meter refuses what it cannot take, now.
        SubBlockMeter::new(roles, rate, Mode::M)?;
        Ok(Self {
            roles: roles.to_vec(),
            rate,
            format,
            filter: TruePeakFilter::new(rate),
            weighting: KWeighting::new(rate, &roles.iter().map(|r| r.weight()).collect::<Vec<_>>()),
        })
    }

    pub fn channels(&self) -> usize {
        self.roles.len()
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Frames per chunk.
    pub fn chunk_frames(&self) -> usize {
        chunk_frames(self.rate)
    }

    /// Frames of the programme before a chunk that its measurement reads.
    pub fn warm_frames(&self) -> usize {
        WARM_SUB_BLOCKS * sub_block_frames(self.rate)
    }

    /// Measures one chunk: `samples` (interleaved, whole frames), after
    /// `warm`, the programme's frames just before it (up to
    /// [`ChunkSetup::warm_frames`]; fewer only at the programme's start);
    /// `last` for the programme's last chunk.
    pub fn measure(
        &self,
        warm: &[f32],
        samples: &[f32],
        last: bool,
    ) -> Result<ChunkStats, DspError> {
        let channels = self.channels();
        let frames = samples.len() / channels;
        let hop = sub_block_frames(self.rate);
        let (energies, (peaks, sample_peak)) = rayon::join(
            || self.energies(warm, samples),
            || self.peaks(warm, samples, last, hop),
        );
        let (clipped, first_clip) = match self.format {
            Some(format) => {
                let mut counter = ClipCounter::new(channels, format);
                counter.push(samples);
                (counter.clipped(), counter.first())
            }
            None => (0, None),
        };
        Ok(ChunkStats {
            frames: frames as u64,
            energies,
            peaks,
            sample_peak,
            clipped,
            first_clip,
        })
    }

    fn energies(&self, warm: &[f32], samples: &[f32]) -> Vec<f64> {
        let warm_frames = (warm.len() / self.channels()).min(self.warm_frames());
        let warm = &warm[warm.len() - warm_frames * self.channels()..];
        self.weighting
            .sub_block_energies(warm, samples, sub_block_frames(self.rate))
    }

    fn peaks(&self, warm: &[f32], samples: &[f32], last: bool, hop: usize) -> (Vec<f32>, f32) {
        let channels = self.channels();
        let frames = samples.len() / channels;
        let history = TruePeakFilter::HISTORY;
        let intervals = frames.div_ceil(hop).max(usize::from(last));
        let mut peaks = vec![0.0f32; intervals];
        let mut sample_peak = 0.0f32;
        let warm_frames = warm.len() / channels;
        // The window's samples before the chunk (silence before the
        // programme), the chunk's, and after the last chunk silence.
        let before = warm_frames.min(history);
        let ends = if last {
            frames + history / 2 + 1
        } else {
            frames
        };
        let mut lanes = vec![vec![0.0f32; ends + history]; channels];
        let warm_start = (warm_frames - before) * channels;
        for (f, frame) in warm[warm_start..].chunks_exact(channels).enumerate() {
            for (lane, &s) in lanes.iter_mut().zip(frame) {
                lane[history - before + f] = s;
            }
        }
        for (f, frame) in samples.chunks_exact(channels).enumerate() {
            for (lane, &s) in lanes.iter_mut().zip(frame) {
                lane[history + f] = s;
            }
        }
        for lane in &lanes {
            sample_peak = abs_max(&lane[history..history + frames], sample_peak);
            for (index, peak) in peaks.iter_mut().enumerate() {
                let from = index * hop;
                let to = if index + 1 == intervals {
                    ends
                } else {
                    (from + hop).min(ends)
                };
                if from < to {
                    *peak = self.filter.scan(&lane[from..to + history], *peak);
                }
            }
        }
        (peaks, sample_peak)
    }
}

/// A programme measured as it streams, chunk by chunk.
#[derive(Debug)]
pub struct ChunkedMeter {
    setup: ChunkSetup,
    /// The chunk being filled.
    current: Vec<f32>,
    /// The programme's last frames before it.
    warm: Vec<f32>,
    stats: Vec<ChunkStats>,
}

impl ChunkedMeter {
    pub fn new(setup: ChunkSetup) -> Self {
        let capacity = setup.chunk_frames() * setup.channels();
        Self {
            setup,
            current: Vec::with_capacity(capacity),
            warm: Vec::new(),
            stats: Vec::new(),
        }
    }

    pub fn setup(&self) -> &ChunkSetup {
        &self.setup
    }

    /// Frames measured so far (the chunk being filled included).
    pub fn frames(&self) -> u64 {
        self.stats.iter().map(|chunk| chunk.frames).sum::<u64>()
            + (self.current.len() / self.setup.channels()) as u64
    }

    /// Whether the next frame starts a chunk.
    pub fn at_chunk_start(&self) -> bool {
        self.current.is_empty()
    }

    /// Feeds interleaved whole frames.
    pub fn push(&mut self, mut block: &[f32]) -> Result<(), DspError> {
        let channels = self.setup.channels();
        if !block.len().is_multiple_of(channels) {
            return Err(DspError::PartialFrame {
                samples: block.len(),
                channels,
            });
        }
        let whole = self.setup.chunk_frames() * channels;
        while !block.is_empty() {
            let take = (whole - self.current.len()).min(block.len());
            self.current.extend_from_slice(&block[..take]);
            block = &block[take..];
            if self.current.len() == whole {
                let stats = self.setup.measure(&self.warm, &self.current, false)?;
                self.close(stats);
            }
        }
        Ok(())
    }

    /// Takes a whole chunk measured before (a region rebuild's copy) at a
    /// chunk's start, with its last frames (at least
    /// [`ChunkSetup::warm_frames`], or all of it), for the next chunk's
    /// measurement.
    pub fn push_measured(&mut self, stats: ChunkStats, tail: &[f32]) {
        debug_assert!(self.current.is_empty());
        self.current.clear();
        self.current.extend_from_slice(tail);
        self.close(stats);
    }

    fn close(&mut self, stats: ChunkStats) {
        self.stats.push(stats);
        let channels = self.setup.channels();
        let keep = (self.setup.warm_frames() * channels).min(self.current.len());
        self.warm.clear();
        self.warm
            .extend_from_slice(&self.current[self.current.len() - keep..]);
        self.current.clear();
    }

    /// Every chunk's stats, the last (partial or not) measured as the
    /// programme's end.
    pub fn finish(self) -> Result<Vec<ChunkStats>, DspError> {
        let mut stats = self.stats;
        Self::end(&self.setup, &self.warm, &self.current, &mut stats)?;
        Ok(stats)
    }

    /// The measurement so far, as if the programme ended here.
    pub fn report(&self) -> Result<LoudnessReport, DspError> {
        Ok(merge(&self.stats()?, self.setup.rate()))
    }

    /// Every chunk's stats so far, as if the programme ended here.
    pub fn stats(&self) -> Result<Vec<ChunkStats>, DspError> {
        let mut stats = self.stats.clone();
        Self::end(&self.setup, &self.warm, &self.current, &mut stats)?;
        Ok(stats)
    }

    /// Ends `stats` with the chunk being filled, `current` (after `warm`),
    /// measured as the programme's end; when it is empty, the points after
    /// the end go with the last chunk's last interval.
    fn end(
        setup: &ChunkSetup,
        warm: &[f32],
        current: &[f32],
        stats: &mut Vec<ChunkStats>,
    ) -> Result<(), DspError> {
        let tail = setup.measure(warm, current, true)?;
        match stats.last_mut() {
            Some(last) if current.is_empty() => {
                if let Some(peak) = last.peaks.last_mut() {
                    *peak = peak.max(tail.true_peak());
                }
            }
            _ => stats.push(tail),
        }
        Ok(())
    }
}

/// The programme's measurement from its chunks' stats, in order.
pub fn merge(stats: &[ChunkStats], rate: u32) -> LoudnessReport {
    let mut momentary = SlidingMean::<4>::new();
    let mut short_term = SlidingMean::<30>::new();
    let (mut momentary_max, mut short_term_max) = (0.0f64, 0.0f64);
    let mut blocks = Vec::new();
    let mut history = Vec::new();
    for energy in stats
        .iter()
        .flat_map(|chunk| chunk.energies.iter().copied())
    {
        if let Some(m) = momentary.push(energy) {
            momentary_max = momentary_max.max(m);
            blocks.push(m);
        }
        if let Some(s) = short_term.push(energy) {
            short_term_max = short_term_max.max(s);
            history.push(s);
        }
    }
    let sample_peak = stats.iter().fold(0.0f32, |p, c| p.max(c.sample_peak));
    let true_peak = stats.iter().fold(0.0f32, |p, c| p.max(c.true_peak()));
    LoudnessReport {
        frames: stats.iter().map(|chunk| chunk.frames).sum(),
        sample_rate: rate,
        integrated_lufs: gated_loudness(&blocks),
        loudness_range_lu: loudness_range(&history),
        momentary_max_lufs: energy_to_loudness(momentary_max),
        short_term_max_lufs: energy_to_loudness(short_term_max),
        sample_peak_dbfs: amplitude_to_db(f64::from(sample_peak)),
        true_peak_dbtp: amplitude_to_db(f64::from(true_peak)),
    }
}

/// BS.1770-4's gated loudness of 400 ms block energies.
pub fn gated_loudness(blocks: &[f64]) -> f64 {
    let absolute = loudness_to_energy(ABSOLUTE_GATE_LUFS);
    let (sum, count) = blocks
        .iter()
        .filter(|&&energy| energy >= absolute)
        .fold((0.0f64, 0usize), |(sum, count), &energy| {
            (sum + energy, count + 1)
        });
    if count == 0 {
        return f64::NEG_INFINITY;
    }
    let relative = sum / count as f64 * 10f64.powf(RELATIVE_GATE_LU / 10.0);
    let (sum, count) = blocks
        .iter()
        .filter(|&&energy| energy >= relative && energy >= absolute)
        .fold((0.0f64, 0usize), |(sum, count), &energy| {
            (sum + energy, count + 1)
        });
    if count == 0 {
        return f64::NEG_INFINITY;
    }
    energy_to_loudness(sum / count as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::true_peak::TruePeakMeter;

    /// Five seconds of stereo: a tone that swells, noise, a silent gap.
    fn programme(frames: usize) -> Vec<f32> {
        let mut state = 12345u32;
        let mut samples = Vec::with_capacity(frames * 2);
        for n in 0..frames {
            let t = n as f32 / 48_000.0;
            let swell = 0.2 + 0.6 * (t * 0.7).sin().abs();
            let gap = if (100_000..130_000).contains(&n) {
                0.0
            } else {
                1.0
            };
            for channel in 0..2 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let noise = state as f32 / u32::MAX as f32 - 0.5;
                let tone = (std::f32::consts::TAU * (440.0 + 110.0 * channel as f32) * t).sin();
                samples.push(gap * swell * (0.6 * tone + 0.3 * noise));
            }
        }
        samples
    }

    fn setup() -> ChunkSetup {
        ChunkSetup::new(
            &ChannelRole::from_labels(&["L", "R"]).unwrap(),
            48_000,
            Some(SampleFormat::Int24),
        )
        .unwrap()
    }

    fn measured(samples: &[f32], block: usize) -> Vec<ChunkStats> {
        let mut meter = ChunkedMeter::new(setup());
        for piece in samples.chunks(block * 2) {
            meter.push(piece).unwrap();
        }
        meter.finish().unwrap()
    }

    /// The merged report agrees with libebur128's one pass (within the
    /// rounding of its energies) and the streaming true-peak meter (exactly).
    #[test]
    fn chunks_merge_to_a_one_pass_measurement() {
        let samples = programme(5 * 48_000 + 1234);
        let stats = measured(&samples, 1000);
        assert_eq!(stats.len(), 4);
        let report = merge(&stats, 48_000);
        let mut reference = ebur128::EbuR128::new(2, 48_000, Mode::I | Mode::SAMPLE_PEAK).unwrap();
        reference.add_frames_f32(&samples).unwrap();
        let integrated = reference.loudness_global().unwrap();
        assert!(
            (report.integrated_lufs - integrated).abs() < 1e-6,
            "{} vs {integrated}",
            report.integrated_lufs
        );
        let mut peaks = TruePeakMeter::new(2, 48_000);
        peaks.push(&samples);
        assert_eq!(report.true_peak_dbtp, amplitude_to_db(peaks.peak()));
        let sample_peak = samples.iter().fold(0.0f32, |p, s| p.max(s.abs()));
        assert_eq!(
            report.sample_peak_dbfs,
            amplitude_to_db(f64::from(sample_peak))
        );
        assert_eq!(report.frames, 5 * 48_000 + 1234);
    }

    /// However it is pushed, the same stats; and a programme spliced from
    /// chunks measured before, with only its changed chunk and the one
    /// after measured again, has the stats of one measured whole.
    #[test]
    fn a_spliced_programme_measures_as_a_whole_one() {
        let mut samples = programme(6 * 76_800 + 17);
        let whole = measured(&samples, 4096);
        assert_eq!(whole, measured(&samples, 777));
        // Edit chunk 2.
        let chunk = 76_800 * 2;
        for sample in &mut samples[2 * chunk..3 * chunk] {
            *sample *= 0.5;
        }
        let edited = measured(&samples, 4096);
        assert_ne!(edited[2], whole[2]);
        let mut meter = ChunkedMeter::new(setup());
        let warm = setup().warm_frames() * 2;
        for (index, stats) in whole.iter().enumerate() {
            let span = &samples[index * chunk..((index + 1) * chunk).min(samples.len())];
            if (2..=3).contains(&index) || index + 1 == whole.len() {
                meter.push(span).unwrap();
            } else {
                meter.push_measured(stats.clone(), &span[span.len() - warm..]);
            }
        }
        assert_eq!(meter.finish().unwrap(), edited);
    }

    #[test]
    fn stats_read_back() {
        let stats = measured(&programme(100_000), 4096);
        let mut bytes = Vec::new();
        for chunk in &stats {
            chunk.encode(&mut bytes);
        }
        let mut rest = &bytes[..];
        for chunk in &stats {
            let (read, after) = ChunkStats::decode(rest).unwrap();
            assert_eq!(&read, chunk);
            rest = after;
        }
        assert!(rest.is_empty());
        assert!(ChunkStats::decode(&bytes[..10]).is_none());
    }
}
