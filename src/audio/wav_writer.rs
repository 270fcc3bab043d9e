//! A streaming WAV writer: WAVE_FORMAT_EXTENSIBLE with the layout's channel
//! mask, an optional Broadcast WAV `bext` time reference, and whole-block
//! encoding from `f32`.
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

/// Writes a WAV file block by block; see the module documentation.
#[derive(Debug)]
pub struct WavWriter {
    path: PathBuf,
    temp: NamedTempFile,
    spec: WavSpec,
    header_len: u64,
    fact_offset: Option<u64>,
    data_bytes: u64,
    frames: u64,
    clipped: u64,
    raw: Vec<u8>,
    limit: u64,
}

impl WavWriter {
    /// Starts writing `path` (through a temporary file beside it).
    pub fn create(path: impl AsRef<Path>, spec: WavSpec) -> Result<Self, AudioError> {
        let path = path.as_ref().to_path_buf();
        let channels = spec.layout.channels();
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(AudioError::InvalidValue {
                what: "channel count",
                detail: format!(
                    "{channels} channels for `{}` (1 to {MAX_CHANNELS})",
                    path.display()
                ),
            });
        }
        if spec.sample_rate == 0 {
            return Err(AudioError::InvalidValue {
                what: "sample rate",
                detail: format!("0 Hz for `{}`", path.display()),
            });
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| AudioError::io("create", &path, e))?;
        let (header, fact_offset) = header(&spec);
        temp.as_file_mut()
            .write_all(&header)
            .map_err(|e| AudioError::io("write", &path, e))?;
        Ok(Self {
            path,
            temp,
            header_len: header.len() as u64,
            fact_offset,
            spec,
            data_bytes: 0,
            frames: 0,
            clipped: 0,
            raw: Vec::new(),
            limit: RIFF_LIMIT,
        })
    }

    /// The destination path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Channels per frame.
    pub fn channels(&self) -> usize {
        self.spec.layout.channels()
    }

    /// Samples clipped so far.
    pub fn clipped_samples(&self) -> u64 {
        self.clipped
    }

    /// Appends interleaved frames; `samples.len()` must be a whole number of
    /// frames.
    pub fn write_block(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        let channels = self.channels();
        if !samples.len().is_multiple_of(channels) {
            return Err(AudioError::ChannelCount {
                operation: format!("writing `{}`", self.path.display()),
                expected: channels,
                found: samples.len() % channels,
            });
        }
        let bytes = (samples.len() * self.spec.sample_format.bytes()) as u64;
        // One more byte for the pad that follows odd-sized data.
        if self.header_len + self.data_bytes + bytes + 1 > self.limit {
            return Err(AudioError::TooLarge {
                path: self.path.clone(),
            });
        }
        self.clipped += self.spec.sample_format.encode(samples, &mut self.raw);
        self.temp
            .as_file_mut()
            .write_all(&self.raw)
            .map_err(|e| AudioError::io("write", &self.path, e))?;
        self.data_bytes += bytes;
        self.frames += (samples.len() / channels) as u64;
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

    /// Patches the chunk sizes, flushes the file to disk and renames it over
    /// the destination.
    pub fn finish(mut self) -> Result<WriteSummary, AudioError> {
        let path = self.path.clone();
        let io = |e| AudioError::io("write", &path, e);
        let file: &mut File = self.temp.as_file_mut();
        if self.data_bytes % 2 == 1 {
            file.write_all(&[0]).map_err(io)?;
        }
        let padded = self.data_bytes + self.data_bytes % 2;
        let riff_size = (self.header_len + padded - 8) as u32;
        file.seek(SeekFrom::Start(4)).map_err(io)?;
        file.write_all(&riff_size.to_le_bytes()).map_err(io)?;
        if let Some(offset) = self.fact_offset {
            file.seek(SeekFrom::Start(offset)).map_err(io)?;
            file.write_all(&(self.frames.min(u64::from(u32::MAX)) as u32).to_le_bytes())
                .map_err(io)?;
        }
        file.seek(SeekFrom::Start(self.header_len - 4))
            .map_err(io)?;
        file.write_all(&(self.data_bytes as u32).to_le_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)?;
        self.temp
            .persist(&self.path)
            .map_err(|e| AudioError::io("rename into", &path, e.error))?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the rename itself durable; not every platform can.
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(WriteSummary {
            frames: self.frames,
            clipped_samples: self.clipped,
        })
    }
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
    fn exceeding_the_riff_limit_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.wav");
        let spec = WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Int24,
            time_reference: None,
        };
        let mut writer = WavWriter::create(&path, spec).unwrap();
        // Pretend the limit is near: 80 bytes of data allowed.
        writer.limit = writer.header_len + 80;
        writer.write_block(&[0.0; 16]).unwrap(); // 48 bytes
        let err = writer.write_block(&[0.0; 16]).unwrap_err();
        use miette::Diagnostic;
        assert_eq!(
            format!(
                "{}: {err}\nhelp: {}",
                err.code().unwrap(),
                err.help().unwrap()
            ),
            format!(
                "E0509: `{}` would exceed 4 GiB, the limit of a WAV file (RF64 is not supported)\nhelp: split the deliverable, or lower its channel count, rate or bit depth",
                path.display()
            )
        );
        drop(writer);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
