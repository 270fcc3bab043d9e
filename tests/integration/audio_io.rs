//! WAV reading and writing: round trips for every layout and encoding,
//! agreement with hound and with the header parser in `reference.rs`
//! (`interop::wav_io` asks sox and ffmpeg too), Broadcast WAV time
//! references, RF64, atomic writes, clipping counts.

use sndtrk::audio::{
    AudioError, ChannelLayout, SampleFormat, Source, WavReader, WavSpec, WavWriter,
};

use crate::{
    audio_support::*,
    reference::{pcm24, Wav, WavBytes},
};

#[test]
fn every_layout_and_format_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    for layout in layouts() {
        for format in FORMATS {
            let channels = layout.channels();
            let signal = test_signal(channels, 3001, RATE);
            let path = file(dir.path(), &format!("{}-{:?}.wav", layout.name(), format));
            let clipped = write_wav(&path, &signal, layout.clone(), format, RATE, None);
            assert_eq!(clipped, 0);

            let reader = WavReader::open(&path).unwrap();
            let f = reader.format().clone();
            assert_eq!(f.sample_rate, RATE);
            assert_eq!(f.channels, channels);
            assert_eq!(f.sample_format, format);
            assert_eq!(f.bits(), format.bits());
            assert_eq!(f.is_float(), format == SampleFormat::Float32);
            assert_eq!(f.channel_mask, layout.mask());
            assert!(f.extensible);
            assert_eq!(f.frames, 3001);
            assert_eq!(f.layout(), layout);
            assert_eq!(f.time_reference, None);

            let back = read_wav(&path);
            assert_eq!(back.len(), signal.len());
            for (i, (b, x)) in back.iter().zip(&signal).enumerate() {
                let expected = match format {
                    SampleFormat::Float32 => *x,
                    _ => {
                        let bits = u32::from(format.bits());
                        quantize(*x, bits) as f32 / (1u32 << (bits - 1)) as f32
                    }
                };
                assert_eq!(*b, expected, "{} {format:?} sample {i}", layout.name());
            }

            // hound, an independent reader, sees the same samples.
            let mut hound = hound::WavReader::open(&path).unwrap();
            assert_eq!(hound.spec().channels as usize, channels);
            assert_eq!(hound.spec().sample_rate, RATE);
            match format {
                SampleFormat::Float32 => {
                    let h: Vec<f32> = hound.samples::<f32>().map(|s| s.unwrap()).collect();
                    assert_eq!(h, signal);
                }
                _ => {
                    let bits = u32::from(format.bits());
                    let h: Vec<i32> = hound.samples::<i32>().map(|s| s.unwrap()).collect();
                    let q: Vec<i32> = signal.iter().map(|x| quantize(*x, bits)).collect();
                    assert_eq!(h, q);
                }
            }
        }
    }
}

#[test]
fn clipping_is_counted_not_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "clip.wav");
    let samples = [0.5f32, 1.5, -1.5, -1.0, 0.999_999_9, 1.0];
    let clipped = write_wav(
        &path,
        &samples,
        ChannelLayout::stereo(),
        SampleFormat::Int24,
        RATE,
        None,
    );
    // 1.5, -1.5 and 1.0 (which rounds to 2^23) do not fit in 24 bits.
    assert_eq!(clipped, 3);
    let ints = hound_ints(&path);
    assert_eq!(
        ints,
        [4_194_304, 8_388_607, -8_388_608, -8_388_608, 8_388_607, 8_388_607]
    );
}

#[test]
fn writes_are_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "out.wav");
    std::fs::write(&path, b"previous deliverable").unwrap();
    let spec = WavSpec {
        sample_rate: RATE,
        layout: ChannelLayout::stereo(),
        sample_format: SampleFormat::Int24,
        time_reference: None,
    };
    // An abandoned write leaves the destination untouched and no temp file.
    let mut writer = WavWriter::create(&path, spec.clone()).unwrap();
    writer.write_block(&[0.25; 200]).unwrap();
    drop(writer);
    assert_eq!(std::fs::read(&path).unwrap(), b"previous deliverable");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A finished write replaces it whole.
    let mut writer = WavWriter::create(&path, spec).unwrap();
    writer.write_block(&[0.25; 200]).unwrap();
    let summary = writer.finish().unwrap();
    assert_eq!(summary.frames, 100);
    assert_eq!(summary.clipped_samples, 0);
    assert_eq!(hound_ints(&path), vec![2_097_152; 200]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}

#[test]
fn a_source_is_written_block_by_block_and_streams_back() {
    let dir = tempfile::tempdir().unwrap();
    let signal = test_signal(6, 20_000, RATE);
    let path = file(dir.path(), "stream.wav");
    let mut source = sndtrk::audio::source::Buffer::new(signal.clone(), 6).unwrap();
    let mut writer = WavWriter::create(
        &path,
        WavSpec {
            sample_rate: RATE,
            layout: ChannelLayout::surround_5_1(),
            sample_format: SampleFormat::Float32,
            time_reference: Some(5),
        },
    )
    .unwrap();
    writer.write_source(&mut source).unwrap();
    writer.finish().unwrap();
    let mut reader = WavReader::open(&path).unwrap();
    // Odd block sizes and a seek in the middle.
    let first = read_in_blocks_limited(&mut reader, 333, 1000);
    assert_eq!(first, signal[..6000]);
    assert_eq!(reader.skip(500).unwrap(), 500);
    let rest = read_in_blocks(&mut reader, 777);
    assert_eq!(rest, signal[9000..]);
    assert_eq!(reader.skip(10).unwrap(), 0);
}

fn read_in_blocks_limited(source: &mut dyn Source, block: usize, frames: usize) -> Vec<f32> {
    let channels = source.channels();
    let mut all = Vec::new();
    let mut buffer = vec![0.0f32; block * channels];
    while all.len() < frames * channels {
        let want = block.min(frames - all.len() / channels);
        let got = source.read(&mut buffer[..want * channels]).unwrap();
        all.extend_from_slice(&buffer[..got * channels]);
    }
    all
}

#[test]
fn expect_rejects_a_contradicting_file_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "dialogue.wav");
    write_wav(
        &path,
        &test_signal(2, 100, RATE),
        ChannelLayout::stereo(),
        SampleFormat::Int24,
        RATE,
        None,
    );
    let reader = WavReader::open(&path).unwrap();
    reader.expect(2, RATE).unwrap();
    let err = reader.expect(6, RATE).unwrap_err();
    assert_eq!(
        rendered(&err),
        format!(
            "E0507: `{}` has 2 channels but 6 were declared\nhelp: declare the layout the file has, or supply the file that matches the declared layout",
            path.display()
        )
    );
    let err = reader.expect(2, 44_100).unwrap_err();
    assert_eq!(
        rendered(&err),
        format!(
            "E0508: `{}` is sampled at 48000 Hz but 44100 Hz was declared\nhelp: resample the file, or declare the rate it has",
            path.display()
        )
    );
}

#[test]
fn writer_rejects_absurd_specs() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "x.wav");
    let err = WavWriter::create(
        &path,
        WavSpec {
            sample_rate: 0,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Int24,
            time_reference: None,
        },
    )
    .unwrap_err();
    assert_eq!(
        rendered(&err),
        format!(
            "E0515: invalid sample rate: 0 Hz for `{}`\nhelp: give a sample rate above 0 Hz",
            path.display()
        )
    );
    let mut writer = WavWriter::create(
        &path,
        WavSpec {
            sample_rate: RATE,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Int24,
            time_reference: None,
        },
    )
    .unwrap();
    let err = writer.write_block(&[0.0; 3]).unwrap_err();
    assert!(matches!(err, AudioError::ChannelCount { .. }));
    assert_eq!(
        rendered(&err),
        format!(
            "E0512: writing `{}`: expected 2 channels, got 1\nhelp: convert the source to the bus layout first (pan a mono source, or apply a downmix matrix)",
            path.display()
        )
    );
    // Writing into a missing directory names the file.
    let missing = dir.path().join("no/such/dir/out.wav");
    let err = WavWriter::create(
        &missing,
        WavSpec {
            sample_rate: RATE,
            layout: ChannelLayout::stereo(),
            sample_format: SampleFormat::Int24,
            time_reference: None,
        },
    )
    .unwrap_err();
    assert!(rendered(&err).starts_with(&format!("E0501: cannot create `{}`: ", missing.display())));
}

#[test]
fn a_tapped_reader_shows_every_byte_of_the_file_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "tapped.wav");
    let signal = test_signal(2, 5000, RATE);
    write_wav(
        &path,
        &signal,
        ChannelLayout::stereo(),
        SampleFormat::Int24,
        RATE,
        Some(7),
    );
    // A chunk after the audio (as some recorders write) is part of the file.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"LIST\x04\x00\x00\x00INFO");
    let riff = (bytes.len() - 8) as u32;
    bytes[4..8].copy_from_slice(&riff.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();

    let shown = Shown::default();
    let mut reader = WavReader::open_tapped(&path, Box::new(shown.clone())).unwrap();
    let read = read_in_blocks(&mut reader, 777);
    assert_eq!(read.len(), signal.len());
    let (seen, offsets, ended) = shown.0.lock().unwrap().clone();
    assert!(ended);
    assert_eq!(seen, bytes, "every byte, in order");
    assert_eq!(offsets[0], 0);

    // A skip loses bytes: the tap is never told the file was shown whole.
    let skipped = Shown::default();
    let mut reader = WavReader::open_tapped(&path, Box::new(skipped.clone())).unwrap();
    reader.skip(10).unwrap();
    read_in_blocks(&mut reader, 1000);
    assert!(!skipped.0.lock().unwrap().2);

    // An empty file is shown whole at once.
    let empty = file(dir.path(), "empty.wav");
    write_wav(
        &empty,
        &[],
        ChannelLayout::mono(),
        SampleFormat::Int16,
        RATE,
        None,
    );
    let shown = Shown::default();
    let _reader = WavReader::open_tapped(&empty, Box::new(shown.clone())).unwrap();
    let (seen, _, ended) = shown.0.lock().unwrap().clone();
    assert!(ended);
    assert_eq!(seen, std::fs::read(&empty).unwrap());
}

// ---- read by a parser written here (the default suite's counterpart of
// ---- `interop::wav_io`, which asks sox, soxi, ffmpeg and ffprobe) ---------

#[test]
fn every_layout_and_format_has_the_header_reference_md_gives() {
    // REFERENCE.md, "Channel layouts in WAV": the masks, in mask-bit order.
    let masks = [
        ("1.0", 0x4),
        ("2.0", 0x3),
        ("5.1", 0x60F),
        ("7.1", 0x63F),
        ("7.1.4", 0x2D63F),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (layout, (name, mask)) in layouts().into_iter().zip(masks) {
        assert_eq!(layout.name(), name);
        for format in FORMATS {
            let channels = layout.channels();
            let signal = test_signal(channels, 4801, RATE);
            let path = file(dir.path(), &format!("{name}-{format:?}.wav"));
            write_wav(&path, &signal, layout.clone(), format, RATE, None);
            let wav = Wav::read(&path);
            let bits = format.bits();
            let float = format == SampleFormat::Float32;
            assert_eq!(
                (
                    &wav.container,
                    wav.format_tag,
                    usize::from(wav.channels),
                    wav.sample_rate,
                    wav.bits,
                    wav.valid_bits,
                    wav.channel_mask,
                    wav.sub_format,
                    wav.frames(),
                ),
                (
                    b"RIFF",
                    0xFFFE,
                    channels,
                    RATE,
                    bits,
                    Some(bits),
                    Some(mask),
                    Some(if float { 3 } else { 1 }),
                    4801
                ),
                "{name} {format:?}"
            );
            // No bext without a time reference; fmt before data.
            assert_eq!(wav.bext, None);
            let at = |id: &[u8; 4]| wav.chunks.iter().position(|c| c == id).unwrap();
            assert!(at(b"fmt ") < at(b"data"));
            // The samples, decoded here, are the signal as quantised.
            let expected: Vec<f32> = signal
                .iter()
                .map(|&x| match format {
                    SampleFormat::Float32 => x,
                    _ => {
                        let bits = u32::from(bits);
                        quantize(x, bits) as f32 / (1u32 << (bits - 1)) as f32
                    }
                })
                .collect();
            assert_close(
                &wav.samples(),
                &expected,
                0.0,
                &format!("{name} {format:?}"),
            );
        }
    }
}

/// A hand-made 24-bit file of `channels`, with a channel mask (extensible)
/// or without (plain PCM).
fn hand_made(channels: u16, rate: u32, mask: Option<u32>, ints: &[i32]) -> Vec<u8> {
    WavBytes {
        format_tag: if mask.is_some() { 0xFFFE } else { 1 },
        channels,
        sample_rate: rate,
        bits: 24,
        mask_and_sub_format: mask.map(|m| (m, 1)),
        bext: None,
        rf64: false,
    }
    .bytes(&pcm24(ints))
}

/// Integer samples of [`test_signal`] at 24 bits.
fn ints(channels: usize, frames: usize) -> Vec<i32> {
    test_signal(channels, frames, RATE)
        .iter()
        .map(|&x| quantize(x, 24))
        .collect()
}

#[test]
fn reads_hand_made_5_1_with_the_back_mask_the_side_mask_and_no_mask() {
    let dir = tempfile::tempdir().unwrap();
    let samples = ints(6, 2400);
    // ffmpeg writes its "5.1" with the back mask 0x3F, sox a plain header or
    // the side mask: all are L R C LFE Ls Rs.
    for (name, rate, mask) in [
        ("back", 48_000, Some(0x3F)),
        ("side", 48_000, Some(0x60F)),
        ("plain", 44_100, None),
    ] {
        let path = file(dir.path(), &format!("{name}.wav"));
        std::fs::write(&path, hand_made(6, rate, mask, &samples)).unwrap();
        let reader = WavReader::open(&path).unwrap();
        let format = reader.format().clone();
        assert_eq!(format.channel_mask, mask.unwrap_or(0), "{name}");
        if mask.is_some() {
            assert_eq!(format.layout().name(), "5.1", "{name}");
            assert_eq!(format.layout().labels(), ["L", "R", "C", "LFE", "Ls", "Rs"]);
        } else {
            // No mask, no order: six channels of unknown position (the
            // meter then uses ffmpeg's default 5.1, see `audio_reference`).
            assert_eq!(format.layout().channels(), 6, "{name}");
        }
        assert_eq!((format.frames, format.sample_rate), (2400, rate), "{name}");
        reader.expect(6, rate).unwrap();
        let expected: Vec<f32> = samples.iter().map(|&v| v as f32 / 8_388_608.0).collect();
        assert_eq!(read_wav(&path), expected, "{name}");
    }
}

#[test]
fn bext_time_reference_is_written_at_byte_338_and_read_from_hand_made_chunks() {
    let dir = tempfile::tempdir().unwrap();
    for (path, reference) in write_time_references(dir.path()) {
        let wav = Wav::read(&path);
        // EBU Tech 3285: at least the 602 fixed bytes, TimeReference at 338.
        assert!(wav.bext.as_ref().unwrap().len() >= 602);
        assert_eq!(wav.time_reference(), Some(reference));
        assert_eq!(wav.frames(), 1000);
    }
    // A bext chunk as other writers place it: after fmt (ffmpeg) or first.
    for bext_first in [false, true] {
        let path = file(dir.path(), &format!("hand-bext-{bext_first}.wav"));
        let samples = ints(2, 4800);
        let bytes = WavBytes {
            format_tag: 0xFFFE,
            channels: 2,
            sample_rate: RATE,
            bits: 24,
            mask_and_sub_format: Some((0x3, 1)),
            bext: Some((172_800_000, bext_first)),
            rf64: false,
        }
        .bytes(&pcm24(&samples));
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(Wav::parse(bytes).time_reference(), Some(172_800_000));
        let reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.format().time_reference, Some(172_800_000));
        assert_eq!(reader.format().frames, 4800);
        assert_eq!(hound_ints(&path), samples);
    }
}

#[test]
fn rf64_is_written_as_the_spec_says_and_hand_made_rf64_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // sndtrk's RF64, read here.
    let ours = file(dir.path(), "ours-rf64.wav");
    let signal = test_signal(6, 4800, RATE);
    write_rf64_5_1(&ours, &signal);
    let wav = Wav::read(&ours);
    assert_eq!(&wav.container, b"RF64");
    assert_eq!(
        (wav.channels, wav.bits, wav.channel_mask, wav.frames()),
        (6, 24, Some(0x60F), 4800)
    );
    assert_eq!(wav.time_reference(), Some(1234));
    let expected: Vec<f32> = signal
        .iter()
        .map(|&x| quantize(x, 24) as f32 / 8_388_608.0)
        .collect();
    assert_eq!(wav.samples(), expected);

    // The same audio as RIFF and as RF64 (ds64 first, as ffmpeg's
    // `-rf64 always` writes it), made here: sndtrk reads both the same.
    let samples = ints(6, 24_000);
    let spec = |rf64| WavBytes {
        format_tag: 0xFFFE,
        channels: 6,
        sample_rate: RATE,
        bits: 24,
        mask_and_sub_format: Some((0x3F, 1)),
        bext: None,
        rf64,
    };
    let plain = file(dir.path(), "plain.wav");
    let rf64 = file(dir.path(), "rf64.wav");
    std::fs::write(&plain, spec(false).bytes(&pcm24(&samples))).unwrap();
    std::fs::write(&rf64, spec(true).bytes(&pcm24(&samples))).unwrap();
    assert_eq!(&Wav::read(&rf64).container, b"RF64");
    let reader = WavReader::open(&rf64).unwrap();
    assert_eq!(
        (reader.format().frames, reader.format().channels),
        (24_000, 6)
    );
    let read = read_wav(&rf64);
    assert_eq!(read, read_wav(&plain));
    let expected: Vec<f32> = samples.iter().map(|&v| v as f32 / 8_388_608.0).collect();
    assert_eq!(read, expected);
}
