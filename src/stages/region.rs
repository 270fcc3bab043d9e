//! Region-level rebuilds: a timeline output cut into fixed chunks of
//! [`chunk_frames`] frames, each keyed by everything its samples depend on
//! (the members that touch it, with their parameters, source digests and
//! placement; a sub-bus's chunk keys over the same span), so that a run
//! after an edit re-renders only the chunks whose key changed and copies
//! the others from its previous output ([`crate::engine::stage::RunContext::previous`]).
//!
//! The keys are [`ChunkKeys`], left beside the output as its region index
//! ([`crate::engine::regions`]). Every sample of the mix is a function of
//! its own position (members are summed sample by sample, in member order;
//! fades, pans and matrices count positions from the member's start), so a
//! chunk rendered alone equals the same chunk of a whole render, bit for
//! bit: a spliced output is byte-identical to a clean build's. A header
//! digest covers what the file's header and the chunking depend on (and
//! the program's version): when it differs, nothing is reused.

use std::{ops::Range, path::Path};

use miette::IntoDiagnostic;

use crate::{
    audio::{chunk_stats::ChunkStats, SampleFormat, Source, WavReader},
    engine::key::{Digest, KeyHasher, Params},
};

/// Frames per chunk at `rate`: sixteen 100 ms sub-blocks (76,800 frames,
/// 1.6 s, at 48 kHz), the chunks a deliverable's loudness is measured in
/// ([`crate::audio::chunk_stats`]), so that a bus's chunks and its
/// deliverables' line up. A small edit re-renders its span rounded out to
/// whole chunks.
pub fn chunk_frames(rate: u32) -> u64 {
    crate::audio::chunk_stats::chunk_frames(rate) as u64
}

const MAGIC: &[u8] = b"sndtrk-regions 3\n";

/// The key of every chunk of an output, and what its header depends on;
/// for a deliverable, each chunk's loudness and peaks as written, and for
/// a normalised one its mix's before the gain (`mix`: the mix's own keys,
/// with their stats) and, gated on dialogue, its dialogue gate's
/// (`dialogue`), which its next run's gain is measured from.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkKeys {
    pub header: Digest,
    pub frames: u64,
    pub chunk: u64,
    pub keys: Vec<Digest>,
    pub stats: Option<Vec<ChunkStats>>,
    pub mix: Option<Box<ChunkKeys>>,
    pub dialogue: Option<Box<ChunkKeys>>,
}

/// What follows an index's keys: bit 0, the stats; bit 1, the mix's
/// index; bit 2, the dialogue gate's.
const HAS_STATS: u8 = 1;
const HAS_MIX: u8 = 2;
const HAS_DIALOGUE: u8 = 4;

/// The chunks of `frames` frames of `chunk` frames each: how many.
pub fn chunk_count(frames: u64, chunk: u64) -> usize {
    frames.div_ceil(chunk.max(1)) as usize
}

/// The frames of chunk `index` of an output of `frames` frames.
pub fn chunk_span(index: usize, frames: u64, chunk: u64) -> Range<u64> {
    let start = index as u64 * chunk;
    start..(start + chunk).min(frames)
}

/// The chunks of `chunk` frames a span of frames overlaps.
pub fn chunks_of(span: Range<u64>, chunk: u64) -> Range<usize> {
    if span.start >= span.end || chunk == 0 {
        return 0..0;
    }
    (span.start / chunk) as usize..span.end.div_ceil(chunk) as usize
}

impl ChunkKeys {
    /// The index's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 49 + 32 * self.keys.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&self.header.0);
        bytes.extend_from_slice(&self.frames.to_le_bytes());
        bytes.extend_from_slice(&self.chunk.to_le_bytes());
        bytes.extend_from_slice(&(self.keys.len() as u64).to_le_bytes());
        for key in &self.keys {
            bytes.extend_from_slice(&key.0);
        }
        let flag = |present: bool, flag: u8| if present { flag } else { 0 };
        bytes.push(
            flag(self.stats.is_some(), HAS_STATS)
                | flag(self.mix.is_some(), HAS_MIX)
                | flag(self.dialogue.is_some(), HAS_DIALOGUE),
        );
        if let Some(stats) = &self.stats {
            for chunk in stats {
                chunk.encode(&mut bytes);
            }
        }
        for nested in [&self.mix, &self.dialogue].into_iter().flatten() {
            bytes.extend_from_slice(&nested.encode());
        }
        bytes
    }

    /// Reads an index; `None` unless it is whole and consistent.
    pub fn decode(bytes: &[u8]) -> Option<ChunkKeys> {
        let (keys, rest) = Self::decode_prefix(bytes)?;
        rest.is_empty().then_some(keys)
    }

    /// Reads an index at the start of `bytes`, and what follows it.
    fn decode_prefix(bytes: &[u8]) -> Option<(ChunkKeys, &[u8])> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let (header, rest) = rest.split_first_chunk::<32>()?;
        let (frames, rest) = rest.split_first_chunk::<8>()?;
        let (chunk, rest) = rest.split_first_chunk::<8>()?;
        let (count, rest) = rest.split_first_chunk::<8>()?;
        let frames = u64::from_le_bytes(*frames);
        let chunk = u64::from_le_bytes(*chunk);
        let count = usize::try_from(u64::from_le_bytes(*count)).ok()?;
        if chunk == 0 || count != chunk_count(frames, chunk) {
            return None;
        }
        let (keys, rest) = rest.split_at_checked(count.checked_mul(32)?)?;
        let keys = keys
            .chunks_exact(32)
            .map(|key| Digest(key.try_into().unwrap_or([0; 32])))
            .collect();
        let (&flags, mut rest) = rest.split_first()?;
        if flags & !(HAS_STATS | HAS_MIX | HAS_DIALOGUE) != 0 {
            return None;
        }
        let stats = if flags & HAS_STATS == 0 {
            None
        } else {
            let mut stats = Vec::with_capacity(count);
            for _ in 0..count {
                let (chunk, after) = ChunkStats::decode(rest)?;
                stats.push(chunk);
                rest = after;
            }
            Some(stats)
        };
        let mut nested = |flag: u8| -> Option<Option<Box<ChunkKeys>>> {
            if flags & flag == 0 {
                return Some(None);
            }
            let (index, after) = Self::decode_prefix(rest)?;
            // One level: a mix's index has no mix of its own.
            if index.mix.is_some() || index.dialogue.is_some() {
                return None;
            }
            rest = after;
            Some(Some(Box::new(index)))
        };
        let mix = nested(HAS_MIX)?;
        let dialogue = nested(HAS_DIALOGUE)?;
        Some((
            ChunkKeys {
                header: Digest(*header),
                frames,
                chunk,
                keys,
                stats,
                mix,
                dialogue,
            },
            rest,
        ))
    }

    /// Whether chunk `index` of this output has the same samples as in
    /// the output `old` indexes, and so do the frames before it that its
    /// measurement reads (the chunk before's): whether its stats in `old`
    /// are its stats now.
    pub fn same_measurement(&self, old: &ChunkKeys, index: usize) -> bool {
        let same = |i: usize| self.keys.get(i).is_some() && self.keys.get(i) == old.keys.get(i);
        old.header == self.header
            && old.frames == self.frames
            && old.chunk == self.chunk
            && same(index)
            && (index == 0 || same(index - 1))
    }

    /// The spans of the output, in order, each with whether it must be
    /// rendered (`true`) or can be copied from the output `old` indexes
    /// (`false`): all of it is rendered unless `old` has the same header
    /// and length.
    pub fn runs(&self, old: Option<&ChunkKeys>) -> Vec<(Range<u64>, bool)> {
        let old = old.filter(|old| {
            old.header == self.header && old.frames == self.frames && old.chunk == self.chunk
        });
        let mut runs: Vec<(Range<u64>, bool)> = Vec::new();
        for (index, key) in self.keys.iter().enumerate() {
            let render = old.is_none_or(|old| old.keys.get(index) != Some(key));
            let span = chunk_span(index, self.frames, self.chunk);
            match runs.last_mut() {
                Some((last, kind)) if *kind == render => last.end = span.end,
                _ => runs.push((span, render)),
            }
        }
        runs
    }

    /// The frames `runs` renders.
    pub fn rendered(runs: &[(Range<u64>, bool)]) -> u64 {
        runs.iter()
            .filter(|(_, render)| *render)
            .map(|(span, _)| span.end - span.start)
            .sum()
    }
}

/// Builds the chunk keys of an output: its header digest, then, for each
/// chunk, the members that touch it in the order they are summed.
pub struct ChunkKeyer {
    header: Digest,
    frames: u64,
    chunk: u64,
    hashers: Vec<blake3::Hasher>,
}

impl ChunkKeyer {
    /// The keyer of an output of `frames` frames in chunks of `chunk`,
    /// whose header depends on what `header` writes (channels, rate, time
    /// reference, format…).
    pub fn new(frames: u64, chunk: u64, header: impl FnOnce(&mut Params<'_>)) -> ChunkKeyer {
        let chunk = chunk.max(1);
        let mut hasher = KeyHasher::new();
        {
            let mut params = Params::new(&mut hasher);
            params
                .str("region.version", env!("CARGO_PKG_VERSION"))
                .u64("region.chunk_frames", chunk)
                .u64("region.frames", frames);
            header(&mut params);
        }
        let header = hasher.finish();
        let hashers = (0..chunk_count(frames, chunk))
            .map(|index| {
                let mut hasher = blake3::Hasher::new();
                hasher.update(&header.0);
                hasher.update(&(index as u64).to_le_bytes());
                hasher
            })
            .collect();
        ChunkKeyer {
            header,
            frames,
            chunk,
            hashers,
        }
    }

    /// A member identified by `identity` that plays over `span` of the
    /// output (clipped to it).
    pub fn touch(&mut self, span: Range<u64>, identity: &Digest) {
        let span = span.start..span.end.min(self.frames);
        for index in chunks_of(span.clone(), self.chunk) {
            let chunk = chunk_span(index, self.frames, self.chunk);
            // Where in the chunk it plays is part of what it contributes.
            let from = span.start.max(chunk.start);
            let to = span.end.min(chunk.end);
            let hasher = &mut self.hashers[index];
            hasher.update(&identity.0);
            hasher.update(&from.to_le_bytes());
            hasher.update(&to.to_le_bytes());
        }
    }

    /// A member whose contribution to each chunk `contribution` gives
    /// (`None`: nothing).
    pub fn each(&mut self, mut contribution: impl FnMut(Range<u64>) -> Option<Digest>) {
        for (index, hasher) in self.hashers.iter_mut().enumerate() {
            if let Some(digest) = contribution(chunk_span(index, self.frames, self.chunk)) {
                hasher.update(&digest.0);
            }
        }
    }

    /// The keys.
    pub fn finish(self) -> ChunkKeys {
        ChunkKeys {
            header: self.header,
            frames: self.frames,
            chunk: self.chunk,
            stats: None,
            mix: None,
            dialogue: None,
            keys: self
                .hashers
                .iter()
                .map(|hasher| hasher.finalize().into())
                .collect(),
        }
    }
}

/// A stage's previous output, a WAV file, read frame span by frame span as
/// it was encoded.
pub struct PreviousFile {
    file: std::fs::File,
    data_start: u64,
    format: SampleFormat,
    channels: usize,
}

impl PreviousFile {
    /// Opens the previous output at `path`, which must have `channels`
    /// channels and `frames` frames (what its index says).
    pub fn open(path: &Path, channels: usize, frames: u64) -> miette::Result<Self> {
        let reader = WavReader::open(path).into_diagnostic()?;
        if reader.channels() != channels || reader.frames() != frames {
            miette::bail!(
                "the previous output `{}` is not what its region index says",
                path.display()
            );
        }
        Ok(Self {
            format: reader.format().sample_format,
            data_start: reader.data_start(),
            file: std::fs::File::open(path).into_diagnostic()?,
            channels,
        })
    }

    /// The offset of its first frame's bytes.
    pub fn data_start(&self) -> u64 {
        self.data_start
    }

    /// How its samples are encoded.
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// The encoded bytes of frames `span`.
    pub fn read(&mut self, span: Range<u64>) -> miette::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let frame = (self.format.bytes() * self.channels) as u64;
        let mut raw = vec![0u8; ((span.end - span.start) * frame) as usize];
        self.file
            .seek(SeekFrom::Start(self.data_start + span.start * frame))
            .into_diagnostic()?;
        self.file.read_exact(&mut raw).into_diagnostic()?;
        Ok(raw)
    }

    /// The last `frames` frames of `raw` (or all of it), decoded.
    pub fn decode_tail(&self, raw: &[u8], frames: usize) -> Vec<f32> {
        let frame = self.format.bytes() * self.channels;
        let keep = (frames * frame).min(raw.len());
        let mut decoded = vec![0.0f32; keep / self.format.bytes()];
        self.format.decode(&raw[raw.len() - keep..], &mut decoded);
        decoded
    }
}

/// The bytes of a file's stats alone (a led deliverable's, before its
/// bus makes its region index of them).
pub fn stats_bytes(stats: &[ChunkStats]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for chunk in stats {
        chunk.encode(&mut bytes);
    }
    bytes
}

/// Reads [`stats_bytes`].
pub fn stats_of_bytes(mut bytes: &[u8]) -> Option<Vec<ChunkStats>> {
    let mut stats = Vec::new();
    while !bytes.is_empty() {
        let (chunk, rest) = ChunkStats::decode(bytes)?;
        stats.push(chunk);
        bytes = rest;
    }
    Some(stats)
}

/// The digest of what `write` puts into a key (a member's parameters).
pub fn identity(write: impl FnOnce(&mut Params<'_>)) -> Digest {
    let mut hasher = KeyHasher::new();
    write(&mut Params::new(&mut hasher));
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNK_FRAMES: u64 = 65_536;

    fn keys(frames: u64, touches: &[(Range<u64>, u8)]) -> ChunkKeys {
        let mut keyer = ChunkKeyer::new(frames, CHUNK_FRAMES, |params| {
            params.u64("channels", 2);
        });
        for (span, id) in touches {
            keyer.touch(span.clone(), &Digest([*id; 32]));
        }
        keyer.finish()
    }

    #[test]
    fn only_the_chunks_a_changed_member_touches_are_rendered() {
        let frames = 10 * CHUNK_FRAMES + 5;
        let old = keys(
            frames,
            &[(0..frames, 1), (3 * CHUNK_FRAMES + 7..4 * CHUNK_FRAMES, 2)],
        );
        // The cue moved by one frame: only its chunk changes.
        let new = keys(
            frames,
            &[(0..frames, 1), (3 * CHUNK_FRAMES + 8..4 * CHUNK_FRAMES, 2)],
        );
        let runs = new.runs(Some(&old));
        assert_eq!(
            runs,
            vec![
                (0..3 * CHUNK_FRAMES, false),
                (3 * CHUNK_FRAMES..4 * CHUNK_FRAMES, true),
                (4 * CHUNK_FRAMES..frames, false),
            ]
        );
        assert_eq!(ChunkKeys::rendered(&runs), CHUNK_FRAMES);
        assert_eq!(new.runs(Some(&new)), vec![(0..frames, false)]);
        // Another length or header: everything.
        let longer = keys(frames + 1, &[(0..frames, 1)]);
        assert_eq!(longer.runs(Some(&old)), vec![(0..frames + 1, true)]);
        assert_eq!(new.runs(None), vec![(0..frames, true)]);
    }

    #[test]
    fn an_index_reads_back_and_a_damaged_one_is_refused() {
        let index = keys(3 * CHUNK_FRAMES, &[(5..CHUNK_FRAMES * 2, 9)]);
        let bytes = index.encode();
        assert_eq!(ChunkKeys::decode(&bytes), Some(index.clone()));
        assert_eq!(ChunkKeys::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(ChunkKeys::decode(b"sndtrk-regions 1\n"), None);
        let mut with_stats = index.clone();
        with_stats.stats = Some(vec![
            crate::audio::chunk_stats::ChunkStats {
                frames: CHUNK_FRAMES,
                energies: vec![0.5; 3],
                peaks: vec![0.25; 2],
                sample_peak: 0.2,
                clipped: 1,
                first_clip: Some(7),
            };
            3
        ]);
        assert_eq!(
            ChunkKeys::decode(&with_stats.encode()),
            Some(with_stats.clone())
        );
        assert_eq!(ChunkKeys::decode(&[]), None);
        // A normalised deliverable's, with its mix's index; a limited one's
        // has the mix's alone.
        let mut mix = keys(3 * CHUNK_FRAMES, &[(0..7, 4)]);
        mix.stats.clone_from(&with_stats.stats);
        let mut normalised = with_stats.clone();
        normalised.mix = Some(Box::new(mix.clone()));
        normalised.dialogue = Some(Box::new(keys(3 * CHUNK_FRAMES, &[(3..9, 5)])));
        let bytes = normalised.encode();
        assert_eq!(ChunkKeys::decode(&bytes), Some(normalised.clone()));
        for cut in [1, 40, 200] {
            assert_eq!(ChunkKeys::decode(&bytes[..bytes.len() - cut]), None);
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(ChunkKeys::decode(&longer), None);
        let limited = ChunkKeys {
            mix: Some(Box::new(mix.clone())),
            ..mix.clone()
        };
        assert_eq!(ChunkKeys::decode(&limited.encode()), Some(limited));
        // A mix within a mix is refused.
        let nested = ChunkKeys {
            mix: Some(Box::new(normalised)),
            ..mix
        };
        assert_eq!(ChunkKeys::decode(&nested.encode()), None);
    }

    #[test]
    fn a_chunk_measures_the_same_when_it_and_the_one_before_are_unchanged() {
        let frames = 4 * CHUNK_FRAMES;
        let old = keys(frames, &[(0..frames, 1)]);
        let new = keys(
            frames,
            &[(0..frames, 1), (CHUNK_FRAMES + 5..CHUNK_FRAMES + 9, 2)],
        );
        let same: Vec<bool> = (0..4).map(|i| new.same_measurement(&old, i)).collect();
        assert_eq!(same, [true, false, false, true]);
        let longer = keys(frames + 1, &[(0..frames, 1)]);
        assert!(!longer.same_measurement(&old, 0));
    }

    #[test]
    fn member_order_is_part_of_a_chunk_s_key() {
        let a = keys(CHUNK_FRAMES, &[(0..10, 1), (0..10, 2)]);
        let b = keys(CHUNK_FRAMES, &[(0..10, 2), (0..10, 1)]);
        assert_ne!(a.keys, b.keys);
    }
}
