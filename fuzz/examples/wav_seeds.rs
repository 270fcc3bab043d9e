//! Writes the WAV reader's seed corpus with sndtrk's own writer:
//! `cargo run --example wav_seeds -- seeds/wav` from `fuzz/`. Each file is
//! short (a few dozen frames) so the whole corpus stays small.

use std::path::PathBuf;

use sndtrk::audio::{ChannelLayout, SampleFormat, WavSpec, WavWriter};

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "seeds/wav".into()),
    );
    std::fs::create_dir_all(&dir).expect("the seed directory");
    let seeds = [
        (
            "int16-mono.wav",
            ChannelLayout::mono(),
            SampleFormat::Int16,
            None,
            false,
        ),
        (
            "int24-stereo.wav",
            ChannelLayout::stereo(),
            SampleFormat::Int24,
            None,
            false,
        ),
        (
            "float32-stereo.wav",
            ChannelLayout::stereo(),
            SampleFormat::Float32,
            None,
            false,
        ),
        (
            "int24-5.1.wav",
            ChannelLayout::surround_5_1(),
            SampleFormat::Int24,
            None,
            false,
        ),
        (
            "float32-7.1.4.wav",
            ChannelLayout::surround_7_1_4(),
            SampleFormat::Float32,
            None,
            false,
        ),
        (
            "int24-stereo-rf64.wav",
            ChannelLayout::stereo(),
            SampleFormat::Int24,
            None,
            true,
        ),
        (
            "int16-5.1-rf64-bext.wav",
            ChannelLayout::surround_5_1(),
            SampleFormat::Int16,
            Some(172_800_000),
            true,
        ),
        (
            "int24-stereo-bext.wav",
            ChannelLayout::stereo(),
            SampleFormat::Int24,
            Some(48_000 * 3600),
            false,
        ),
        (
            "generic-3.wav",
            ChannelLayout::generic(3),
            SampleFormat::Int16,
            None,
            false,
        ),
    ];
    for (name, layout, sample_format, time_reference, rf64) in seeds {
        let channels = layout.channels();
        let mut writer = WavWriter::create(
            dir.join(name),
            WavSpec {
                sample_rate: 48_000,
                layout,
                sample_format,
                time_reference,
            },
        )
        .expect("a seed file");
        if rf64 {
            writer.always_rf64();
        }
        let frames = 24;
        let samples: Vec<f32> = (0..frames * channels)
            .map(|i| ((i as f32) * 0.37).sin() * 0.9)
            .collect();
        writer.write_block(&samples).expect("the seed's audio");
        writer.finish().expect("a finished seed");
    }
}
