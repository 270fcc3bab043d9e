//! Micro-benchmarks of the render hot paths at small sizes: 24-bit decode
//! and encode of a block (from floats and from dithered integers), an
//! 8-stem 5.1 bus, and the Lo/Ro matrix.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sndtrk::audio::{source::Buffer, Bus, Matrix, SampleFormat, Source, BLOCK_FRAMES};

/// One second of 5.1 at 48 kHz per stem.
const FRAMES: usize = 48_000;

fn signal(seed: u32) -> Vec<f32> {
    let mut state = seed;
    (0..FRAMES * 6)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.2
        })
        .collect()
}

fn codec(c: &mut Criterion) {
    let samples = signal(1);
    let mut bytes = Vec::new();
    SampleFormat::Int24.encode(&samples, &mut bytes);
    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Elements(samples.len() as u64));
    group.bench_function("decode 24-bit", |b| {
        let mut out = vec![0.0f32; samples.len()];
        b.iter(|| SampleFormat::Int24.decode(black_box(&bytes), &mut out))
    });
    group.bench_function("encode 24-bit", |b| {
        let mut out = Vec::new();
        b.iter(|| SampleFormat::Int24.encode(black_box(&samples), &mut out))
    });
    // Dithered deliverables hand the encoder integers.
    let integers: Vec<i32> = samples.iter().map(|s| (s * 8_388_608.0) as i32).collect();
    group.bench_function("encode 24-bit integers", |b| {
        let mut out = Vec::new();
        b.iter(|| SampleFormat::Int24.encode_integers(black_box(&integers), &mut out))
    });
    group.finish();
}

fn mix(c: &mut Criterion) {
    let stems: Vec<Vec<f32>> = (0..8).map(signal).collect();
    let mut group = c.benchmark_group("mix");
    group.throughput(Throughput::Elements((FRAMES * 6 * 8) as u64));
    for parallel in [false, true] {
        let name = if parallel {
            "8 stems, parallel"
        } else {
            "8 stems, serial"
        };
        group.bench_function(name, |b| {
            // Building the bus (copying the stems) is setup, not timed.
            b.iter_batched(
                || {
                    let mut bus = Bus::new(6).unwrap();
                    bus.set_parallel(parallel);
                    for stem in &stems {
                        bus.add(Box::new(Buffer::new(stem.clone(), 6).unwrap()), 0, -3.0)
                            .unwrap();
                    }
                    (bus, vec![0.0f32; BLOCK_FRAMES * 6])
                },
                |(mut bus, mut block)| {
                    while bus.read(&mut block).unwrap() > 0 {
                        black_box(&block);
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    let lo_ro = Matrix::lo_ro();
    group.throughput(Throughput::Elements((FRAMES * 6) as u64));
    group.bench_function("Lo/Ro matrix", |b| {
        let mut out = vec![0.0f32; FRAMES * 2];
        b.iter(|| lo_ro.apply(black_box(&stems[0]), &mut out))
    });
    group.finish();
}

criterion_group!(benches, codec, mix);
criterion_main!(benches);
