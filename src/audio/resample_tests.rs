//! Resampling against analytic sines and (with `--features interop`) sox.

use super::*;
use std::f64::consts::TAU;

fn sines(rate: u32, frames: usize, tones: &[(f64, f64)]) -> Vec<f32> {
    let mut out = Vec::with_capacity(frames * tones.len());
    for n in 0..frames {
        let t = n as f64 / f64::from(rate);
        for &(freq, amp) in tones {
            out.push((amp * (TAU * freq * t).sin()) as f32);
        }
    }
    out
}

fn resample(input: &[f32], from: u32, to: u32, channels: usize, block_frames: usize) -> Vec<f32> {
    let mut r = Resampler::new(from, to, channels).unwrap();
    let mut out = Vec::new();
    for block in input.chunks(block_frames * channels) {
        r.process(block, &mut out).unwrap();
    }
    r.finish(&mut out).unwrap();
    out
}

/// Signal-to-error ratio in dB of `got` against `want`, channel `c` of
/// `channels`, skipping `edge` frames at each end (the abrupt start and end
/// of the test tone ring through any band-limited filter).
fn snr_db(got: &[f32], want: &[f32], channels: usize, c: usize, edge: usize) -> f64 {
    let frames = want.len() / channels;
    let (mut signal, mut error) = (0.0f64, 0.0f64);
    for k in edge..frames - edge {
        let w = f64::from(want[k * channels + c]);
        let g = f64::from(got[k * channels + c]);
        signal += w * w;
        error += (g - w) * (g - w);
    }
    10.0 * (signal / error).log10()
}

/// The bound the rubato FFT resampler must beat on pure tones up to 15 kHz,
/// measured against the analytic sine at the new rate: 120 dB. (It reaches
/// 128–137 dB; f32 output limits the ideal to about 140 dB.)
const MIN_SNR_DB: f64 = 120.0;

#[test]
fn lengths_round_to_the_nearest_frame() {
    assert_eq!(resampled_len(48_000, 48_000, 44_100), 44_100);
    assert_eq!(resampled_len(1, 48_000, 44_100), 1); // 0.91875
    assert_eq!(resampled_len(100, 48_000, 44_100), 92); // 91.875
    assert_eq!(resampled_len(100, 44_100, 48_000), 109); // 108.84
    assert_eq!(resampled_len(0, 44_100, 48_000), 0);
}

#[test]
fn a_sine_48k_to_44k1_matches_the_analytic_sine() {
    let tones = [(1000.0, 0.5), (9000.0, 0.25), (15_000.0, 0.7)];
    let input = sines(48_000, 96_000, &tones);
    let out = resample(&input, 48_000, 44_100, 3, 5000);
    assert_eq!(out.len(), 88_200 * 3);
    let want = sines(44_100, 88_200, &tones);
    for c in 0..3 {
        let snr = snr_db(&out, &want, 3, c, 2000);
        eprintln!("48k->44.1k channel {c}: {snr:.1} dB");
        assert!(snr > MIN_SNR_DB, "channel {c}: {snr:.1} dB");
    }
}

#[test]
fn a_sine_44k1_to_48k_matches_the_analytic_sine() {
    let tones = [(440.0, 0.9), (12_345.0, 0.3)];
    let input = sines(44_100, 66_150, &tones);
    let out = resample(&input, 44_100, 48_000, 2, 4410);
    assert_eq!(out.len(), 72_000 * 2);
    let want = sines(48_000, 72_000, &tones);
    for c in 0..2 {
        let snr = snr_db(&out, &want, 2, c, 2000);
        eprintln!("44.1k->48k channel {c}: {snr:.1} dB");
        assert!(snr > MIN_SNR_DB, "channel {c}: {snr:.1} dB");
    }
}

#[test]
fn block_size_does_not_change_the_output() {
    let input = sines(48_000, 20_000, &[(1000.0, 0.5), (3000.0, 0.5)]);
    let whole = resample(&input, 48_000, 44_100, 2, 20_000);
    assert_eq!(
        whole.len(),
        2 * resampled_len(20_000, 48_000, 44_100) as usize
    );
    for frames in [1, 99, 4096, 4097] {
        assert!(
            resample(&input, 48_000, 44_100, 2, frames) == whole,
            "{frames}"
        );
    }
}

#[test]
fn short_and_empty_inputs_have_exact_lengths() {
    for frames in [0usize, 1, 100, 4095, 4096, 4097] {
        let input = vec![0.25f32; frames * 2];
        let out = resample(&input, 44_100, 48_000, 2, 1000);
        assert_eq!(
            out.len() as u64,
            2 * resampled_len(frames as u64, 44_100, 48_000)
        );
    }
}

#[test]
fn equal_rates_pass_through() {
    let input = sines(48_000, 1000, &[(1000.0, 0.5)]);
    assert_eq!(resample(&input, 48_000, 48_000, 1, 300), input);
}

#[test]
fn bad_setups_are_refused() {
    let err = Resampler::new(0, 44_100, 2).err().unwrap();
    assert_eq!(
        err.to_string(),
        "cannot resample 2 channels from 0 Hz to 44100 Hz: the rates and the channel count must be positive"
    );
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0607");
    let mut r = Resampler::new(48_000, 44_100, 2).unwrap();
    let err = r.process(&[0.0; 3], &mut Vec::new()).unwrap_err();
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0604");
}

/// Runs sox: `cargo test --features interop` (`.ci/run` installs it). The
/// default suite's independent check is the spectrum test in
/// `tests/integration/audio_reference.rs`.
#[cfg(feature = "interop")]
mod interop {
    use super::*;
    use crate::audio::interop_tools::{run, write_float_wav};

    #[test]
    fn agrees_with_sox() {
        // Programme-like material below 16 kHz: a chord plus a sweep.
        let frames = 3 * 48_000;
        let mut input = Vec::with_capacity(frames * 2);
        for n in 0..frames {
            let t = n as f64 / 48_000.0;
            let sweep = (TAU * (200.0 * t + 2000.0 * t * t)).sin();
            let chord = (TAU * 261.6 * t).sin() + (TAU * 329.6 * t).sin() + (TAU * 392.0 * t).sin();
            input.push((0.3 * sweep) as f32);
            input.push((0.2 * chord) as f32);
        }
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("in.wav"), dir.path().join("out.wav"));
        write_float_wav(&src, 2, 48_000, &input);
        run(
            "sox",
            &[
                src.as_os_str(),
                "-r".as_ref(),
                "44100".as_ref(),
                dst.as_os_str(),
            ],
        );
        let sox: Vec<f32> = hound::WavReader::open(&dst)
            .unwrap()
            .into_samples::<f32>()
            .map(Result::unwrap)
            .collect();
        let ours = resample(&input, 48_000, 44_100, 2, 4096);
        assert_eq!(ours.len(), sox.len());
        // Two different filters agree to within their passband ripple: the
        // difference is more than 100 dB below the signal (about 130 dB here).
        for c in 0..2 {
            let snr = snr_db(&ours, &sox, 2, c, 2000);
            eprintln!("channel {c}: ours vs sox {snr:.1} dB");
            assert!(snr > 100.0, "channel {c}: {snr:.1} dB");
        }
    }
}

/// Level in dB of a tone at `freq` after 48 kHz -> 44.1 kHz, relative to
/// the input (edges skipped).
fn gain_db(freq: f64) -> f64 {
    let input = sines(48_000, 48_000, &[(freq, 0.5)]);
    let out = resample(&input, 48_000, 44_100, 1, 4096);
    let rms = |v: &[f32]| {
        let inner = &v[5000..v.len() - 5000];
        (inner.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / inner.len() as f64).sqrt()
    };
    20.0 * (rms(&out) / rms(&input)).log10()
}

#[test]
fn the_passband_is_flat_to_20_khz_and_aliases_are_removed() {
    for freq in [100.0, 10_000.0, 18_000.0, 20_000.0] {
        let g = gain_db(freq);
        assert!(g.abs() < 0.01, "{freq} Hz: {g:.4} dB");
    }
    // 23 kHz cannot exist at 44.1 kHz: it must not fold back to 21.1 kHz.
    let g = gain_db(23_000.0);
    eprintln!("23 kHz: {g:.1} dB");
    assert!(g < -100.0, "23 kHz: {g:.1} dB");
}
