//! sndtrk's WAV files as sox, soxi, ffmpeg and ffprobe read them, and files
//! those tools write as sndtrk reads them: layouts and masks, every sample
//! encoding, the back 5.1 mask, Broadcast WAV time references, RF64.

use std::path::Path;

use sndtrk::audio::{SampleFormat, WavReader};

use crate::{
    audio_support::*,
    interop::tools::{ffprobe_entries, run},
};

/// The little-endian 32-bit words of a raw file a tool wrote.
fn raw_words(path: &Path) -> Vec<u32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// A raw file of 32-bit integer samples as 24-bit integers.
fn raw_24_in_32(path: &Path) -> Vec<i32> {
    raw_words(path)
        .into_iter()
        .map(|word| (word as i32) >> 8)
        .collect()
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
            let sox: Vec<f32> = raw_words(&raw).into_iter().map(f32::from_bits).collect();
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
    for (path, reference) in write_time_references(dir.path()) {
        let reader = WavReader::open(&path).unwrap();
        assert_eq!(reader.format().time_reference, Some(reference));
        assert_eq!(reader.format().frames, 1000);
        // ffprobe reads our bext chunk.
        let probe = ffprobe_entries(&path, "format_tags=time_reference");
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

    // sndtrk's RF64 output is read by ffmpeg and sox with the same samples.
    let ours_rf64 = file(dir.path(), "ours-rf64.wav");
    let signal = test_signal(6, 4800, RATE);
    write_rf64_5_1(&ours_rf64, &signal);
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
    assert_ints_close(
        &raw_24_in_32(&raw),
        &expected,
        0,
        "ffmpeg reading sndtrk's RF64",
    );
    assert_eq!(run("soxi", &["-s", s(&ours_rf64)]).trim(), "4800");
    let raw = file(dir.path(), "sox.s32");
    run("sox", &["-D", s(&ours_rf64), "-t", "s32", s(&raw)]);
    assert_ints_close(
        &raw_24_in_32(&raw),
        &expected,
        0,
        "sox reading sndtrk's RF64",
    );
    let reader = WavReader::open(&ours_rf64).unwrap();
    assert_eq!(reader.format().time_reference, Some(1234));
    assert_eq!(read_wav(&ours_rf64).len(), signal.len());
}
