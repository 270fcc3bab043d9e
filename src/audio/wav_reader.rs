//! A streaming WAV reader: parses the RIFF (or RF64/BW64) chunks itself
//! (`ds64`, format, `bext`, data), then decodes the data chunk block by block straight from the file,
//! converting whole blocks of bytes to `f32` at a time.
//!
//! Every malformed input is an error naming the file, never a panic: a file
//! too short for its header, a data chunk claiming more bytes than follow,
//! zero channels, an encoding other than 16/24-bit integer or 32-bit float.

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom},
    path::{Path, PathBuf},
};

use super::{
    bext, error::AudioError, sample_format::SampleFormat, source::Source, wav_format::WavFormat,
};
use crate::audio::read_tap::ReadTap;

/// WAVE_FORMAT_PCM.
const FORMAT_PCM: u16 = 1;
/// WAVE_FORMAT_IEEE_FLOAT.
const FORMAT_FLOAT: u16 = 3;
/// WAVE_FORMAT_EXTENSIBLE.
pub(crate) const FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// Bytes 2..16 of every KSDATAFORMAT_SUBTYPE GUID derived from a format tag.
pub(crate) const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];
/// The most channels a file sndtrk writes may have (the WAV mask defines
/// 18 positions); an ADM master may have more, up to [`MAX_READ_CHANNELS`].
pub const MAX_CHANNELS: usize = 32;
/// The most channels a file may have to be read: an ADM BWF master's 128
/// tracks (the Dolby Atmos Master ADM Profile's limit).
pub const MAX_READ_CHANNELS: usize = 128;

/// Reads a WAV file block by block as interleaved `f32` frames.
#[derive(Debug)]
pub struct WavReader {
    path: PathBuf,
    file: File,
    format: WavFormat,
    data_start: u64,
    position: u64,
    raw: Vec<u8>,
    tap: Option<Tap>,
}

/// A [`ReadTap`] in a reader.
struct Tap(Box<dyn ReadTap>);

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tap")
    }
}

impl WavReader {
    /// Opens `path` and parses its header. The audio is not read yet.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, AudioError> {
        let path = path.as_ref().to_path_buf();
        let mut file = File::open(&path).map_err(|e| AudioError::io("open", &path, e))?;
        let length = file
            .metadata()
            .map_err(|e| AudioError::io("read", &path, e))?
            .len();
        let (format, data_start) = parse_header(&path, &mut file, length)?;
        file.seek(SeekFrom::Start(data_start))
            .map_err(|e| AudioError::io("read", &path, e))?;
        Ok(Self {
            path,
            file,
            format,
            data_start,
            position: 0,
            raw: Vec::new(),
            tap: None,
        })
    }

    /// Opens `path` like [`WavReader::open`], showing `tap` every byte of
    /// the file in order as long as the frames are read in order: the
    /// header at once, each block as it is read, and whatever follows the
    /// audio once the last frame has been read. A [`Source::skip`] ends
    /// the showing (`tap` never sees the end).
    pub fn open_tapped(path: impl AsRef<Path>, tap: Box<dyn ReadTap>) -> Result<Self, AudioError> {
        let mut reader = Self::open(path)?;
        let mut tap = Tap(tap);
        reader
            .file
            .seek(SeekFrom::Start(0))
            .and_then(|_| show(&mut reader.file, &mut *tap.0, 0, Some(reader.data_start)))
            .map_err(|e| AudioError::io("read", &reader.path, e))?;
        reader.tap = Some(tap);
        if reader.format.frames == 0 {
            reader.show_tail()?;
        }
        Ok(reader)
    }

    /// Shows the tap the bytes after the audio, to the end of the file, and
    /// tells it the file has been shown whole. The file is positioned just
    /// after the audio.
    fn show_tail(&mut self) -> Result<(), AudioError> {
        let Some(mut tap) = self.tap.take() else {
            return Ok(());
        };
        let offset = self.data_start + self.format.frames * self.frame_bytes();
        show(&mut self.file, &mut *tap.0, offset, None)
            .map_err(|e| AudioError::io("read", &self.path, e))?;
        tap.0.end();
        Ok(())
    }

    /// Bytes per frame in the data chunk.
    fn frame_bytes(&self) -> u64 {
        (self.format.channels * self.format.sample_format.bytes()) as u64
    }

    /// Where the audio starts in the file, in bytes (frame `n` is at
    /// `data_start() + n * frame bytes`).
    pub fn data_start(&self) -> u64 {
        self.data_start
    }

    /// The file's format.
    pub fn format(&self) -> &WavFormat {
        &self.format
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks the file against what a recipe declares: an error naming the
    /// file if its channel count or sample rate differs.
    pub fn expect(&self, channels: usize, sample_rate: u32) -> Result<(), AudioError> {
        if self.format.channels != channels {
            return Err(AudioError::ChannelMismatch {
                path: self.path.clone(),
                expected: channels,
                found: self.format.channels,
            });
        }
        if self.format.sample_rate != sample_rate {
            return Err(AudioError::RateMismatch {
                path: self.path.clone(),
                expected: sample_rate,
                found: self.format.sample_rate,
            });
        }
        Ok(())
    }
}

impl Source for WavReader {
    fn channels(&self) -> usize {
        self.format.channels
    }

    fn frames(&self) -> u64 {
        self.format.frames
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.format.channels;
        let frames =
            ((out.len() / channels) as u64).min(self.format.frames - self.position) as usize;
        if frames == 0 {
            return Ok(0);
        }
        let samples = frames * channels;
        let bytes = samples * self.format.sample_format.bytes();
        self.raw.resize(bytes, 0);
        self.file.read_exact(&mut self.raw).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                AudioError::Truncated {
                    path: self.path.clone(),
                    detail: "the file shrank while it was read".into(),
                }
            } else {
                AudioError::io("read", &self.path, e)
            }
        })?;
        self.format
            .sample_format
            .decode(&self.raw, &mut out[..samples]);
        let offset = self.data_start + self.position * self.frame_bytes();
        if let Some(tap) = &mut self.tap {
            tap.0.bytes(offset, &self.raw);
        }
        self.position += frames as u64;
        if self.position == self.format.frames {
            self.show_tail()?;
        }
        Ok(frames)
    }

    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let skipped = frames.min(self.format.frames - self.position);
        if skipped > 0 {
            // The tap would miss the skipped bytes.
            self.tap = None;
        }
        self.position += skipped;
        self.file
            .seek(SeekFrom::Start(
                self.data_start + self.position * self.frame_bytes(),
            ))
            .map_err(|e| AudioError::io("read", &self.path, e))?;
        Ok(skipped)
    }
}

/// Parses the RIFF chunks up to the end of the file; returns the format and
/// the offset of the first data byte.
fn parse_header(path: &Path, file: &mut File, length: u64) -> Result<(WavFormat, u64), AudioError> {
    let io = |e| AudioError::io("read", path, e);
    let truncated = |detail: String| AudioError::Truncated {
        path: path.to_path_buf(),
        detail,
    };
    let invalid = |detail: String| AudioError::InvalidHeader {
        path: path.to_path_buf(),
        detail,
    };

    let mut head = [0u8; 12];
    let got = read_up_to(file, &mut head).map_err(io)?;
    let riff_prefix = got >= 4 && matches!(&head[..4], b"RIFF" | b"RF64" | b"BW64");
    if got < 12 {
        if riff_prefix || (got > 0 && b"RIFF".starts_with(&head[..got.min(4)])) {
            return Err(truncated(format!(
                "only {got} bytes, shorter than a RIFF header"
            )));
        }
        return Err(AudioError::NotWav {
            path: path.to_path_buf(),
            detail: describe_start(&head[..got]),
        });
    }
    if !riff_prefix || &head[8..12] != b"WAVE" {
        return Err(AudioError::NotWav {
            path: path.to_path_buf(),
            detail: describe_start(&head),
        });
    }
    let mut riff_end = 8 + u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    // RF64 and BW64 (EBU Tech 3306, ITU-R BS.2088) keep 64-bit sizes in a
    // ds64 chunk that must come first.
    let mut ds64_data_size = None;
    if &head[..4] != b"RIFF" {
        let mut ds64 = [0u8; 8 + 24];
        let got = read_up_to(file, &mut ds64).map_err(io)?;
        if got < ds64.len() {
            return Err(truncated(format!(
                "only {} bytes, shorter than an RF64 header",
                12 + got
            )));
        }
        if &ds64[..4] != b"ds64" {
            return Err(invalid("an RF64 file without a `ds64` chunk first".into()));
        }
        let u64_at = |i: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&ds64[i..i + 8]);
            u64::from_le_bytes(bytes)
        };
        riff_end = 8u64.saturating_add(u64_at(8));
        ds64_data_size = Some(u64_at(16));
    }

    let mut fmt: Option<Vec<u8>> = None;
    let mut data: Option<(u64, u64)> = None;
    let mut time_reference = None;
    let mut position = 12u64;
    while position + 8 <= length {
        file.seek(SeekFrom::Start(position)).map_err(io)?;
        let mut header = [0u8; 8];
        file.read_exact(&mut header).map_err(io)?;
        let id = [header[0], header[1], header[2], header[3]];
        let mut size = u64::from(u32::from_le_bytes([
            header[4], header[5], header[6], header[7],
        ]));
        if &id == b"data" && size == u64::from(u32::MAX) {
            if let Some(ds64_size) = ds64_data_size {
                size = ds64_size;
            }
        }
        let body = position + 8;
        let available = length - body;
        match &id {
            b"data" => {
                if size > available {
                    // A RIFF size that covers the claimed data means the file
                    // was cut short; otherwise the data header itself lies.
                    if riff_end >= body.saturating_add(size) {
                        return Err(truncated(format!(
                            "its data chunk claims {size} bytes but the file ends after {available}"
                        )));
                    }
                    return Err(AudioError::DataLength {
                        path: path.to_path_buf(),
                        claimed: size,
                        available,
                    });
                }
                if data.is_none() {
                    data = Some((body, size));
                }
            }
            b"fmt " | b"bext" => {
                if size > available {
                    return Err(truncated(format!(
                        "its `{}` chunk claims {size} bytes but the file ends after {available}",
                        String::from_utf8_lossy(&id).trim_end()
                    )));
                }
                if size > 1 << 20 {
                    return Err(invalid(format!(
                        "a `{}` chunk of {size} bytes",
                        String::from_utf8_lossy(&id)
                    )));
                }
                let mut bytes = vec![0u8; size as usize];
                file.read_exact(&mut bytes).map_err(io)?;
                if &id == b"fmt " {
                    if fmt.is_none() {
                        fmt = Some(bytes);
                    }
                } else {
                    time_reference = bext::time_reference(&bytes);
                }
            }
            _ => {}
        }
        position = body.saturating_add(size).saturating_add(size & 1);
    }

    let Some(fmt) = fmt else {
        return Err(if data.is_some() {
            invalid("no `fmt ` chunk before the end of the file".into())
        } else {
            truncated("no `fmt ` chunk".into())
        });
    };
    let parsed = parse_fmt(path, &fmt)?;
    let Some((data_start, data_size)) = data else {
        return Err(truncated("no `data` chunk".into()));
    };
    let block_align = (parsed.channels * parsed.sample_format.bytes()) as u64;
    let format = WavFormat {
        sample_rate: parsed.sample_rate,
        channels: parsed.channels,
        sample_format: parsed.sample_format,
        channel_mask: parsed.channel_mask,
        extensible: parsed.extensible,
        frames: data_size / block_align,
        time_reference,
    };
    Ok((format, data_start))
}

struct Fmt {
    sample_rate: u32,
    channels: usize,
    sample_format: SampleFormat,
    channel_mask: u32,
    extensible: bool,
}

fn parse_fmt(path: &Path, fmt: &[u8]) -> Result<Fmt, AudioError> {
    let invalid = |detail: String| AudioError::InvalidHeader {
        path: path.to_path_buf(),
        detail,
    };
    let unsupported = |detail: String| AudioError::Unsupported {
        path: path.to_path_buf(),
        detail,
    };
    if fmt.len() < 16 {
        return Err(invalid(format!(
            "the `fmt ` chunk has {} bytes, fewer than 16",
            fmt.len()
        )));
    }
    let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([fmt[i], fmt[i + 1], fmt[i + 2], fmt[i + 3]]);
    let mut tag = u16_at(0);
    let channels = usize::from(u16_at(2));
    let sample_rate = u32_at(4);
    let block_align = usize::from(u16_at(12));
    let bits = u16_at(14);
    let mut channel_mask = 0;
    let extensible = tag == FORMAT_EXTENSIBLE;
    if extensible {
        if fmt.len() < 40 {
            return Err(invalid(format!(
                "a WAVE_FORMAT_EXTENSIBLE `fmt ` chunk has {} bytes, fewer than 40",
                fmt.len()
            )));
        }
        channel_mask = u32_at(20);
        if fmt[26..40] != GUID_TAIL {
            return Err(unsupported(
                "an unknown WAVE_FORMAT_EXTENSIBLE sub-format".into(),
            ));
        }
        tag = u16_at(24);
    }
    if channels == 0 {
        return Err(invalid("zero channels".into()));
    }
    if channels > MAX_READ_CHANNELS {
        return Err(unsupported(format!(
            "{channels} channels (at most {MAX_READ_CHANNELS})"
        )));
    }
    if sample_rate == 0 {
        return Err(invalid("a sample rate of 0 Hz".into()));
    }
    let sample_format = match (tag, bits) {
        (FORMAT_PCM, 16) => SampleFormat::Int16,
        (FORMAT_PCM, 24) => SampleFormat::Int24,
        (FORMAT_FLOAT, 32) => SampleFormat::Float32,
        (FORMAT_PCM, bits) => return Err(unsupported(format!("{bits}-bit integer PCM"))),
        (FORMAT_FLOAT, bits) => return Err(unsupported(format!("{bits}-bit float"))),
        (6, _) => return Err(unsupported("A-law".into())),
        (7, _) => return Err(unsupported("µ-law".into())),
        (tag, _) => {
            return Err(unsupported(format!(
                "format tag 0x{tag:04X} (compressed audio)"
            )))
        }
    };
    if block_align != channels * sample_format.bytes() {
        return Err(invalid(format!(
            "block align {block_align} does not match {channels} channels of {bits} bits"
        )));
    }
    Ok(Fmt {
        sample_rate,
        channels,
        sample_format,
        channel_mask,
        extensible,
    })
}

/// Reads from the file's position, at `offset`, up to `end` (or the end of
/// the file) and shows the bytes to `tap`, in bounded memory.
fn show(
    file: &mut File,
    tap: &mut dyn ReadTap,
    mut offset: u64,
    end: Option<u64>,
) -> std::io::Result<()> {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let want = match end {
            Some(end) => usize::try_from(end.saturating_sub(offset))
                .unwrap_or(usize::MAX)
                .min(buffer.len()),
            None => buffer.len(),
        };
        if want == 0 {
            return Ok(());
        }
        let got = read_up_to(file, &mut buffer[..want])?;
        if got == 0 {
            return Ok(());
        }
        tap.bytes(offset, &buffer[..got]);
        offset += got as u64;
    }
}

/// Reads until `buffer` is full or the file ends; returns bytes read.
fn read_up_to(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A short description of what a non-WAV file starts with.
fn describe_start(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    let shown: String = bytes
        .iter()
        .take(4)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    format!("it starts with `{shown}`, not `RIFF….WAVE`")
}
