//! Helpers shared by the audio tests, the default ones and their twins in
//! `interop/` (which ask sox and ffmpeg what the default ones compute
//! here): deterministic test signals, the layouts and encodings every WAV
//! test covers, whole-file writes and reads, deliverables checked by the
//! parser and meter written in `reference.rs`, and diagnostic rendering;
//! the projects the build tests render ([`project`]) and the downmixes a
//! build routes through ([`matrices`]).

#![allow(dead_code)]

pub mod matrices;
pub mod project;

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use sndtrk::audio::{
    source::read_to_end, ChannelLayout, SampleFormat, Source, WavFormat, WavReader, WavSpec,
    WavWriter,
};

/// The sample rate of the audio tests' files.
pub const RATE: u32 = 48_000;

/// Every layout the WAV tests write: 1.0, 2.0, 5.1, 7.1 and 7.1.4.
pub fn layouts() -> Vec<ChannelLayout> {
    vec![
        ChannelLayout::mono(),
        ChannelLayout::stereo(),
        ChannelLayout::surround_5_1(),
        ChannelLayout::surround_7_1(),
        ChannelLayout::surround_7_1_4(),
    ]
}

/// Every sample encoding the WAV tests write.
pub const FORMATS: [SampleFormat; 3] = [
    SampleFormat::Int16,
    SampleFormat::Int24,
    SampleFormat::Float32,
];

/// Broadcast WAV time references the tests write, with their rates:
/// 10:00:00:00 at 48 kHz, and one beyond 32 bits at 192 kHz.
pub const TIME_REFERENCES: [(u32, u64); 2] =
    [(48_000, 1_728_000_000), (192_000, 23 * 3600 * 192_000 + 7)];

/// A deterministic test signal: channel c carries a sine at 110·(c+1)·1.37 Hz
/// plus a small linear-congruential noise, at about -14 dBFS peak, so every
/// channel differs and the low bits are exercised.
pub fn test_signal(channels: usize, frames: usize, sample_rate: u32) -> Vec<f32> {
    let mut state = 0x1234_5678u32;
    let mut samples = Vec::with_capacity(channels * frames);
    for n in 0..frames {
        for c in 0..channels {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (state >> 8) as f64 / (1u32 << 24) as f64 - 0.5;
            let f = 110.0 * (c as f64 + 1.0) * 1.37;
            let t = n as f64 / f64::from(sample_rate);
            samples.push((0.15 * (std::f64::consts::TAU * f * t).sin() + 0.05 * noise) as f32);
        }
    }
    samples
}

/// Writes interleaved `samples` to `path`.
pub fn write_wav(
    path: &Path,
    samples: &[f32],
    layout: ChannelLayout,
    format: SampleFormat,
    sample_rate: u32,
    time_reference: Option<u64>,
) -> u64 {
    let mut writer = WavWriter::create(
        path,
        WavSpec {
            sample_rate,
            layout,
            sample_format: format,
            time_reference,
        },
    )
    .unwrap();
    // Odd block sizes exercise block edges.
    let channels = writer.channels();
    for chunk in samples.chunks(1237 * channels) {
        writer.write_block(chunk).unwrap();
    }
    writer.finish().unwrap().clipped_samples
}

/// Writes `signal` as 5.1 24-bit RF64 with a time reference of 1234 (RF64
/// forced, since 4 GiB is too big for a test).
pub fn write_rf64_5_1(path: &Path, signal: &[f32]) {
    let mut writer = WavWriter::create(
        path,
        WavSpec {
            sample_rate: RATE,
            layout: ChannelLayout::surround_5_1(),
            sample_format: SampleFormat::Int24,
            time_reference: Some(1234),
        },
    )
    .unwrap();
    writer.always_rf64();
    writer.write_block(signal).unwrap();
    writer.finish().unwrap();
}

/// Writes 1000 frames of stereo 24-bit [`test_signal`] in `dir` with each
/// of [`TIME_REFERENCES`]; returns each file with its time reference.
pub fn write_time_references(dir: &Path) -> Vec<(PathBuf, u64)> {
    TIME_REFERENCES
        .iter()
        .map(|&(rate, reference)| {
            let path = file(dir, &format!("bext-{rate}.wav"));
            write_wav(
                &path,
                &test_signal(2, 1000, rate),
                ChannelLayout::stereo(),
                SampleFormat::Int24,
                rate,
                Some(reference),
            );
            (path, reference)
        })
        .collect()
}

/// Reads a whole file with sndtrk's reader.
pub fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = WavReader::open(path).unwrap();
    read_to_end(&mut reader).unwrap()
}

/// Reads a whole source with a given block size (to exercise block edges).
pub fn read_in_blocks(source: &mut dyn Source, block_frames: usize) -> Vec<f32> {
    let channels = source.channels();
    let mut all = Vec::new();
    let mut block = vec![0.0f32; block_frames * channels];
    loop {
        let got = source.read(&mut block).unwrap();
        if got == 0 {
            return all;
        }
        all.extend_from_slice(&block[..got * channels]);
    }
}

/// The integer a sample becomes at `bits`: round half away from zero, clip.
/// Computed independently of the library, in f64.
pub fn quantize(sample: f32, bits: u32) -> i32 {
    let scale = f64::from(1u32 << (bits - 1));
    let v = (f64::from(sample) * scale).round();
    v.clamp(-scale, scale - 1.0) as i32
}

/// Reads 24-bit integer samples with hound, an independent reader.
pub fn hound_ints(path: &Path) -> Vec<i32> {
    let mut reader = hound::WavReader::open(path).unwrap();
    reader.samples::<i32>().map(|s| s.unwrap()).collect()
}

/// A path as `&str`.
pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A path in `dir`.
pub fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// A diagnostic as a user sees it: code, message and help.
pub fn rendered(err: &dyn Diagnostic) -> String {
    format!(
        "{}: {}\nhelp: {}",
        err.code().map(|c| c.to_string()).unwrap_or_default(),
        err,
        err.help().map(|h| h.to_string()).unwrap_or_default()
    )
}

/// Asserts two sample sequences have equal length and differ by at most
/// `tolerance` anywhere, reporting the first offending index (not the whole
/// vectors).
pub fn assert_close(actual: &[f32], expected: &[f32], tolerance: f32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    if let Some((i, (a, e))) = actual
        .iter()
        .zip(expected)
        .enumerate()
        .find(|(_, (a, e))| (*a - *e).abs().is_nan() || (*a - *e).abs() > tolerance)
    {
        panic!("{what}: sample {i} is {a}, expected {e} (tolerance {tolerance})");
    }
}

/// Asserts two integer sample sequences differ by at most `lsb`.
pub fn assert_ints_close(actual: &[i32], expected: &[i32], lsb: i32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    if let Some((i, (a, e))) = actual
        .iter()
        .zip(expected)
        .enumerate()
        .find(|(_, (a, e))| (*a - *e).abs() > lsb)
    {
        panic!("{what}: sample {i} is {a}, expected {e} (tolerance {lsb} LSB)");
    }
}

/// Asserts that sndtrk's reader sees `path` with `channels`, `rate` and
/// `bits`; returns the format it reads.
pub fn assert_read_as(path: &Path, channels: usize, rate: u32, bits: u16) -> WavFormat {
    let format = WavReader::open(path).unwrap().format().clone();
    assert_eq!(
        (format.channels, format.sample_rate, format.bits()),
        (channels, rate, bits),
        "{}",
        path.display()
    );
    format
}

/// Asserts a deliverable's format as sndtrk's reader and the independent
/// parser in `reference.rs` see it: channels, rate, bits, frames agree, and
/// the extensible header carries `mask` (REFERENCE.md: 2.0 0x3, 5.1 0x60F).
pub fn assert_deliverable(path: &Path, channels: usize, rate: u32, bits: u16, mask: u32) {
    let name = path.display();
    let format = assert_read_as(path, channels, rate, bits);
    let wav = crate::reference::Wav::read(path);
    assert_eq!(
        (
            usize::from(wav.channels),
            wav.sample_rate,
            wav.bits,
            wav.format_tag,
            wav.channel_mask,
            wav.sub_format,
            wav.frames()
        ),
        (
            channels,
            rate,
            bits,
            0xFFFE,
            Some(mask),
            Some(1),
            format.frames
        ),
        "{name}"
    );
}

/// A deliverable's integrated loudness (LUFS) and true peak (dBTP) by the
/// reference meter in `reference.rs`, the channel weights from its mask
/// (front 1.0, LFE 0, back and side 1.41).
pub fn reference_loudness(path: &Path) -> (f64, f64) {
    let wav = crate::reference::Wav::read(path);
    let weights = crate::reference::mask_weights(wav.channel_mask.unwrap());
    assert_eq!(weights.len(), usize::from(wav.channels));
    let samples = wav.samples();
    (
        crate::reference::integrated_lufs(&samples, &weights, wav.sample_rate),
        20.0 * crate::reference::true_peak_4x(&samples, weights.len()).log10(),
    )
}

/// What a tap was shown: the bytes, the offsets, whether it was told the end.
pub type Showing = (Vec<u8>, Vec<u64>, bool);

/// A [`sndtrk::audio::read_tap::ReadTap`] that records what a reader shows it.
#[derive(Clone, Default)]
pub struct Shown(pub std::sync::Arc<std::sync::Mutex<Showing>>);

impl sndtrk::audio::read_tap::ReadTap for Shown {
    fn bytes(&mut self, offset: u64, bytes: &[u8]) {
        let mut shown = self.0.lock().unwrap();
        shown.1.push(offset);
        shown.0.extend_from_slice(bytes);
    }
    fn end(&mut self) {
        self.0.lock().unwrap().2 = true;
    }
}
