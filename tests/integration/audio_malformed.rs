//! Malformed WAV input: each gives a clear error naming the file (shown
//! whole, with its code and help), never a panic.

use std::path::Path;

use proptest::prelude::*;
use sndtrk::audio::{source::read_to_end, AudioError, ChannelLayout, SampleFormat, WavReader};

use crate::audio_support::*;

/// A valid 2-channel 24-bit file of 100 frames (see `layout_of_a_valid_file`).
fn valid_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid.wav");
    write_wav(
        &path,
        &test_signal(2, 100, 48_000),
        ChannelLayout::stereo(),
        SampleFormat::Int24,
        48_000,
        None,
    );
    std::fs::read(path).unwrap()
}

/// The same audio as `valid_bytes()`, written as RF64.
fn valid_rf64_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid.wav");
    let mut writer = sndtrk::audio::WavWriter::create(
        &path,
        sndtrk::audio::WavSpec {
            sample_rate: 48_000,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Int24,
            time_reference: None,
        },
    )
    .unwrap();
    writer.always_rf64();
    writer.write_block(&test_signal(2, 100, 48_000)).unwrap();
    writer.finish().unwrap();
    std::fs::read(path).unwrap()
}

/// Offset of the format chunk's body in `valid_bytes()`: after the RIFF
/// header and the 36-byte `JUNK` chunk reserving room for RF64's `ds64`.
const FMT: usize = 12 + 36 + 8;

/// Offset of the data chunk's size field in `valid_bytes()`.
const DATA_SIZE: usize = FMT + 40 + 4;

pub(crate) fn open_and_read(path: &Path) -> Result<Vec<f32>, AudioError> {
    let mut reader = WavReader::open(path)?;
    let plain = read_to_end(&mut reader);
    // A reader that shows its bytes to a tap reads the same, and a tap told
    // the end has seen the whole file.
    let shown = Shown::default();
    let tapped = WavReader::open_tapped(path, Box::new(shown.clone()))
        .and_then(|mut reader| read_to_end(&mut reader));
    let bits = |result: &Result<Vec<f32>, AudioError>| match result {
        Ok(samples) => Ok(samples.iter().map(|s| s.to_bits()).collect::<Vec<_>>()),
        Err(error) => Err(error.to_string()),
    };
    assert_eq!(bits(&plain), bits(&tapped));
    let (seen, _, ended) = shown.0.lock().unwrap().clone();
    if ended {
        assert_eq!(seen, std::fs::read(path).unwrap());
    }
    plain
}

fn error_for(name: &str, bytes: &[u8]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = open_and_read(&path).unwrap_err();
    (rendered(&err), path.display().to_string())
}

#[test]
fn layout_of_a_valid_file() {
    let bytes = valid_bytes();
    assert_eq!(&bytes[FMT - 8..FMT], b"fmt \x28\x00\x00\x00");
    assert_eq!(&bytes[DATA_SIZE - 4..DATA_SIZE], b"data");
    assert_eq!(
        u32::from_le_bytes(bytes[DATA_SIZE..DATA_SIZE + 4].try_into().unwrap()),
        600
    );
    assert_eq!(bytes.len(), DATA_SIZE + 4 + 600);
}

#[test]
fn a_truncated_file() {
    let bytes = valid_bytes();
    let (text, path) = error_for("cut.wav", &bytes[..bytes.len() - 301]);
    assert_eq!(
        text,
        format!("E0503: `{path}` is truncated: its data chunk claims 600 bytes but the file ends after 299\nhelp: the file was cut short; export or copy it again")
    );
    let (text, path) = error_for("header.wav", &bytes[..FMT + 20]);
    assert_eq!(
        text,
        format!("E0503: `{path}` is truncated: its `fmt` chunk claims 40 bytes but the file ends after 20\nhelp: the file was cut short; export or copy it again")
    );
    let (text, path) = error_for("riff.wav", b"RIFF\x10\x00");
    assert_eq!(
        text,
        format!("E0503: `{path}` is truncated: only 6 bytes, shorter than a RIFF header\nhelp: the file was cut short; export or copy it again")
    );
    let (text, path) = error_for("nodata.wav", &bytes[..DATA_SIZE - 4]);
    assert_eq!(
        text,
        format!("E0503: `{path}` is truncated: no `data` chunk\nhelp: the file was cut short; export or copy it again")
    );
}

#[test]
fn a_data_chunk_that_lies_about_its_length() {
    let mut bytes = valid_bytes();
    bytes[DATA_SIZE..DATA_SIZE + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    let (text, path) = error_for("lying.wav", &bytes);
    assert_eq!(
        text,
        format!("E0504: `{path}` has a lying header: its data chunk claims 1000000 bytes but only 600 follow\nhelp: the file was cut short or written by a program that crashed; export it again")
    );
}

#[test]
fn zero_channels_and_impossible_formats() {
    let mut bytes = valid_bytes();
    bytes[FMT + 2..FMT + 4].copy_from_slice(&0u16.to_le_bytes());
    let (text, path) = error_for("zero.wav", &bytes);
    assert_eq!(
        text,
        format!("E0506: `{path}` has an invalid header: zero channels\nhelp: the header is damaged; export the file again")
    );
    let mut bytes = valid_bytes();
    bytes[FMT + 4..FMT + 8].copy_from_slice(&0u32.to_le_bytes());
    let (text, path) = error_for("rate.wav", &bytes);
    assert_eq!(
        text,
        format!("E0506: `{path}` has an invalid header: a sample rate of 0 Hz\nhelp: the header is damaged; export the file again")
    );
    let mut bytes = valid_bytes();
    bytes[FMT + 12..FMT + 14].copy_from_slice(&5u16.to_le_bytes());
    let (text, path) = error_for("align.wav", &bytes);
    assert_eq!(
        text,
        format!("E0506: `{path}` has an invalid header: block align 5 does not match 2 channels of 24 bits\nhelp: the header is damaged; export the file again")
    );
}

#[test]
fn unsupported_encodings_made_here() {
    // The headers sox writes for these (`interop::malformed` asks sox
    // itself), plain and extensible: (format tag, bits, sub-format).
    let cases = [
        ((1, 8, None), "8-bit integer PCM"),
        ((0xFFFE, 8, Some(1)), "8-bit integer PCM"),
        ((6, 8, None), "A-law"),
        ((7, 8, None), "µ-law"),
        ((3, 64, None), "64-bit float"),
        ((0xFFFE, 64, Some(3)), "64-bit float"),
        ((1, 32, None), "32-bit integer PCM"),
        ((0xFFFE, 32, Some(1)), "32-bit integer PCM"),
    ];
    for (i, ((tag, bits, sub_format), detail)) in cases.into_iter().enumerate() {
        let bytes = crate::reference::WavBytes {
            format_tag: tag,
            channels: 1,
            sample_rate: 48_000,
            bits,
            mask_and_sub_format: sub_format.map(|f| (0x4, f)),
            bext: None,
            rf64: false,
        }
        .bytes(&vec![0x11; 480 * usize::from(bits / 8)]);
        let (text, path) = error_for(&format!("unsupported-{i}.wav"), &bytes);
        assert_eq!(
            text,
            format!(
                "E0505: `{path}` uses an unsupported format: {detail}\nhelp: sndtrk reads 16- and 24-bit integer and 32-bit float PCM; convert with `ffmpeg -i in.wav -c:a pcm_s24le out.wav`"
            ),
            "case {i}"
        );
    }
}

#[test]
fn not_a_wav_file_and_a_missing_file() {
    let (text, path) = error_for(
        "notes.wav",
        b"These are not the samples you are looking for.",
    );
    assert_eq!(
        text,
        format!("E0502: `{path}` is not a WAV file (it starts with `Thes`, not `RIFF….WAVE`)\nhelp: convert the file to WAV (RIFF/WAVE), e.g. `ffmpeg -i in.x -c:a pcm_s24le out.wav`")
    );
    let (text, path) = error_for("empty.wav", b"");
    assert_eq!(
        text,
        format!("E0502: `{path}` is not a WAV file (the file is empty)\nhelp: convert the file to WAV (RIFF/WAVE), e.g. `ffmpeg -i in.x -c:a pcm_s24le out.wav`")
    );
    let (text, path) = error_for("rf64.wav", b"RF64\xff\xff\xff\xffWAVEds64");
    assert_eq!(
        text,
        format!("E0503: `{path}` is truncated: only 16 bytes, shorter than an RF64 header\nhelp: the file was cut short; export or copy it again")
    );
    let (text, path) = error_for(
        "rf64-junk.wav",
        &[&b"RF64\xff\xff\xff\xffWAVEJUNK"[..], &[0; 60]].concat(),
    );
    assert_eq!(
        text,
        format!("E0506: `{path}` has an invalid header: an RF64 file without a `ds64` chunk first\nhelp: the header is damaged; export the file again")
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.wav");
    let err = WavReader::open(&missing).unwrap_err();
    assert!(
        rendered(&err).starts_with(&format!("E0501: cannot open `{}`: ", missing.display())),
        "{}",
        rendered(&err)
    );
    assert!(rendered(&err)
        .ends_with("help: check that the file exists, is readable, and that the disk is not full"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary bytes never panic the reader.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.wav");
        std::fs::write(&path, &bytes).unwrap();
        let _ = open_and_read(&path);
    }

    /// A valid file (RIFF or RF64) cut anywhere and with a few bytes changed
    /// anywhere in its header never panics the reader, and any error names
    /// the file.
    #[test]
    fn damaged_files_never_panic(
        cut in 0usize..750,
        edits in proptest::collection::vec((0usize..120, any::<u8>()), 0..6),
        rf64 in any::<bool>(),
    ) {
        let mut bytes = if rf64 { valid_rf64_bytes() } else { valid_bytes() };
        bytes.truncate(cut);
        for (at, value) in edits {
            if at < bytes.len() {
                bytes[at] = value;
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("damaged.wav");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(err) = open_and_read(&path) {
            prop_assert!(err.to_string().contains(&path.display().to_string()), "{}", err);
        }
    }
}
