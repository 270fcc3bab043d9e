//! A streaming WAV writer: WAVE_FORMAT_EXTENSIBLE with the layout's channel
//! mask, an optional Broadcast WAV `bext` time reference, and whole-block
//! encoding from `f32`.
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
    bext,
    error::AudioError,
    layout::ChannelLayout,
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
    /// `bext` time reference (samples since midnight); no `bext` chunk when `None`.
    pub time_reference: Option<u64>,
}

/// What a finished write produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteSummary {
    /// Frames written.
    pub frames: u64,
    /// Samples clipped when converting to integers (0 for float files).
    pub clipped_samples: u64,
}

/// The largest RIFF file: its size field is a `u32` counting from byte 8.
const RIFF_LIMIT: u64 = u32::MAX as u64 + 8;

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
}

fn check_spec(spec: &WavSpec, path: &Path) -> Result<(), AudioError> {
    let channels = spec.layout.channels();
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(AudioError::InvalidValue {
            what: "channel count",
            detail: format!(
                "{channels} channels for `{}` (1 to {MAX_CHANNELS})",
                path.display()
            ),
            help: format!("give a channel count from 1 to {MAX_CHANNELS}"),
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
        check_spec(&spec, &path)?;
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
        Self::start(out, spec, name.into(), None)
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
        Self::start(out, spec, name.into(), Some(frames))
    }

    fn start(
        mut out: W,
        spec: WavSpec,
        path: PathBuf,
        frames: Option<u64>,
    ) -> Result<Self, AudioError> {
        check_spec(&spec, &path)?;
        let (mut header, fact_offset) = header(&spec);
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

    /// Writes the encoded block in `raw`, `frames` frames, to the stream.
    fn append_raw(&mut self, frames: usize) -> Result<(), AudioError> {
        self.out
            .write_all(&self.raw)
            .map_err(|e| AudioError::io("write", &self.path, e))?;
        self.data_bytes += self.raw.len() as u64;
        self.frames += frames as u64;
        Ok(())
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

    /// Patches the chunk sizes (RF64 past the RIFF limit) and returns the
    /// writer, positioned at its end, with what was written.
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
        file.seek(SeekFrom::End(0)).map_err(io)?;
        file.flush().map_err(io)?;
        Ok((
            self.out,
            WriteSummary {
                frames: self.frames,
                clipped_samples: self.clipped,
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

/// The header up to and including the data chunk's size field, and the
/// offset of the `fact` chunk's frame count if there is one.
fn header(spec: &WavSpec) -> (Vec<u8>, Option<u64>) {
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
    if let Some(time_reference) = spec.time_reference {
        let body = bext::encode(time_reference);
        h.extend_from_slice(b"bext");
        h.extend_from_slice(&(body.len() as u32).to_le_bytes());
        h.extend_from_slice(&body);
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
    h.extend_from_slice(b"data");
    h.extend_from_slice(&0u32.to_le_bytes());
    (h, fact_offset)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
