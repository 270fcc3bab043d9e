//! A streaming WAV writer: WAVE_FORMAT_EXTENSIBLE with the layout's channel
//! mask, an optional Broadcast WAV `bext` chunk, and whole-block encoding
//! from `f32`.
//!
//! The `bext` chunk (EBU Tech 3285 v2, see [`super::bext`]) carries the
//! time reference. A deliverable's ([`WavEncoder::broadcast`]) also carries
//! its description and the loudness of the file as written: the encoder
//! meters the very samples it encodes, as a reader decodes them, and since
//! the header precedes the samples, writes the chunk with its loudness
//! fields "not used" first and fills them in when it finishes (one seek
//! back into the header).
//!
//! A file that outgrows the 4 GiB of RIFF's 32-bit sizes (a feature-length
//! 7.1.4 master does after 41 minutes at 48 kHz, 24 bits) becomes RF64 (EBU
//! Tech 3306) when it is finished: the `JUNK` chunk reserved after the RIFF
//! header turns into the `ds64` chunk holding the 64-bit sizes, and the
//! 32-bit size fields become 0xFFFFFFFF. Files under 4 GiB stay plain RIFF.
//!
//! The file is written to a temporary file in the destination directory,
//! flushed to disk (fsync) and renamed over the destination only when
//! [`WavWriter::finish`] succeeds, so a reader never sees a half-written
//! file; dropping the writer without finishing removes the temporary file.

use std::{
    fs::File,
    io::{Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use tempfile::NamedTempFile;

use super::{
    bext::{self, BextInfo, BextLoudness},
    channel_role::ChannelRole,
    chunk_stats::{ChunkSetup, ChunkStats},
    error::AudioError,
    layout::ChannelLayout,
    loudness::{LoudnessMeter, LoudnessReport},
    sample_format::SampleFormat,
    source::{Source, BLOCK_FRAMES},
    wav_reader::{FORMAT_EXTENSIBLE, GUID_TAIL, MAX_CHANNELS},
};

/// What to write: rate, layout, encoding and start time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavSpec {
    /// Frames per second.
    pub sample_rate: u32,
    /// Channel layout; its mask goes in the format chunk.
    pub layout: ChannelLayout,
    /// Sample encoding.
    pub sample_format: SampleFormat,
    /// `bext` time reference (samples since midnight); no `bext` chunk when
    /// `None`, except in a deliverable ([`WavEncoder::broadcast`]), which
    /// has one in any case (its time reference 0).
    pub time_reference: Option<u64>,
}

/// What a finished write produced.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteSummary {
    /// Frames written.
    pub frames: u64,
    /// Samples clipped when converting to integers (0 for float files).
    pub clipped_samples: u64,
    /// The loudness of the file as written, for a stream that measured it
    /// ([`WavEncoder::broadcast`]): what its `bext` chunk says.
    pub loudness: Option<LoudnessReport>,
    /// That measurement chunk by chunk ([`crate::audio::chunk_stats`]).
    pub chunks: Option<Vec<ChunkStats>>,
}

/// The largest RIFF file: its size field is a `u32` counting from byte 8.
const RIFF_LIMIT: u64 = u32::MAX as u64 + 8;

/// The most channels of a file with chunks of its own ([`WavEncoder::broadcast_with_chunks`]):
/// the Dolby Atmos Master ADM Profile's 128 tracks.
pub const MAX_ADM_CHANNELS: usize = 128;

/// A chunk written before the audio: its four-character id and its body
/// (padded to an even length in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub id: [u8; 4],
    pub body: Vec<u8>,
}

/// Size of the `ds64` chunk body (and of the `JUNK` chunk reserving it):
/// RIFF size, data size and sample count as `u64`, table length `u32`.
const DS64_SIZE: usize = 28;

/// Writes a WAV file block by block; see the module documentation.
#[derive(Debug)]
pub struct WavWriter {
    encoder: WavEncoder<NamedTempFile>,
}

/// Encodes a WAV stream into any seekable writer (a file, or an object of
/// the build engine's store): the header first, the data block by block,
/// the sizes patched at the end (RF64 past 4 GiB).
#[derive(Debug)]
pub struct WavEncoder<W: Write + Seek> {
    /// The name in error messages.
    path: PathBuf,
    out: W,
    spec: WavSpec,
    header_len: u64,
    fact_offset: Option<u64>,
    data_bytes: u64,
    frames: u64,
    clipped: u64,
    raw: Vec<u8>,
    /// Files larger than this become RF64.
    rf64_above: u64,
    bext: Option<BextChunk>,
}

/// A stream's `bext` chunk: where its body is, what it says and, for a
/// deliverable, the meter of the samples written.
struct BextChunk {
    /// Offset of the body in the stream.
    offset: u64,
    info: BextInfo,
    time_reference: u64,
    /// The body as written in the header.
    written: Vec<u8>,
    meter: Option<Box<LoudnessMeter>>,
    /// The block just encoded, decoded again for the meter.
    decoded: Vec<f32>,
}

impl std::fmt::Debug for BextChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BextChunk")
            .field("offset", &self.offset)
            .field("info", &self.info)
            .field("time_reference", &self.time_reference)
            .field("metered", &self.meter.is_some())
            .finish()
    }
}

impl BextChunk {
    /// The body with the description and, if metered, the loudness so far.
    fn body(&self) -> Vec<u8> {
        let loudness = self
            .meter
            .as_ref()
            .map(|meter| BextLoudness::from_report(&meter.report()))
            .unwrap_or_default();
        bext::encode(&self.info, self.time_reference, &loudness)
    }

    /// Meters `raw`, just encoded as `format`, as a reader will decode it.
    fn meter(&mut self, format: SampleFormat, raw: &[u8], path: &Path) -> Result<(), AudioError> {
        let Some(meter) = &mut self.meter else {
            return Ok(());
        };
        self.decoded.resize(raw.len() / format.bytes(), 0.0);
        format.decode(raw, &mut self.decoded);
        meter
            .push(&self.decoded)
            .map_err(|error| metering(path, error))
    }
}

/// A meter's refusal as a write error of `path`.
fn metering(path: &Path, error: crate::audio::dsp_error::DspError) -> AudioError {
    AudioError::InvalidValue {
        what: "loudness",
        detail: format!("cannot meter `{}`: {error}", path.display()),
        help: "write a layout and rate the loudness meter takes (up to 7.1.4, 8 kHz to 384 kHz)"
            .to_owned(),
    }
}

fn check_spec(spec: &WavSpec, path: &Path, most: usize) -> Result<(), AudioError> {
    let channels = spec.layout.channels();
    if channels == 0 || channels > most {
        return Err(AudioError::InvalidValue {
            what: "channel count",
            detail: format!("{channels} channels for `{}` (1 to {most})", path.display()),
            help: format!("give a channel count from 1 to {most}"),
        });
    }
    if spec.sample_rate == 0 {
        return Err(AudioError::InvalidValue {
            what: "sample rate",
            detail: format!("0 Hz for `{}`", path.display()),
            help: "give a sample rate above 0 Hz".into(),
        });
    }
    Ok(())
}

impl WavWriter {
    /// Starts writing `path` (through a temporary file beside it).
    pub fn create(path: impl AsRef<Path>, spec: WavSpec) -> Result<Self, AudioError> {
        let path = path.as_ref().to_path_buf();
        check_spec(&spec, &path, MAX_CHANNELS)?;
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{file_name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // A deliverable is readable by all, like any file the user creates
        // (temporary files default to owner-only).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let temp = builder
            .tempfile_in(&dir)
            .map_err(|e| AudioError::io("create", &path, e))?;
        Ok(Self {
            encoder: WavEncoder::new(temp, spec, path)?,
        })
    }

    /// The destination path.
    pub fn path(&self) -> &Path {
        &self.encoder.path
    }

    /// Channels per frame.
    pub fn channels(&self) -> usize {
        self.encoder.channels()
    }

    /// Writes RF64 even if the file fits in a RIFF file, for deliverable
    /// specifications that ask for RF64 throughout.
    pub fn always_rf64(&mut self) {
        self.encoder.always_rf64();
    }

    /// Samples clipped so far.
    pub fn clipped_samples(&self) -> u64 {
        self.encoder.clipped
    }

    /// Appends interleaved frames; `samples.len()` must be a whole number of
    /// frames.
    pub fn write_block(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        self.encoder.write_block(samples)
    }

    /// Writes every frame of `source`, block by block.
    pub fn write_source(&mut self, source: &mut dyn Source) -> Result<(), AudioError> {
        self.encoder.write_source(source)
    }

    /// Patches the chunk sizes, flushes the file to disk and renames it over
    /// the destination.
    pub fn finish(self) -> Result<WriteSummary, AudioError> {
        let path = self.encoder.path.clone();
        let (temp, summary) = self.encoder.finish()?;
        temp.as_file()
            .sync_all()
            .map_err(|e| AudioError::io("write", &path, e))?;
        temp.persist(&path)
            .map_err(|e| AudioError::io("rename into", &path, e.error))?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the rename itself durable; not every platform can.
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(summary)
    }
}

impl<W: Write + Seek> WavEncoder<W> {
    /// Starts a WAV stream in `out` (positioned at its start); `name` names
    /// it in errors.
    pub fn new(out: W, spec: WavSpec, name: impl Into<PathBuf>) -> Result<Self, AudioError> {
        Self::start(out, spec, name.into(), None, None, &[])
    }

    /// Like [`WavEncoder::new`], for a stream that will hold `frames`
    /// frames: the header is written with its final sizes, so `finish`
    /// rewrites the same bytes (a writer that hashes as it goes need not
    /// read the file back). Any other length is still written correctly.
    pub fn with_length(
        out: W,
        spec: WavSpec,
        name: impl Into<PathBuf>,
        frames: u64,
    ) -> Result<Self, AudioError> {
        Self::start(out, spec, name.into(), Some(frames), None, &[])
    }

    /// A Broadcast WAV deliverable: like [`WavEncoder::with_length`] (or
    /// [`WavEncoder::new`] when `frames` is `None`), with a `bext` chunk in
    /// any case (its TimeReference `spec.time_reference`, or 0), described
    /// by `info`, whose loudness fields [`WavEncoder::finish`] fills in
    /// with the measurement of the samples written (ITU-R BS.1770-4 and EBU
    /// Tech 3341/3342, the meter of [`crate::audio::loudness`], channel
    /// weights from the layout's mask as a reader sees it).
    pub fn broadcast(
        out: W,
        spec: WavSpec,
        name: impl Into<PathBuf>,
        frames: Option<u64>,
        info: BextInfo,
    ) -> Result<Self, AudioError> {
        Self::start(out, spec, name.into(), frames, Some(info), &[])
    }

    /// [`WavEncoder::broadcast`] with more chunks before the audio, in the
    /// order given (an ADM BWF master's `chna` and `axml`, see
    /// [`crate::audio::adm`]); such a file may have up to
    /// [`MAX_ADM_CHANNELS`] channels.
    pub fn broadcast_with_chunks(
        out: W,
        spec: WavSpec,
        name: impl Into<PathBuf>,
        frames: Option<u64>,
        info: BextInfo,
        chunks: &[Chunk],
    ) -> Result<Self, AudioError> {
        Self::start(out, spec, name.into(), frames, Some(info), chunks)
    }

    /// Replaces the description of the `bext` chunk (written when the
    /// stream is finished). An error when the stream has no `bext` chunk.
    pub fn describe(&mut self, info: BextInfo) -> Result<(), AudioError> {
        match &mut self.bext {
            Some(chunk) => {
                chunk.info = info;
                Ok(())
            }
            None => Err(AudioError::InvalidValue {
                what: "bext",
                detail: format!("`{}` has no bext chunk to describe it", self.path.display()),
                help: "open the file with `WavEncoder::broadcast` to give it a bext chunk"
                    .to_owned(),
            }),
        }
    }

    fn start(
        mut out: W,
        spec: WavSpec,
        path: PathBuf,
        frames: Option<u64>,
        broadcast: Option<BextInfo>,
        chunks: &[Chunk],
    ) -> Result<Self, AudioError> {
        let most = if chunks.is_empty() {
            MAX_CHANNELS
        } else {
            MAX_ADM_CHANNELS
        };
        check_spec(&spec, &path, most)?;
        let time_reference = spec.time_reference;
        let bext = match (broadcast, time_reference) {
            (Some(info), _) => {
                let layout =
                    ChannelLayout::from_wav_mask(spec.layout.mask(), spec.layout.channels());
                let setup = ChunkSetup::new(
                    &ChannelRole::for_layout(layout.labels()),
                    spec.sample_rate,
                    Some(spec.sample_format),
                )
                .map_err(|error| metering(&path, error))?;
                let meter =
                    LoudnessMeter::with_setup(setup).map_err(|error| metering(&path, error))?;
                Some((info, time_reference.unwrap_or(0), Some(Box::new(meter))))
            }
            (None, Some(time_reference)) => Some((BextInfo::default(), time_reference, None)),
            (None, None) => None,
        };
        let bext = bext.map(|(info, time_reference, meter)| {
            let mut chunk = BextChunk {
                offset: 0,
                info,
                time_reference,
                written: Vec::new(),
                meter,
                decoded: Vec::new(),
            };
            chunk.written = chunk.body();
            chunk
        });
        let (mut header, fact_offset, bext_offset) = header(
            &spec,
            bext.as_ref().map(|chunk| chunk.written.as_slice()),
            chunks,
        );
        let bext = bext.map(|chunk| BextChunk {
            offset: bext_offset.unwrap_or(0),
            ..chunk
        });
        if let Some(frames) = frames {
            let block = (spec.layout.channels() * spec.sample_format.bytes()) as u64;
            let data_bytes = frames.saturating_mul(block);
            // The very bytes `finish` will write there.
            let sizes = riff_sizes(header.len() as u64, fact_offset, data_bytes, frames);
            for (offset, value) in sizes.into_iter().flatten() {
                let offset = offset as usize;
                header[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
            }
        }
        out.write_all(&header)
            .map_err(|e| AudioError::io("write", &path, e))?;
        Ok(Self {
            path,
            out,
            header_len: header.len() as u64,
            fact_offset,
            spec,
            data_bytes: 0,
            frames: 0,
            clipped: 0,
            raw: Vec::new(),
            rf64_above: RIFF_LIMIT,
            bext,
        })
    }

    /// Channels per frame.
    pub fn channels(&self) -> usize {
        self.spec.layout.channels()
    }

    /// Writes RF64 even if the stream would fit in a RIFF file.
    pub fn always_rf64(&mut self) {
        self.rf64_above = 0;
    }

    /// Samples clipped so far.
    pub fn clipped_samples(&self) -> u64 {
        self.clipped
    }

    /// Bytes per frame of the file's audio.
    pub fn frame_bytes(&self) -> usize {
        self.spec.sample_format.bytes() * self.channels()
    }

    /// The channel count, if `samples` samples are whole frames.
    fn whole_frames(&self, samples: usize) -> Result<usize, AudioError> {
        let channels = self.channels();
        if samples.is_multiple_of(channels) {
            Ok(channels)
        } else {
            Err(AudioError::ChannelCount {
                operation: format!("writing `{}`", self.path.display()),
                expected: channels,
                found: samples % channels,
            })
        }
    }

    /// Appends interleaved frames; `samples.len()` must be a whole number of
    /// frames.
    pub fn write_block(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        let channels = self.whole_frames(samples.len())?;
        self.clipped += self.spec.sample_format.encode(samples, &mut self.raw);
        self.append_raw(samples.len() / channels)
    }

    /// Appends interleaved frames of integers at the file's own depth (a
    /// dither quantiser's output), with no round trip through `f32`. Only
    /// for 16- and 24-bit files.
    pub fn write_integers(&mut self, samples: &[i32]) -> Result<(), AudioError> {
        let channels = self.whole_frames(samples.len())?;
        if self
            .spec
            .sample_format
            .encode_integers(samples, &mut self.raw)
            .is_none()
        {
            return Err(AudioError::InvalidValue {
                what: "sample format",
                detail: format!(
                    "integer samples for the float file `{}`",
                    self.path.display()
                ),
                help: "give integer samples to a 16- or 24-bit file only; a float file takes float samples".into(),
            });
        }
        self.append_raw(samples.len() / channels)
    }

    /// Appends `raw`, frames already encoded in the file's format (a
    /// stretch of an earlier render of the same file), metering them as
    /// [`WavEncoder::write_block`] would.
    pub fn write_encoded(&mut self, raw: &[u8]) -> Result<(), AudioError> {
        let frame = self.spec.sample_format.bytes() * self.channels();
        if !raw.len().is_multiple_of(frame) {
            return Err(AudioError::InvalidValue {
                what: "encoded frames",
                detail: format!("{} bytes for `{}`", raw.len(), self.path.display()),
                help: "copy whole frames".into(),
            });
        }
        self.raw.clear();
        self.raw.extend_from_slice(raw);
        self.append_raw(raw.len() / frame)
    }

    /// Appends `raw`, one whole chunk of the meter's
    /// ([`crate::audio::chunk_stats`]) already encoded and measured (`stats`)
    /// in an earlier render of the same file; `tail` is its last frames,
    /// decoded, for the next chunk's measurement. It must start on a
    /// chunk's start.
    pub fn write_measured(
        &mut self,
        raw: &[u8],
        stats: ChunkStats,
        tail: &[f32],
    ) -> Result<(), AudioError> {
        let frame = self.spec.sample_format.bytes() * self.channels();
        let Some(meter) = self.bext.as_mut().and_then(|chunk| chunk.meter.as_mut()) else {
            return self.write_encoded(raw);
        };
        if !meter.chunks_mut().at_chunk_start() || !raw.len().is_multiple_of(frame) {
            return Err(AudioError::InvalidValue {
                what: "measured chunk",
                detail: format!(
                    "a chunk of `{}` off the meter's chunks",
                    self.path.display()
                ),
                help: "copy whole chunks".into(),
            });
        }
        meter.chunks_mut().push_measured(stats, tail);
        self.out
            .write_all(raw)
            .map_err(|e| AudioError::io("write", &self.path, e))?;
        self.data_bytes += raw.len() as u64;
        self.frames += (raw.len() / frame) as u64;
        Ok(())
    }

    /// Writes the encoded block in `raw`, `frames` frames, to the stream
    /// (and to the meter of a deliverable).
    fn append_raw(&mut self, frames: usize) -> Result<(), AudioError> {
        self.out
            .write_all(&self.raw)
            .map_err(|e| AudioError::io("write", &self.path, e))?;
        if let Some(chunk) = &mut self.bext {
            chunk.meter(self.spec.sample_format, &self.raw, &self.path)?;
        }
        self.data_bytes += self.raw.len() as u64;
        self.frames += frames as u64;
        Ok(())
    }

    /// Moves past `frames` frames that the stream already holds at this
    /// position, as they are (the unchanged stretch of an output patched
    /// in place), without writing them. Not for a metered stream: its
    /// meter would miss them ([`WavEncoder::keep_measured`],
    /// [`WavEncoder::keep_metered`]).
    pub fn keep_frames(&mut self, frames: u64) -> Result<(), AudioError> {
        if self
            .bext
            .as_ref()
            .is_some_and(|chunk| chunk.meter.is_some())
        {
            return Err(AudioError::InvalidValue {
                what: "kept frames",
                detail: format!("`{}` meters what it writes", self.path.display()),
                help: "write every frame of a metered stream".into(),
            });
        }
        self.keep_bytes(frames * self.frame_bytes() as u64, frames)
    }

    /// Like [`WavEncoder::write_measured`], for one whole chunk of
    /// `frames` frames the stream already holds at this position, as
    /// measured (`stats`; `tail`, its last frames decoded): moves past it
    /// without writing it.
    pub fn keep_measured(
        &mut self,
        frames: u64,
        stats: ChunkStats,
        tail: &[f32],
    ) -> Result<(), AudioError> {
        let Some(meter) = self.bext.as_mut().and_then(|chunk| chunk.meter.as_mut()) else {
            return self.keep_frames(frames);
        };
        if !meter.chunks_mut().at_chunk_start() {
            return Err(AudioError::InvalidValue {
                what: "measured chunk",
                detail: format!(
                    "a chunk of `{}` off the meter's chunks",
                    self.path.display()
                ),
                help: "keep whole chunks".into(),
            });
        }
        meter.chunks_mut().push_measured(stats, tail);
        self.keep_bytes(frames * self.frame_bytes() as u64, frames)
    }

    /// Meters `raw`, the encoded frames the stream already holds at this
    /// position (read back from it), and moves past them without writing
    /// them, as [`WavEncoder::write_encoded`] would have written them.
    pub fn keep_metered(&mut self, raw: &[u8]) -> Result<(), AudioError> {
        let frame = self.frame_bytes();
        if !raw.len().is_multiple_of(frame) {
            return Err(AudioError::InvalidValue {
                what: "encoded frames",
                detail: format!("{} bytes for `{}`", raw.len(), self.path.display()),
                help: "keep whole frames".into(),
            });
        }
        if let Some(chunk) = &mut self.bext {
            chunk.meter(self.spec.sample_format, raw, &self.path)?;
        }
        self.keep_bytes(raw.len() as u64, (raw.len() / frame) as u64)
    }

    /// Counts `bytes` (`frames` frames) as written and seeks past them.
    fn keep_bytes(&mut self, bytes: u64, frames: u64) -> Result<(), AudioError> {
        self.data_bytes += bytes;
        self.frames += frames;
        self.out
            .seek(SeekFrom::Start(self.header_len + self.data_bytes))
            .map_err(|e| AudioError::io("seek", &self.path, e))?;
        Ok(())
    }

    /// The offset of the first frame's bytes.
    pub fn data_start(&self) -> u64 {
        self.header_len
    }

    /// Writes every frame of `source`, block by block.
    pub fn write_source(&mut self, source: &mut dyn Source) -> Result<(), AudioError> {
        let channels = self.channels();
        if source.channels() != channels {
            return Err(AudioError::ChannelCount {
                operation: format!("writing `{}`", self.path.display()),
                expected: channels,
                found: source.channels(),
            });
        }
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        loop {
            let got = source.read(&mut block)?;
            if got == 0 {
                return Ok(());
            }
            self.write_block(&block[..got * channels])?;
        }
    }

    /// Patches the chunk sizes (RF64 past the RIFF limit) and the `bext`
    /// chunk (description, loudness) and returns the writer, positioned at
    /// its end, with what was written.
    pub fn finish(mut self) -> Result<(W, WriteSummary), AudioError> {
        let path = self.path.clone();
        let io = |e| AudioError::io("write", &path, e);
        let file = &mut self.out;
        if self.data_bytes % 2 == 1 {
            file.write_all(&[0]).map_err(io)?;
        }
        let padded = self.data_bytes + self.data_bytes % 2;
        let total = self.header_len + padded;
        let data_size_offset = self.header_len - 4;
        let sizes = riff_sizes(
            self.header_len,
            self.fact_offset,
            self.data_bytes,
            self.frames,
        )
        .filter(|_| total <= self.rf64_above);
        if let Some(sizes) = sizes {
            for (offset, value) in sizes {
                file.seek(SeekFrom::Start(offset)).map_err(io)?;
                file.write_all(&value.to_le_bytes()).map_err(io)?;
            }
        } else {
            let mut head = Vec::with_capacity(12 + 8 + DS64_SIZE);
            head.extend_from_slice(b"RF64");
            head.extend_from_slice(&u32::MAX.to_le_bytes());
            head.extend_from_slice(b"WAVE");
            head.extend_from_slice(b"ds64");
            head.extend_from_slice(&(DS64_SIZE as u32).to_le_bytes());
            head.extend_from_slice(&(total - 8).to_le_bytes());
            head.extend_from_slice(&self.data_bytes.to_le_bytes());
            head.extend_from_slice(&self.frames.to_le_bytes());
            head.extend_from_slice(&0u32.to_le_bytes());
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            file.write_all(&head).map_err(io)?;
            if let Some(offset) = self.fact_offset {
                file.seek(SeekFrom::Start(offset)).map_err(io)?;
                file.write_all(&u32::try_from(self.frames).unwrap_or(u32::MAX).to_le_bytes())
                    .map_err(io)?;
            }
            file.seek(SeekFrom::Start(data_size_offset)).map_err(io)?;
            file.write_all(&u32::MAX.to_le_bytes()).map_err(io)?;
        }
        let mut loudness = None;
        let mut chunks = None;
        if let Some(chunk) = &mut self.bext {
            loudness = chunk.meter.as_ref().map(|meter| meter.report());
            let body = chunk.body();
            if body != chunk.written {
                file.seek(SeekFrom::Start(chunk.offset)).map_err(io)?;
                file.write_all(&body).map_err(io)?;
            }
            if let Some(meter) = chunk.meter.take() {
                chunks = Some(meter.finish().map_err(|error| metering(&path, error))?);
            }
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        file.flush().map_err(io)?;
        Ok((
            self.out,
            WriteSummary {
                frames: self.frames,
                clipped_samples: self.clipped,
                loudness,
                chunks,
            },
        ))
    }
}

/// The size fields of a RIFF file whose header (up to the data chunk's size
/// field) is `header_len` bytes, followed by `data_bytes` bytes of audio
/// (`frames` frames): `(offset, value)` for the RIFF size, the `fact` frame
/// count and the data size. `None` when the file is too big for RIFF.
fn riff_sizes(
    header_len: u64,
    fact_offset: Option<u64>,
    data_bytes: u64,
    frames: u64,
) -> Option<Vec<(u64, u32)>> {
    let total = header_len.saturating_add(data_bytes.saturating_add(data_bytes % 2));
    if total > RIFF_LIMIT {
        return None;
    }
    // Below the limit every value fits in 32 bits.
    let mut sizes = vec![(4, (total - 8) as u32)];
    if let Some(offset) = fact_offset {
        sizes.push((offset, frames as u32));
    }
    sizes.push((header_len - 4, data_bytes as u32));
    Some(sizes)
}

/// The header up to and including the data chunk's size field (with a
/// `bext` chunk of body `bext` when there is one), the offset of the `fact`
/// chunk's frame count if there is one and that of the `bext` body.
fn header(
    spec: &WavSpec,
    bext: Option<&[u8]>,
    chunks: &[Chunk],
) -> (Vec<u8>, Option<u64>, Option<u64>) {
    let channels = spec.layout.channels() as u16;
    let bytes = spec.sample_format.bytes() as u16;
    let block_align = channels * bytes;
    let mut h = Vec::with_capacity(720);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(b"WAVE");
    // Room for a ds64 chunk, should the file outgrow RIFF.
    h.extend_from_slice(b"JUNK");
    h.extend_from_slice(&(DS64_SIZE as u32).to_le_bytes());
    h.extend_from_slice(&[0; DS64_SIZE]);
    let mut bext_offset = None;
    if let Some(body) = bext {
        h.extend_from_slice(b"bext");
        h.extend_from_slice(&(body.len() as u32).to_le_bytes());
        bext_offset = Some(h.len() as u64);
        h.extend_from_slice(body);
    }
    h.extend_from_slice(b"fmt ");
    h.extend_from_slice(&40u32.to_le_bytes());
    h.extend_from_slice(&FORMAT_EXTENSIBLE.to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&spec.sample_rate.to_le_bytes());
    h.extend_from_slice(&(spec.sample_rate * u32::from(block_align)).to_le_bytes());
    h.extend_from_slice(&block_align.to_le_bytes());
    h.extend_from_slice(&spec.sample_format.bits().to_le_bytes());
    h.extend_from_slice(&22u16.to_le_bytes());
    h.extend_from_slice(&spec.sample_format.bits().to_le_bytes());
    h.extend_from_slice(&spec.layout.mask().to_le_bytes());
    let tag: u16 = if spec.sample_format.is_float() { 3 } else { 1 };
    h.extend_from_slice(&tag.to_le_bytes());
    h.extend_from_slice(&GUID_TAIL);
    let mut fact_offset = None;
    if spec.sample_format.is_float() {
        h.extend_from_slice(b"fact");
        h.extend_from_slice(&4u32.to_le_bytes());
        fact_offset = Some(h.len() as u64);
        h.extend_from_slice(&0u32.to_le_bytes());
    }
    for chunk in chunks {
        h.extend_from_slice(&chunk.id);
        h.extend_from_slice(
            &u32::try_from(chunk.body.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        h.extend_from_slice(&chunk.body);
        if chunk.body.len() % 2 == 1 {
            h.push(0);
        }
    }
    h.extend_from_slice(b"data");
    h.extend_from_slice(&0u32.to_le_bytes());
    (h, fact_offset, bext_offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_frames_are_left_as_they_are_and_counted_in_the_sizes() {
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Float32,
            time_reference: Some(5),
        };
        let block = |value: f32| vec![value; 2 * 100];
        let whole = |out: &mut std::io::Cursor<Vec<u8>>| {
            let mut encoder = WavEncoder::with_length(out, spec.clone(), "bus", 300).unwrap();
            for value in [0.25, 0.5, 0.75] {
                encoder.write_block(&block(value)).unwrap();
            }
            encoder.finish().unwrap();
        };
        let mut clean = std::io::Cursor::new(Vec::new());
        whole(&mut clean);
        // An earlier render whose middle hundred frames differ, patched:
        // the first and last hundred kept, the middle written again.
        let mut earlier = std::io::Cursor::new(Vec::new());
        {
            let mut encoder =
                WavEncoder::with_length(&mut earlier, spec.clone(), "bus", 300).unwrap();
            for value in [0.25, -1.0, 0.75] {
                encoder.write_block(&block(value)).unwrap();
            }
            encoder.finish().unwrap();
        }
        earlier.set_position(0);
        let mut encoder = WavEncoder::with_length(&mut earlier, spec.clone(), "bus", 300).unwrap();
        encoder.keep_frames(100).unwrap();
        encoder.write_block(&block(0.5)).unwrap();
        encoder.keep_frames(100).unwrap();
        encoder.finish().unwrap();
        assert_eq!(earlier.into_inner(), clean.into_inner());
    }

    #[test]
    fn a_file_past_the_riff_limit_becomes_rf64() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.wav");
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::mono(),
            sample_format: SampleFormat::Float32,
            time_reference: Some(77),
        };
        let mut writer = WavWriter::create(&path, spec).unwrap();
        // Pretend the limit is 100 bytes of data.
        writer.encoder.rf64_above = writer.encoder.header_len + 100;
        let samples: Vec<f32> = (0..30).map(|i| i as f32 / 64.0).collect();
        writer.write_block(&samples).unwrap(); // 120 bytes
        let header_len = writer.encoder.header_len;
        writer.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
        assert_eq!(&bytes[0..4], b"RF64");
        assert_eq!(u32_at(4), u32::MAX);
        assert_eq!(&bytes[12..16], b"ds64");
        assert_eq!(u32_at(16), 28);
        assert_eq!(u64_at(20), bytes.len() as u64 - 8);
        assert_eq!(u64_at(28), 120);
        assert_eq!(u64_at(36), 30);
        assert_eq!(u32_at(header_len as usize - 4), u32::MAX);
        assert_eq!(
            &bytes[header_len as usize - 8..header_len as usize - 4],
            b"data"
        );

        let mut reader = crate::audio::WavReader::open(&path).unwrap();
        assert_eq!(reader.format().frames, 30);
        assert_eq!(reader.format().time_reference, Some(77));
        let back = crate::audio::source::read_to_end(&mut reader).unwrap();
        assert_eq!(back, samples);
    }

    #[test]
    fn an_adm_master_past_the_riff_limit_keeps_its_chunks_and_gets_ds64() {
        // 40 channels (more than a channel-based file may have), 24-bit,
        // two chunks of odd and even length before the audio; the RIFF
        // limit pretended to be 100 bytes of data, so the sizes go to ds64.
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::generic(40),
            sample_format: SampleFormat::Int24,
            time_reference: None,
        };
        let chunks = [
            Chunk {
                id: *b"chna",
                body: vec![1, 2, 3],
            },
            Chunk {
                id: *b"axml",
                body: b"<a/>".to_vec(),
            },
        ];
        let mut out = std::io::Cursor::new(Vec::new());
        let mut encoder = WavEncoder::broadcast_with_chunks(
            &mut out,
            spec.clone(),
            "adm.wav",
            None,
            BextInfo::default(),
            &chunks,
        )
        .unwrap();
        encoder.rf64_above = encoder.header_len + 100;
        let header_len = encoder.header_len as usize;
        encoder.write_block(&[0.25f32; 40 * 3]).unwrap(); // 360 bytes
        encoder.finish().unwrap();
        let bytes = out.into_inner();
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
        assert_eq!(&bytes[0..4], b"RF64");
        assert_eq!(u32_at(4), u32::MAX);
        assert_eq!(&bytes[12..16], b"ds64");
        assert_eq!(u64_at(20), bytes.len() as u64 - 8);
        assert_eq!(u64_at(28), 360);
        assert_eq!(u64_at(36), 3);
        // The chunks, in order, each padded to an even length, then data.
        let chna = bytes.windows(4).position(|w| w == b"chna").unwrap();
        assert_eq!(u32_at(chna + 4), 3);
        assert_eq!(&bytes[chna + 8..chna + 11], &[1, 2, 3]);
        assert_eq!(bytes[chna + 11], 0);
        assert_eq!(&bytes[chna + 12..chna + 16], b"axml");
        assert_eq!(u32_at(chna + 16), 4);
        assert_eq!(&bytes[chna + 20..chna + 24], b"<a/>");
        assert_eq!(&bytes[chna + 24..chna + 28], b"data");
        assert_eq!(chna + 32, header_len);
        assert_eq!(u32_at(header_len - 4), u32::MAX);
        // Under the limit, the same stream is plain RIFF with its sizes.
        let mut out = std::io::Cursor::new(Vec::new());
        let mut encoder = WavEncoder::broadcast_with_chunks(
            &mut out,
            spec.clone(),
            "adm.wav",
            None,
            BextInfo::default(),
            &chunks,
        )
        .unwrap();
        encoder.write_block(&[0.25f32; 40 * 3]).unwrap();
        encoder.finish().unwrap();
        let bytes = out.into_inner();
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(
            u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize,
            bytes.len() - 8
        );
        // 129 channels is one more than the profile's 128 tracks.
        let too_many = WavSpec {
            layout: ChannelLayout::generic(129),
            ..spec
        };
        assert!(WavEncoder::broadcast_with_chunks(
            std::io::Cursor::new(Vec::new()),
            too_many,
            "adm.wav",
            None,
            BextInfo::default(),
            &chunks,
        )
        .is_err());
    }

    /// A test signal: a 1 kHz tone on the left, 440 Hz on the right, with
    /// a second of silence in the middle and a 4 s length (so there are
    /// short-term windows).
    fn programme(frames: usize) -> Vec<f32> {
        use std::f64::consts::TAU;
        (0..frames)
            .flat_map(|n| {
                let t = n as f64 / 48_000.0;
                let on = if (48_000..96_000).contains(&n) {
                    0.0
                } else {
                    1.0
                };
                [
                    (on * 0.3 * (TAU * 1000.0 * t).sin()) as f32,
                    (on * 0.1 * (TAU * 440.0 * t).sin()) as f32,
                ]
            })
            .collect()
    }

    /// The `bext` body of a file written by this encoder (it follows the
    /// RIFF header and the 36-byte JUNK chunk).
    fn bext_body(bytes: &[u8]) -> &[u8] {
        assert_eq!(&bytes[48..52], b"bext");
        assert_eq!(&bytes[52..56], &(bext::BEXT_SIZE as u32).to_le_bytes());
        &bytes[56..56 + bext::BEXT_SIZE]
    }

    /// What the meter reads in the data chunk of `bytes`, decoded afresh.
    fn measured(bytes: &[u8], format: SampleFormat) -> LoudnessReport {
        let data = bytes
            .windows(4)
            .position(|w| w == b"data")
            .expect("a data chunk")
            + 8;
        let mut samples = vec![0.0; (bytes.len() - data) / format.bytes()];
        format.decode(
            &bytes[data..data + samples.len() * format.bytes()],
            &mut samples,
        );
        let mut meter = LoudnessMeter::for_labels(&["L", "R"], 48_000).unwrap();
        meter.push(&samples).unwrap();
        meter.report()
    }

    #[test]
    fn a_deliverable_s_bext_carries_its_description_and_the_loudness_of_its_samples() {
        let samples = programme(4 * 48_000);
        for format in [
            SampleFormat::Int16,
            SampleFormat::Int24,
            SampleFormat::Float32,
        ] {
            let spec = WavSpec {
                sample_rate: 48_000,
                layout: ChannelLayout::stereo(),
                sample_format: format,
                time_reference: Some(172_800_000),
            };
            let mut out = std::io::Cursor::new(Vec::new());
            let mut encoder = WavEncoder::broadcast(
                &mut out,
                spec,
                "t.wav",
                Some(4 * 48_000),
                BextInfo::new("first"),
            )
            .unwrap();
            for block in samples.chunks(2 * 1001) {
                encoder.write_block(block).unwrap();
            }
            encoder
                .describe(BextInfo::new("Project - t - 2.0"))
                .unwrap();
            let (_, summary) = encoder.finish().unwrap();
            let bytes = out.into_inner();
            let body = bext_body(&bytes);
            let report = measured(&bytes, format);
            assert_eq!(summary.loudness, Some(report), "{format:?}");
            let loudness = BextLoudness::from_report(&report);
            assert_eq!(
                &body[412..422],
                &bext::encode(&BextInfo::default(), 0, &loudness)[412..422]
            );
            let read = bext::loudness(body).unwrap();
            for (field, value) in [
                (read.integrated_lufs, report.integrated_lufs),
                (read.loudness_range_lu, report.loudness_range_lu),
                (read.max_true_peak_dbtp, report.true_peak_dbtp),
                (read.max_momentary_lufs, report.momentary_max_lufs),
                (read.max_short_term_lufs, report.short_term_max_lufs),
            ] {
                let field = field.expect("measured");
                assert!(
                    (field - value).abs() <= 0.005,
                    "{format:?}: {field} vs {value}"
                );
            }
            assert_eq!(
                bext::description(body).as_deref(),
                Some("Project - t - 2.0")
            );
            assert_eq!(bext::time_reference(body), Some(172_800_000));
            assert_eq!(&body[346..348], &[2, 0]);
        }
    }

    #[test]
    fn a_deliverable_s_integers_are_metered_as_a_reader_reads_them() {
        // Dithered integers straight from a quantiser, with no f32 round trip.
        let mut quantizer = crate::audio::dither::TpdfQuantizer::new(16, 5).unwrap();
        let mut integers = Vec::new();
        quantizer.quantize(&programme(4 * 48_000), &mut integers);
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Int16,
            time_reference: None,
        };
        let mut out = std::io::Cursor::new(Vec::new());
        let mut encoder =
            WavEncoder::broadcast(&mut out, spec, "t.wav", None, BextInfo::default()).unwrap();
        for block in integers.chunks(2 * 4096) {
            encoder.write_integers(block).unwrap();
        }
        let (_, summary) = encoder.finish().unwrap();
        let bytes = out.into_inner();
        assert_eq!(
            summary.loudness,
            Some(measured(&bytes, SampleFormat::Int16))
        );
        // No time reference: a deliverable still has its bext chunk, at 0.
        assert_eq!(bext::time_reference(bext_body(&bytes)), Some(0));
        assert_eq!(bext::description(bext_body(&bytes)).as_deref(), Some(""));
    }

    #[test]
    fn a_stream_that_is_no_deliverable_is_not_metered() {
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Float32,
            time_reference: Some(5),
        };
        let mut out = std::io::Cursor::new(Vec::new());
        let mut encoder = WavEncoder::with_length(&mut out, spec.clone(), "bus", 48_000).unwrap();
        encoder.write_block(&programme(48_000)).unwrap();
        let (_, summary) = encoder.finish().unwrap();
        assert_eq!(summary.loudness, None);
        let bytes = out.into_inner();
        let body = bext_body(&bytes);
        assert_eq!(
            body,
            bext::encode(&BextInfo::default(), 5, &BextLoudness::default())
        );
        assert_eq!(&body[412..422], &[0xFF, 0x7F].repeat(5)[..]);
        // Without a time reference it has no bext chunk, and none to describe.
        let mut out = std::io::Cursor::new(Vec::new());
        let bare = WavSpec {
            time_reference: None,
            ..spec
        };
        let mut encoder = WavEncoder::new(&mut out, bare, "bus").unwrap();
        assert!(encoder.describe(BextInfo::new("x")).is_err());
        encoder.finish().unwrap();
        assert!(!out.into_inner().windows(4).any(|w| w == b"bext"));
    }
}
