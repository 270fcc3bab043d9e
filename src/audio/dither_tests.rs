//! TPDF dither: reproducibility, error bounds and noise statistics.

use super::*;
use std::f64::consts::TAU;

fn quantize(bits: u16, seed: u64, input: &[f32], block: usize) -> Vec<i32> {
    let mut q = TpdfQuantizer::new(bits, seed).unwrap();
    let mut out = Vec::new();
    for b in input.chunks(block) {
        q.quantize(b, &mut out);
    }
    out
}

/// Mean and variance (in LSB², about the mean) of the error `q - x·2^(bits-1)`.
fn error_stats(bits: u16, input: &[f32], out: &[i32]) -> (f64, f64) {
    let scale = f64::from(1u32 << (bits - 1));
    let errors: Vec<f64> = input
        .iter()
        .zip(out)
        .map(|(&x, &q)| f64::from(q) - f64::from(x) * scale)
        .collect();
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    let var = errors.iter().map(|e| (e - mean) * (e - mean)).sum::<f64>() / errors.len() as f64;
    (mean, var)
}

fn low_sine(bits: u16, lsb_amplitude: f64, frames: usize) -> Vec<f32> {
    let lsb = 1.0 / f64::from(1u32 << (bits - 1));
    (0..frames)
        .map(|n| (lsb_amplitude * lsb * (TAU * 997.0 * n as f64 / 48_000.0).sin()) as f32)
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_integers() {
    let input = low_sine(16, 40.0, 50_000);
    let a = quantize(16, 7, &input, 50_000);
    for block in [1, 3, 4096] {
        assert_eq!(quantize(16, 7, &input, block), a, "blocks of {block}");
    }
    let b = quantize(16, 8, &input, 50_000);
    assert_ne!(a, b);
    // Silence is dithered too (to -1, 0 or +1), reproducibly.
    let silence = quantize(16, DEFAULT_SEED, &[0.0; 64], 64);
    assert!(silence.iter().any(|&v| v != 0));
    assert_eq!(quantize(16, DEFAULT_SEED, &[0.0; 64], 5), silence);
}

#[test]
fn error_stays_within_one_and_a_half_lsb() {
    for bits in [16, 24] {
        let input: Vec<f32> = (0..100_000)
            .map(|n| (0.9 * (TAU * 441.0 * n as f64 / 48_000.0).sin()) as f32)
            .collect();
        let out = quantize(bits, 1, &input, 1000);
        let scale = f64::from(1u32 << (bits - 1));
        for (&x, &q) in input.iter().zip(&out) {
            let e = f64::from(q) - f64::from(x) * scale;
            assert!(e.abs() <= 1.5, "{bits} bit: {x} -> {q} (error {e})");
        }
    }
}

#[test]
fn dither_noise_on_silence_has_tpdf_statistics() {
    let input = vec![0.0f32; 1_000_000];
    let out = quantize(16, 42, &input, 65_536);
    let (mean, var) = error_stats(16, &input, &out);
    // 1/6 LSB² of dither + 1/12 of rounding = 1/4 LSB².
    assert!(mean.abs() < 0.005, "mean {mean}");
    assert!((var - 0.25).abs() < 0.005, "variance {var}");
    // Silence maps to -1, 0 or +1 LSB only, and ±1 a quarter of the time.
    assert!(out.iter().all(|v| (-1..=1).contains(v)));
    let nonzero = out.iter().filter(|&&v| v != 0).count() as f64 / out.len() as f64;
    assert!((nonzero - 0.25).abs() < 0.005, "{nonzero}");
}

#[test]
fn error_is_independent_of_a_low_level_signal() {
    // Undithered rounding error depends on where the signal sits between
    // two steps; with TPDF the error power is 1/4 LSB² at every offset.
    for bits in [16, 24] {
        let lsb = 1.0 / f64::from(1u32 << (bits - 1));
        for offset in [0.0, 0.25, 0.5, 0.75] {
            let input = vec![(offset * lsb) as f32; 400_000];
            let out = quantize(bits, 3, &input, 10_000);
            let (mean, var) = error_stats(bits, &input, &out);
            assert!(mean.abs() < 0.01, "{bits} bit offset {offset}: mean {mean}");
            assert!(
                (var - 0.25).abs() < 0.01,
                "{bits} bit offset {offset}: var {var}"
            );
        }
        let input = low_sine(bits, 3.0, 400_000);
        let out = quantize(bits, 4, &input, 10_000);
        let (mean, var) = error_stats(bits, &input, &out);
        assert!(
            mean.abs() < 0.01 && (var - 0.25).abs() < 0.01,
            "{mean} {var}"
        );
        // And uncorrelated with the signal.
        let scale = f64::from(1u32 << (bits - 1));
        let (mut xy, mut xx) = (0.0, 0.0);
        for (&x, &q) in input.iter().zip(&out) {
            let xs = f64::from(x) * scale;
            xy += xs * (f64::from(q) - xs);
            xx += xs * xs;
        }
        let correlation = xy / (xx * var * input.len() as f64).sqrt();
        assert!(correlation.abs() < 0.01, "correlation {correlation}");
    }
}

#[test]
fn full_scale_clips_and_is_counted() {
    let mut q = TpdfQuantizer::new(24, 1).unwrap();
    let mut out = Vec::new();
    q.quantize(&[1.0, -1.0, 2.0, f32::NAN], &mut out);
    assert_eq!(out[0], 8_388_607);
    assert_eq!(out[2], 8_388_607);
    assert!(out[1] == -8_388_608 || out[1] == -8_388_607);
    assert_eq!(out[3], 0);
    assert!(q.clipped() >= 2);
}

#[test]
fn other_depths_are_refused() {
    let err = TpdfQuantizer::new(8, 1).unwrap_err();
    assert_eq!(err.to_string(), "cannot dither to 8 bits");
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0608");
    assert_eq!(
        miette::Diagnostic::help(&err).unwrap().to_string(),
        "dither to 16 or 24 bits"
    );
}

#[test]
fn fast_rounding_equals_f64_round() {
    let halves = (-40..=40).map(|n| f64::from(n) * 0.5);
    let edges = [
        0.499_999_999_999_999_94,
        -0.499_999_999_999_999_94,
        0.500_000_000_000_000_1,
        8_388_607.5,
        -8_388_608.5,
        4_503_599_627_370_495.5,
        4_503_599_627_370_496.0,
        -4_503_599_627_370_497.0,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
    ];
    let mut state = 0x1234_5678_9abc_def0u64;
    let random = (0..100_000).map(move |_| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // Values up to ±2^24 with every fraction, as the quantiser sees.
        ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 33_554_432.0
    });
    for value in halves.chain(edges).chain(random) {
        assert_eq!(round_half_away(value), value.round(), "{value:e}");
    }
    assert!(round_half_away(f64::NAN).is_nan());
}
