//! Normalisation: the gain path, the refusal and the limiter path.

use super::*;
use crate::audio::loudness::LoudnessMeter;
use miette::Diagnostic;
use std::f64::consts::TAU;

const RATE: u32 = 48_000;

fn report(integrated_lufs: f64, true_peak_dbtp: f64) -> LoudnessReport {
    LoudnessReport {
        frames: 480_000,
        sample_rate: RATE,
        integrated_lufs,
        loudness_range_lu: 3.0,
        momentary_max_lufs: integrated_lufs + 3.0,
        short_term_max_lufs: integrated_lufs + 1.0,
        sample_peak_dbfs: true_peak_dbtp - 0.5,
        true_peak_dbtp,
    }
}

/// 10 s of stereo: a -20 dBFS 1 kHz bed with 10 ms bursts of a 3 kHz tone at
/// -4 dBFS every 2 s, starting at 1 s: the bed sets the loudness, the bursts
/// the peaks.
fn programme() -> Vec<f32> {
    let mut out = Vec::new();
    for n in 0..10 * RATE as usize {
        let t = n as f64 / f64::from(RATE);
        let mut v = 10f64.powf(-20.0 / 20.0) * (TAU * 1000.0 * t).sin();
        if t >= 1.0 && (t - 1.0) % 2.0 < 0.01 {
            v += 10f64.powf(-4.0 / 20.0) * (TAU * 3000.0 * t).sin();
        }
        out.extend([v as f32, (0.9 * v) as f32]);
    }
    out
}

fn measure(samples: &[f32]) -> LoudnessReport {
    let mut m = LoudnessMeter::for_channels(2, RATE).unwrap();
    m.push(samples).unwrap();
    m.report()
}

fn normalize(samples: &[f32], plan: &NormalizationPlan, block_frames: usize) -> Vec<f32> {
    let mut n = Normalizer::new(plan, 2, RATE);
    let mut out = Vec::new();
    for block in samples.chunks(block_frames * 2) {
        n.process(block, &mut out);
    }
    n.finish(&mut out);
    out
}

#[test]
fn a_gain_that_fits_is_applied_sample_for_sample() {
    let input = programme();
    let measured = measure(&input);
    let plan = NormalizationPlan::new(&measured, -24.0, -1.0, PeakPolicy::Refuse).unwrap();
    assert!((plan.gain_db - (-24.0 - measured.integrated_lufs)).abs() < 1e-12);
    assert_eq!(plan.limit_dbtp, None);
    let out = normalize(&input, &plan, 1000);
    assert_eq!(out.len(), input.len());
    let gain = 10f64.powf(plan.gain_db / 20.0);
    for (o, i) in out.iter().zip(&input) {
        assert_eq!(*o, (f64::from(*i) * gain) as f32);
    }
    assert!((measure(&out).integrated_lufs + 24.0).abs() < 0.01);
}

#[test]
fn a_gain_that_breaks_the_ceiling_is_refused() {
    let err =
        NormalizationPlan::new(&report(-30.0, -6.0), -20.0, -2.0, PeakPolicy::Refuse).unwrap_err();
    assert_eq!(
        err.to_string(),
        "normalising to -20.0 LUFS needs +10.00 dB of gain, which puts the true peak at 4.00 dBTP, above the ceiling of -2.0 dBTP"
    );
    assert_eq!(err.code().unwrap().to_string(), "E0605");
    assert_eq!(
        err.help().unwrap().to_string(),
        "lower the target loudness, reduce the peaks in the mix, or allow the limiter for this target"
    );
}

#[test]
fn the_limiter_holds_the_ceiling_when_allowed() {
    let input = programme();
    let measured = measure(&input);
    let target = measured.integrated_lufs + 6.0;
    assert!(NormalizationPlan::new(&measured, target, -2.0, PeakPolicy::Refuse).is_err());
    let plan = NormalizationPlan::new(&measured, target, -2.0, PeakPolicy::Limit).unwrap();
    assert_eq!(plan.limit_dbtp, Some(-2.0));
    assert!(plan.predicted_true_peak_dbtp > 1.0, "{plan:?}");

    let out = normalize(&input, &plan, 4096);
    assert_eq!(out.len(), input.len());
    let after = measure(&out);
    assert!(after.true_peak_dbtp <= -2.0, "{after:?}");
    // Limiting the bursts costs some loudness, never adds any.
    assert!(
        after.integrated_lufs <= target + 0.01,
        "{after:?} target {target}"
    );
    assert!(
        after.integrated_lufs > target - 3.0,
        "{after:?} target {target}"
    );

    // Before the first burst (minus the 5 ms look-ahead and the detector's
    // reach) the limiter is idle: exactly the gain, and not shifted in time.
    let gain = plan.gain();
    let idle = (RATE as usize - 400) * 2;
    for (k, (o, i)) in out[..idle].iter().zip(&input).enumerate() {
        assert_eq!(*o, (f64::from(*i) * gain) as f32, "sample {k}");
    }
    // It does act on the burst ...
    let burst = (RATE as usize + 240) * 2;
    assert!(out[burst..burst + 960].iter().any(|s| f64::from(s.abs())
        < 0.9
            * gain
            * f64::from(
                input[burst..burst + 960]
                    .iter()
                    .fold(0.0f32, |m, v| m.max(v.abs()))
            )));
    // ... and recovers within a second after it (100 ms release).
    let later = (RATE as usize * 2 + 100) * 2;
    for (o, i) in out[later..later + 2000].iter().zip(&input[later..]) {
        assert!(
            (f64::from(*o) - f64::from(*i) * gain).abs() < 1e-4,
            "{o} vs {i}"
        );
    }
}

#[test]
fn limiting_is_the_same_whatever_the_block_size() {
    let input = programme();
    let measured = measure(&input);
    let plan = NormalizationPlan::new(
        &measured,
        measured.integrated_lufs + 12.0,
        -1.0,
        PeakPolicy::Limit,
    )
    .unwrap();
    let whole = normalize(&input, &plan, input.len());
    for frames in [1, 333, 4096] {
        let out = normalize(&input, &plan, frames);
        assert!(out == whole, "blocks of {frames} frames differ");
    }
}

#[test]
fn silence_cannot_be_normalised() {
    let err = NormalizationPlan::new(
        &report(f64::NEG_INFINITY, f64::NEG_INFINITY),
        -23.0,
        -1.0,
        PeakPolicy::Limit,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the programme is silent (every block is below the -70 LUFS gate), so it cannot be normalised"
    );
    assert_eq!(err.code().unwrap().to_string(), "E0606");
}

#[test]
fn absurd_targets_are_refused() {
    let err =
        NormalizationPlan::new(&report(-30.0, -10.0), 6.0, -1.0, PeakPolicy::Refuse).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the target loudness is 6, which is out of range"
    );
    assert_eq!(err.code().unwrap().to_string(), "E0610");
    assert_eq!(
        err.help().unwrap().to_string(),
        "give a target between -70 and 0 LUFS"
    );
    let err = NormalizationPlan::new(&report(-30.0, -10.0), -23.0, f64::NAN, PeakPolicy::Refuse)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the true-peak ceiling is NaN, which is out of range"
    );
}

#[test]
fn the_limiter_holds_the_ceiling_on_full_band_noise() {
    // Dense, bright, peaky material (cubed white noise, crest factor 8.5 dB):
    // the hardest case for inter-sample peaks.
    let mut seed = 0x1234_5678_9ABC_DEF0u64;
    let input: Vec<f32> = (0..4 * RATE as usize * 2)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let u = (seed >> 40) as f32 / (1u32 << 23) as f32 - 1.0;
            0.5 * u * u * u
        })
        .collect();
    let measured = measure(&input);
    let plan = NormalizationPlan::new(&measured, -2.0, -3.0, PeakPolicy::Limit).unwrap();
    assert!(plan.predicted_true_peak_dbtp > 0.0, "{plan:?}");
    let out = normalize(&input, &plan, 1024);
    assert_eq!(out.len(), input.len());
    let after = measure(&out);
    assert!(after.true_peak_dbtp <= -3.0, "{after:?}");
}
