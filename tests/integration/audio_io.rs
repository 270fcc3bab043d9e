//! WAV reading and writing: round trips for every layout and encoding,
//! agreement with hound, sox and ffmpeg, Broadcast WAV time references,
//! atomic writes, clipping counts.

use sndtrk::audio::{
    AudioError, ChannelLayout, SampleFormat, Source, WavReader, WavSpec, WavWriter,
};

use crate::audio_support::*;

const RATE: u32 = 48_000;

fn layouts() -> Vec<ChannelLayout> {
    vec![
        ChannelLayout::mono(),
        ChannelLayout::stereo(),
        ChannelLayout::surround_5_1(),
        ChannelLayout::surround_7_1(),
        ChannelLayout::surround_7_1_4(),
    ]
}

const FORMATS: [SampleFormat; 3] = [
    SampleFormat::Int16,
    SampleFormat::Int24,
    SampleFormat::Float32,
];

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
fn sox_and_ffprobe_read_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    let expected_layouts = [
        ("1.0", "mono"),
        ("2.0", "stereo"),
        ("5.1", "5.1(side)"),
        ("7.1", "7.1"),
        // ffmpeg 5 has no name for 7.1.4 and spells the mask out; later
        // versions name it.
        (
            "7.1.4",
            "12 channels (FL+FR+FC+LFE+BL+BR+SL+SR+TFL+TFR+TBL+TBR)",
        ),
    ];
    for (layout, (name, ffmpeg_name)) in layouts().into_iter().zip(expected_layouts) {
        assert_eq!(layout.name(), name);
        for format in FORMATS {
            let channels = layout.channels();
            let signal = test_signal(channels, 4800, RATE);
            let path = file(dir.path(), &format!("{name}-{format:?}.wav"));
            write_wav(&path, &signal, layout.clone(), format, RATE, None);
            let bits = format.bits().to_string();

            let soxi: Vec<String> = ["-c", "-r", "-b", "-s"]
                .iter()
                .map(|flag| run("soxi", &[flag, s(&path)]).trim().to_string())
                .collect();
            assert_eq!(
                soxi,
                [channels.to_string(), "48000".into(), bits, "4800".into()]
            );

            let probe = run(
                "ffprobe",
                &["-v", "error", "-show_streams", "-of", "json", s(&path)],
            );
            let probe: serde_json::Value = serde_json::from_str(&probe).unwrap();
            let stream = &probe["streams"][0];
            assert_eq!(stream["channels"], channels, "{name}");
            let reported = stream["channel_layout"].as_str().unwrap_or_default();
            assert!(
                reported == ffmpeg_name || (name == "7.1.4" && reported == "7.1.4"),
                "{name}: ffprobe reports {reported}"
            );
            assert_eq!(stream["sample_rate"], "48000");
            assert_eq!(
                stream["bits_per_sample"],
                format.bits(),
                "{name} {format:?}"
            );
            let codec = match format {
                SampleFormat::Int16 => "pcm_s16le",
                SampleFormat::Int24 => "pcm_s24le",
                SampleFormat::Float32 => "pcm_f32le",
            };
            assert_eq!(stream["codec_name"], codec);

            // sox decodes the same sample values (as raw 32-bit float).
            let raw = file(dir.path(), "sox.f32");
            run(
                "sox",
                &["-D", s(&path), "-t", "f32", "-e", "floating-point", s(&raw)],
            );
            let bytes = std::fs::read(&raw).unwrap();
            let sox: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            // Integer samples come through sox exactly; float passes through
            // sox, which is not bit-exact there (about 2^-26 off), so allow 1e-6.
            let tolerance = if format == SampleFormat::Float32 {
                1e-6
            } else {
                0.0
            };
            assert_close(
                &sox,
                &read_wav(&path),
                tolerance,
                &format!("{name} {format:?}"),
            );
        }
    }
}

#[test]
fn reads_files_written_by_ffmpeg_and_sox_including_the_back_5_1_mask() {
    let dir = tempfile::tempdir().unwrap();
    // ffmpeg's "5.1" is the back layout, mask 0x3F.
    let back = file(dir.path(), "back.wav");
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=1000:sample_rate=48000:duration=0.5",
            "-af",
            "pan=5.1|FL=c0|FR=0.5*c0|FC=0.25*c0|LFE=0*c0|BL=-0.5*c0|BR=-0.25*c0",
            "-c:a",
            "pcm_s24le",
            s(&back),
        ],
    );
    let reader = WavReader::open(&back).unwrap();
    assert_eq!(reader.format().channel_mask, 0x3F);
    assert_eq!(reader.format().layout().name(), "5.1");
    assert_eq!(
        reader.format().layout().labels(),
        ["L", "R", "C", "LFE", "Ls", "Rs"]
    );
    assert_eq!(reader.format().frames, 24_000);
    reader.expect(6, 48_000).unwrap();
    // Compare with hound, sample by sample.
    let ours = read_wav(&back);
    let theirs = hound_ints(&back);
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(*a, *b as f32 / 8_388_608.0);
    }

    // sox writes 5.1 with its own mask and a 16-bit variant.
    let sox = file(dir.path(), "sox.wav");
    run(
        "sox",
        &[
            "-n",
            "-r",
            "44100",
            "-c",
            "6",
            "-b",
            "16",
            s(&sox),
            "synth",
            "0.25",
            "sine",
            "440",
            "gain",
            "-6",
        ],
    );
    let reader = WavReader::open(&sox).unwrap();
    assert_eq!(reader.format().channels, 6);
    assert_eq!(reader.format().sample_rate, 44_100);
    assert_eq!(reader.format().sample_format, SampleFormat::Int16);
    assert_eq!(reader.format().layout().name(), "5.1");
    let theirs: Vec<i32> = hound_ints(&sox);
    let ours = read_wav(&sox);
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(*a, *b as f32 / 32_768.0);
    }
    assert_eq!(ours.len(), 11_025 * 6);
}

#[test]
fn bext_time_reference_round_trips_and_matches_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    // 10:00:00:00 at 48 kHz, beyond 32 bits at 192 kHz too.
    for (rate, reference) in [
        (48_000u32, 1_728_000_000u64),
        (192_000, 23 * 3600 * 192_000 + 7),
    ] {
        let path = file(dir.path(), &format!("bext-{rate}.wav"));
        let signal = test_signal(2, 1000, rate);
        write_wav(
            &path,
            &signal,
            ChannelLayout::stereo(),
            SampleFormat::Int24,
            rate,
            Some(reference),
        );
        let reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.format().time_reference, Some(reference));
        assert_eq!(reader.format().frames, 1000);
        // ffprobe reads our bext chunk.
        let probe = run(
            "ffprobe",
            &[
                "-v",
                "error",
                "-show_entries",
                "format_tags=time_reference",
                "-of",
                "csv=p=0",
                s(&path),
            ],
        );
        assert_eq!(probe.trim(), reference.to_string());
    }

    // A bext chunk written by ffmpeg.
    let ffmpeg = file(dir.path(), "ffmpeg-bext.wav");
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000:duration=0.1",
            "-c:a",
            "pcm_s24le",
            "-write_bext",
            "1",
            "-metadata",
            "time_reference=172800000",
            s(&ffmpeg),
        ],
    );
    let reader = WavReader::open(&ffmpeg).unwrap();
    assert_eq!(reader.format().time_reference, Some(172_800_000));
    assert_eq!(reader.format().frames, 4800);
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
            "E0515: invalid sample rate: 0 Hz for `{}`\nhelp: use a finite value within the stated range",
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
fn rf64_is_read_from_ffmpeg_and_written_for_sox_and_ffmpeg() {
    let dir = tempfile::tempdir().unwrap();
    // The same audio as RIFF and as RF64, both written by ffmpeg.
    let plain = file(dir.path(), "plain.wav");
    let rf64 = file(dir.path(), "rf64.wav");
    for (path, mode) in [(&plain, "never"), (&rf64, "always")] {
        run(
            "ffmpeg",
            &[
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=1000:sample_rate=48000:duration=0.5",
                "-ac",
                "6",
                "-c:a",
                "pcm_s24le",
                "-rf64",
                mode,
                s(path),
            ],
        );
    }
    assert_eq!(&std::fs::read(&rf64).unwrap()[..4], b"RF64");
    let reader = WavReader::open(&rf64).unwrap();
    assert_eq!(reader.format().frames, 24_000);
    assert_eq!(reader.format().channels, 6);
    let ours = read_wav(&rf64);
    assert_eq!(ours, read_wav(&plain));
    assert!(ours.iter().any(|x| x.abs() > 0.1));

    // sndtrk's RF64 output (forced, since 4 GiB is too big for a test) is
    // read by ffmpeg and sox with the same samples.
    let ours_rf64 = file(dir.path(), "ours-rf64.wav");
    let signal = test_signal(6, 4800, RATE);
    let mut writer = WavWriter::create(
        &ours_rf64,
        WavSpec {
            sample_rate: RATE,
            layout: ChannelLayout::surround_5_1(),
            sample_format: SampleFormat::Int24,
            time_reference: Some(1234),
        },
    )
    .unwrap();
    writer.always_rf64();
    writer.write_block(&signal).unwrap();
    writer.finish().unwrap();
    assert_eq!(&std::fs::read(&ours_rf64).unwrap()[..4], b"RF64");
    let probe = run(
        "ffprobe",
        &["-v", "error", "-show_streams", "-of", "json", s(&ours_rf64)],
    );
    let probe: serde_json::Value = serde_json::from_str(&probe).unwrap();
    assert_eq!(probe["streams"][0]["channels"], 6);
    assert_eq!(probe["streams"][0]["duration_ts"], 4800);
    assert_eq!(probe["streams"][0]["channel_layout"], "5.1(side)");
    let expected: Vec<i32> = signal.iter().map(|x| quantize(*x, 24)).collect();
    let raw = file(dir.path(), "ffmpeg.s32");
    run(
        "ffmpeg",
        &["-v", "error", "-i", s(&ours_rf64), "-f", "s32le", s(&raw)],
    );
    let decoded: Vec<i32> = std::fs::read(&raw)
        .unwrap()
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) >> 8)
        .collect();
    assert_ints_close(&decoded, &expected, 0, "ffmpeg reading sndtrk's RF64");
    assert_eq!(run("soxi", &["-s", s(&ours_rf64)]).trim(), "4800");
    let raw = file(dir.path(), "sox.s32");
    run("sox", &["-D", s(&ours_rf64), "-t", "s32", s(&raw)]);
    let decoded: Vec<i32> = std::fs::read(&raw)
        .unwrap()
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) >> 8)
        .collect();
    assert_ints_close(&decoded, &expected, 0, "sox reading sndtrk's RF64");
    let reader = WavReader::open(&ours_rf64).unwrap();
    assert_eq!(reader.format().time_reference, Some(1234));
    assert_eq!(read_wav(&ours_rf64).len(), signal.len());
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
