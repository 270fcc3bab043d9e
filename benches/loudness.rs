//! Loudness throughput: integrated + LRA + true peak on 10 s of 5.1 at 48 kHz,
//! pushed in 4096-frame blocks as `sndtrk measure` does; also the dialogue
//! gate, the resampler and the dither quantiser for scale.
//!
//! Run: `cargo bench --bench loudness`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sndtrk::audio::{
    dialogue_gate::DialogueGatedMeter, dither::TpdfQuantizer, loudness::LoudnessMeter,
    resample::Resampler,
};

const RATE: u32 = 48_000;
const SECONDS: usize = 10;

fn programme(channels: usize) -> Vec<f32> {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    (0..SECONDS * RATE as usize * channels)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let noise = (seed >> 40) as f32 / (1u32 << 24) as f32 - 0.5;
            let t = (i / channels) as f32 / RATE as f32;
            0.3 * (std::f32::consts::TAU * 440.0 * t).sin() + 0.2 * noise
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let surround = programme(6);
    let frames = (surround.len() / 6) as u64;
    let mut group = c.benchmark_group("5.1 48 kHz");
    group.throughput(Throughput::Elements(frames));
    group.sample_size(10);

    group.bench_function("loudness (I, LRA, M/S max, sample + true peak)", |b| {
        b.iter(|| {
            let mut meter = LoudnessMeter::for_channels(6, RATE).unwrap();
            for block in surround.chunks(4096 * 6) {
                meter.push(block).unwrap();
            }
            black_box(meter.report())
        })
    });

    let dialogue: Vec<f32> = surround.iter().step_by(6).copied().collect();
    group.bench_function("dialogue-gated loudness (mono dialogue)", |b| {
        b.iter(|| {
            let mut meter = DialogueGatedMeter::for_channels(6, 1, RATE).unwrap();
            for (m, d) in surround.chunks(4096 * 6).zip(dialogue.chunks(4096)) {
                meter.push(m, d).unwrap();
            }
            black_box(meter.report())
        })
    });

    group.bench_function("resample 48k -> 44.1k", |b| {
        b.iter(|| {
            let mut r = Resampler::new(RATE, 44_100, 6).unwrap();
            let mut out = Vec::with_capacity(surround.len());
            for block in surround.chunks(4096 * 6) {
                r.process(block, &mut out).unwrap();
            }
            r.finish(&mut out).unwrap();
            black_box(out.len())
        })
    });

    group.bench_function("TPDF dither to 24 bit", |b| {
        b.iter(|| {
            let mut q = TpdfQuantizer::new(24, 1).unwrap();
            let mut out = Vec::with_capacity(surround.len());
            q.quantize(&surround, &mut out);
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
