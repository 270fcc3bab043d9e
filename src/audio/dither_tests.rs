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
    // A signal far below one step is dithered (to -1, 0 or +1), reproducibly.
    let whisper = quantize(16, DEFAULT_SEED, &[1e-9; 64], 64);
    assert!(whisper.iter().any(|&v| v != 0));
    assert_eq!(quantize(16, DEFAULT_SEED, &[1e-9; 64], 5), whisper);
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
fn dither_noise_on_near_silence_has_tpdf_statistics() {
    // A millionth of a step: not digital silence, so dithered.
    let input = vec![1e-6 / 32_768.0; 1_000_000];
    let out = quantize(16, 42, &input, 65_536);
    let (mean, var) = error_stats(16, &input, &out);
    // 1/6 LSB² of dither + 1/12 of rounding = 1/4 LSB².
    assert!(mean.abs() < 0.005, "mean {mean}");
    assert!((var - 0.25).abs() < 0.005, "variance {var}");
    // It maps to -1, 0 or +1 LSB only, and ±1 a quarter of the time.
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
        // (Offset 0 would be digital silence, which stays 0: see below.)
        for offset in [0.01, 0.25, 0.5, 0.75] {
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
    assert_eq!(out[3], 0, "NaN is silence");
    // 2.0 always clips; ±1.0 clip when the dither pushes them out.
    assert!((1..=3).contains(&q.clipped()));
    let mut q = TpdfQuantizer::new(16, 1).unwrap();
    out.clear();
    q.quantize(&[2.0, -2.0, f32::NAN, 0.0, 0.5], &mut out);
    assert_eq!(&out[..2], [32_767, -32_768]);
    assert_eq!(q.clipped(), 2);
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
fn fast_rounding_rounds_to_nearest_even() {
    let halves = (-40..=40).map(|n| f64::from(n) * 0.5);
    let edges = [
        0.499_999_999_999_999_94,
        -0.499_999_999_999_999_94,
        0.500_000_000_000_000_1,
        8_388_607.5,
        -8_388_608.5,
        1_125_899_906_842_623.5,
        -1_125_899_906_842_623.5,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
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
        assert_eq!(round_ties_even(value), value.round_ties_even(), "{value:e}");
    }
    // Beyond 2^51 only the magnitude matters: the quantiser clips it.
    for value in [1e300, 4.6e15, f64::INFINITY] {
        assert!(round_ties_even(value) > 1e15, "{value:e}");
        assert!(round_ties_even(-value) < -1e15, "{value:e}");
    }
    assert!(round_ties_even(f64::NAN).is_nan());
}

#[test]
fn integers_come_out_of_the_mantissa_exactly() {
    for value in [
        0,
        1,
        -1,
        8_388_607,
        -8_388_608,
        32_767,
        -32_768,
        i32::MAX,
        i32::MIN,
    ] {
        assert_eq!(integer(f64::from(value)), value);
    }
}

#[test]
fn one_sample_at_a_time_equals_blocks() {
    let input = low_sine(24, 1000.0, 10_000);
    let mut q = TpdfQuantizer::new(24, 11).unwrap();
    let singles: Vec<i32> = input.iter().map(|&x| q.quantize_sample(x)).collect();
    assert_eq!(singles, quantize(24, 11, &input, 257));
}

#[test]
fn blocks_across_the_high_key_boundary_equal_single_samples() {
    let input = low_sine(24, 1000.0, 3000);
    for start in [(1u64 << 31) - 1000, (1 << 32) - 7, u64::MAX / 2 - 100] {
        let mut single = TpdfQuantizer::new(24, 5).unwrap().starting_at(start);
        let singles: Vec<i32> = input.iter().map(|&x| single.quantize_sample(x)).collect();
        let mut blocks = TpdfQuantizer::new(24, 5).unwrap().starting_at(start);
        let mut out = Vec::new();
        for block in input.chunks(300) {
            blocks.quantize(block, &mut out);
        }
        assert_eq!(singles, out, "from {start}");
    }
}

#[test]
fn every_uniform_value_comes_from_its_own_position() {
    // Positions 2n and 2n+1 of consecutive samples are distinct inputs of a
    // bijection, so under one high key (2^31 samples) no two values
    // coincide; this run also crosses a change of the high key.
    let key = TpdfQuantizer::new(16, 9).unwrap().key;
    let mut seen = std::collections::HashSet::new();
    for counter in (1u64 << 31) - 50_000..(1 << 31) + 50_000 {
        let (a, b) = uniform_pair(key, counter);
        assert!(seen.insert(a) && seen.insert(b), "repeat at {counter}");
    }
}

#[test]
fn dither_values_are_triangular() {
    // The dither alone (quantising silence at a fine grid would hide it):
    // a histogram of tpdf() over (-1, 1) in 20 bins follows 1 - |x|.
    let key = TpdfQuantizer::new(24, DEFAULT_SEED).unwrap().key;
    let mut bins = [0u32; 20];
    let n = 2_000_000u64;
    for counter in 0..n {
        let value = tpdf(uniform_pair(key, counter));
        assert!(value > -1.0 && value < 1.0);
        bins[((value + 1.0) * 10.0) as usize] += 1;
    }
    for (index, &count) in bins.iter().enumerate() {
        let (low, high) = (index as f64 / 10.0 - 1.0, (index + 1) as f64 / 10.0 - 1.0);
        // The triangle's area over [low, high].
        let cdf = |x: f64| {
            if x < 0.0 {
                (1.0 + x).powi(2) / 2.0
            } else {
                1.0 - (1.0 - x).powi(2) / 2.0
            }
        };
        let expected = (cdf(high) - cdf(low)) * n as f64;
        let error = (f64::from(count) - expected).abs() / expected;
        assert!(error < 0.02, "bin {index}: {count} vs {expected:.0}");
    }
}

#[test]
fn every_simd_build_gives_the_portable_loop_s_integers() {
    // `quantize` takes the widest build the CPU runs; the integers must not
    // depend on the CPU. Each build this CPU runs is compared here.
    let mut input = low_sine(24, 8_000_000.0, 20_000);
    input.extend([f32::NAN, f32::INFINITY, -f32::INFINITY, 1.0, -1.0, 3.5, 0.0]);
    for bits in [16, 24] {
        let mut portable = TpdfQuantizer::new(bits, 21).unwrap();
        let mut expected = vec![0; input.len()];
        portable.quantize_into(&input, &mut expected);
        assert!(portable.clipped() >= 4);
        let mut dispatched = TpdfQuantizer::new(bits, 21).unwrap();
        let mut found = Vec::new();
        dispatched.quantize(&input, &mut found);
        assert_eq!(found, expected, "{bits} bit, {:?}", Simd::detect());
        assert_eq!(dispatched.clipped(), portable.clipped());
        #[cfg(target_arch = "x86_64")]
        {
            type Build = unsafe fn(&mut TpdfQuantizer, &[f32], &mut [i32]);
            let builds: [(&str, bool, Build); 2] = [
                (
                    "avx2",
                    std::is_x86_feature_detected!("avx2"),
                    TpdfQuantizer::quantize_avx2,
                ),
                (
                    "avx512",
                    std::is_x86_feature_detected!("avx512f")
                        && std::is_x86_feature_detected!("avx512dq")
                        && std::is_x86_feature_detected!("avx512vl"),
                    TpdfQuantizer::quantize_avx512,
                ),
            ];
            for (name, supported, build) in builds {
                if !supported {
                    continue;
                }
                let mut quantizer = TpdfQuantizer::new(bits, 21).unwrap();
                let mut found = vec![0; input.len()];
                // SAFETY: the CPU supports the build's features (checked).
                unsafe { build(&mut quantizer, &input, &mut found) };
                assert_eq!(found, expected, "{bits} bit, {name}");
                assert_eq!(quantizer.clipped(), portable.clipped(), "{name}");
            }
        }
    }
}

#[test]
fn quantising_in_parallel_gives_the_same_integers() {
    let mut input = low_sine(24, 8_000_000.0, 200_000);
    input[777] = 2.0;
    input[90_001] = -3.0;
    let mut serial = TpdfQuantizer::new(24, 4).unwrap();
    let mut parallel = TpdfQuantizer::new(24, 4).unwrap();
    let (mut expected, mut found) = (vec![5], vec![5]);
    for block in input.chunks(70_001) {
        serial.quantize(block, &mut expected);
        parallel.quantize_parallel(block, &mut found);
    }
    assert_eq!(found, expected);
    assert_eq!(parallel.clipped(), serial.clipped());
    assert!(parallel.clipped() >= 2);
    // And they carry on alike.
    assert_eq!(serial.quantize_sample(0.25), parallel.quantize_sample(0.25));
}

/// Leading zeros, a burst, a gap of zeros, a burst and trailing zeros, on
/// two channels: the burst is a 3-LSB sine on the left and 0.3 LSB of DC
/// (which rounding alone would leave at 0) on the right.
fn bursts_between_silences(bits: u16) -> (Vec<f32>, Vec<bool>) {
    let lsb = 1.0 / f64::from(1u32 << (bits - 1));
    let (mut samples, mut silent) = (Vec::new(), Vec::new());
    for (frames, sound) in [
        (3000, false),
        (5000, true),
        (2500, false),
        (5000, true),
        (4000, false),
    ] {
        for n in 0..frames {
            let left = 3.0 * lsb * (TAU * 997.0 * (n as f64 + 0.5) / 48_000.0).sin();
            let right = 0.3 * lsb;
            for value in [left, right] {
                samples.push(if sound { value as f32 } else { 0.0 });
                silent.push(!sound);
            }
        }
    }
    (samples, silent)
}

#[test]
fn digital_silence_stays_exactly_zero_and_the_rest_is_dithered() {
    for bits in [16u16, 24] {
        let (input, silent) = bursts_between_silences(bits);
        for block in [1, 1000, 7777, input.len()] {
            let out = quantize(bits, DEFAULT_SEED, &input, block);
            for (index, (&value, &silent)) in out.iter().zip(&silent).enumerate() {
                if silent {
                    assert_eq!(value, 0, "{bits} bit, sample {index}, blocks of {block}");
                }
            }
            // Where there is signal, the dither is there: the 0.3-LSB DC
            // channel is not all zeros, and the error keeps TPDF's 1/4 LSB².
            let sound: Vec<(f32, i32)> = input
                .iter()
                .zip(&out)
                .zip(&silent)
                .filter(|(_, &silent)| !silent)
                .map(|((&x, &q), _)| (x, q))
                .collect();
            let right_nonzero = sound
                .iter()
                .skip(1)
                .step_by(2)
                .filter(|(_, q)| *q != 0)
                .count();
            assert!(
                right_nonzero > sound.len() / 2 / 5,
                "{bits} bit: {right_nonzero} of {} dithered",
                sound.len() / 2
            );
            let (xs, qs): (Vec<f32>, Vec<i32>) = sound.into_iter().unzip();
            let (mean, var) = error_stats(bits, &xs, &qs);
            assert!(
                mean.abs() < 0.03 && (var - 0.25).abs() < 0.03,
                "{bits} bit: {mean} {var}"
            );
        }
    }
}

#[test]
fn a_silent_channel_stays_zero_beside_a_playing_one() {
    // Per sample, not per frame: the LFE of a 5.1 mix with nothing in it.
    let frames = 10_000;
    let mut input = Vec::with_capacity(frames * 6);
    for n in 0..frames {
        let x = (0.1 * (TAU * 440.0 * n as f64 / 48_000.0).sin()) as f32;
        input.extend([x, x, x, 0.0, -0.0, x]);
    }
    for bits in [16, 24] {
        let out = quantize(bits, 3, &input, 4096);
        assert!(
            out.iter().skip(3).step_by(6).all(|&v| v == 0),
            "{bits} bit LFE"
        );
        assert!(
            out.iter().skip(4).step_by(6).all(|&v| v == 0),
            "{bits} bit -0.0"
        );
    }
}

#[test]
fn the_noise_of_a_sample_does_not_depend_on_the_silence_before_it() {
    // The counter advances over silent samples: each sample's noise is that
    // of its position, whatever the samples around it, so the integers are
    // the same in any blocks, on any thread count.
    let input = low_sine(24, 40.0, 20_000);
    let mut gapped = input.clone();
    gapped[5_000..9_000].fill(0.0);
    let (plain, with_gap) = (
        quantize(24, 9, &input, 20_000),
        quantize(24, 9, &gapped, 333),
    );
    assert_eq!(plain[..5_000], with_gap[..5_000]);
    assert_eq!(plain[9_000..], with_gap[9_000..]);
    assert!(with_gap[5_000..9_000].iter().all(|&v| v == 0));
    let mut parallel = TpdfQuantizer::new(24, 9).unwrap();
    let mut found = Vec::new();
    parallel.quantize_parallel(&gapped, &mut found);
    assert_eq!(found, with_gap);
}
