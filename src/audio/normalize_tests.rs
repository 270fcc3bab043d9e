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
    // The exact gain, on the 0.05 dB step.
    let exact = -24.0 - measured.integrated_lufs;
    assert!((plan.gain_db - exact).abs() <= GAIN_STEP_DB / 2.0 + 1e-12);
    let steps = plan.gain_db / GAIN_STEP_DB;
    assert!((steps - steps.round()).abs() < 1e-9, "{}", plan.gain_db);
    assert_eq!(plan.limit_dbtp, None);
    let out = normalize(&input, &plan, 1000);
    assert_eq!(out.len(), input.len());
    let gain = 10f64.powf(plan.gain_db / 20.0);
    for (o, i) in out.iter().zip(&input) {
        assert_eq!(*o, (f64::from(*i) * gain) as f32);
    }
    assert!((measure(&out).integrated_lufs + 24.0).abs() < 0.03);
}

/// A gain is rounded to its step, down when rounding up would lift a peak
/// the exact gain keeps under the ceiling over it.
#[test]
fn a_gain_is_rounded_to_its_step_and_never_over_the_ceiling() {
    assert!((quantized_gain(3.12, -10.0, -1.0) - 3.1).abs() < 1e-12);
    assert!((quantized_gain(3.13, -10.0, -1.0) - 3.15).abs() < 1e-12);
    assert!((quantized_gain(-7.026, -10.0, -1.0) + 7.05).abs() < 1e-12);
    // 3.13 would round to 3.15, lifting -4.14 dBTP to -0.99: 3.10.
    assert!((quantized_gain(3.13, -4.14, -1.0) - 3.1).abs() < 1e-12);
    // Over with the exact gain already: rounded as usual (and refused or
    // limited by the plan).
    assert!((quantized_gain(3.13, -3.0, -1.0) - 3.15).abs() < 1e-12);
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

/// 10 s of stereo: a -20 dBFS bed with a 3 kHz transient of 20 ms at
/// -6 dBFS every second: the transients carry a third of the loudness, so
/// limiting them costs loudness.
fn transients() -> Vec<f32> {
    let mut out = Vec::new();
    for n in 0..10 * RATE as usize {
        let t = n as f64 / f64::from(RATE);
        let mut v = 10f64.powf(-20.0 / 20.0) * (TAU * 1000.0 * t).sin();
        if t % 1.0 < 0.02 {
            v += 10f64.powf(-6.0 / 20.0) * (TAU * 3000.0 * t).sin();
        }
        out.extend([v as f32, (0.8 * v) as f32]);
    }
    out
}

/// A limited render of `input` with `plan`, measured.
fn limited(input: &[f32], plan: &NormalizationPlan) -> LimitedRender {
    let mut normalizer = Normalizer::new(plan, 2, RATE);
    let mut out = Vec::new();
    for block in input.chunks(4096 * 2) {
        normalizer.process(block, &mut out);
    }
    normalizer.finish(&mut out);
    let measured = measure(&out);
    LimitedRender {
        integrated_lufs: measured.integrated_lufs,
        true_peak_dbtp: measured.true_peak_dbtp,
        max_reduction_db: normalizer.max_reduction_db().unwrap_or(0.0),
    }
}

#[test]
fn a_limited_render_is_measured_again_and_its_gain_corrected_until_it_lands() {
    let input = transients();
    let measured = measure(&input);
    let target = measured.integrated_lufs + 8.0;
    let plan = NormalizationPlan::new(&measured, target, -1.0, PeakPolicy::Limit).unwrap();
    assert_eq!(plan.limit_dbtp, Some(-1.0));
    let mut seen = Vec::new();
    let landed = plan
        .limit::<DspError>(target, |plan, pass| {
            let render = limited(&input, plan);
            seen.push((pass, plan.gain_db, render));
            Ok(render)
        })
        .unwrap();
    // The first render, at the planned gain, falls short: limiting took
    // loudness off. The correction raises the gain and lands.
    let (_, first_gain, first) = seen[0];
    assert_eq!(first_gain, plan.gain_db);
    assert!(target - first.integrated_lufs > 0.3, "{seen:?}");
    assert!((2..=LIMITED_PASSES).contains(&landed.passes), "{seen:?}");
    assert_eq!(seen.len(), landed.passes);
    assert_eq!(
        seen.iter().map(|(pass, _, _)| *pass).collect::<Vec<_>>(),
        (1..=landed.passes).collect::<Vec<_>>()
    );
    assert!(landed.plan.gain_db > plan.gain_db, "{landed:?}");
    assert!(
        (landed.measured.integrated_lufs - target).abs() <= LIMITED_TOLERANCE_LU,
        "{landed:?}"
    );
    assert!(landed.measured.true_peak_dbtp <= -1.0, "{landed:?}");
    assert!(landed.measured.max_reduction_db > first.max_reduction_db);
    // What it says it measured is the render of its plan.
    assert_eq!(limited(&input, &landed.plan), landed.measured);
}

/// A model limiter: loudness rises by `slope` LU per dB of gain.
fn model(plan: &NormalizationPlan, start: f64, slope: f64) -> LimitedRender {
    LimitedRender {
        integrated_lufs: -25.0 + slope * (plan.gain_db - start),
        true_peak_dbtp: -1.2,
        max_reduction_db: 3.0,
    }
}

#[test]
fn the_correction_follows_the_loudness_a_db_of_gain_buys() {
    let plan = NormalizationPlan {
        gain_db: 4.0,
        predicted_true_peak_dbtp: 2.0,
        limit_dbtp: Some(-1.0),
    };
    let mut gains = Vec::new();
    let landed = plan
        .limit::<DspError>(-23.0, |plan, _| {
            gains.push(plan.gain_db);
            Ok(model(plan, 4.0, 0.5))
        })
        .unwrap();
    // 2 LU short: +2 dB; that bought 1 LU, so the last 1 LU takes
    // 1 LU / 0.5 = 2 dB more.
    assert_eq!(gains, [4.0, 6.0, 8.0]);
    assert_eq!(landed.passes, 3);
    assert_eq!(landed.measured.integrated_lufs, -23.0);
    assert_eq!(landed.plan.predicted_true_peak_dbtp, 6.0);
    // A render that lands at once is not rendered again; a plan without a
    // limiter is rendered once, whatever it measures.
    let mut passes = 0;
    let at_once = plan
        .limit::<DspError>(-25.0, |plan, _| {
            passes += 1;
            Ok(model(plan, 4.0, 0.5))
        })
        .unwrap();
    assert_eq!((at_once.passes, passes), (1, 1));
    let unlimited = NormalizationPlan {
        limit_dbtp: None,
        ..plan
    };
    let once = unlimited
        .limit::<DspError>(-23.0, |plan, _| Ok(model(plan, 4.0, 0.5)))
        .unwrap();
    assert_eq!(once.passes, 1);
}

#[test]
fn a_limiter_that_takes_back_the_gain_or_breaks_the_ceiling_fails_with_e0612() {
    let plan = NormalizationPlan {
        gain_db: 4.0,
        predicted_true_peak_dbtp: 2.0,
        limit_dbtp: Some(-1.0),
    };
    // More gain buys nothing: after the second pass there is no point in a
    // third.
    let mut passes = 0;
    let err = plan
        .limit::<DspError>(-23.0, |plan, _| {
            passes += 1;
            Ok(model(plan, 4.0, 0.02))
        })
        .unwrap_err();
    assert_eq!(passes, 2);
    assert_eq!(err.code().unwrap().to_string(), "E0612");
    assert_eq!(
        err.to_string(),
        "limited to -1.0 dBTP, the programme measures -24.96 LUFS with its true peak at -1.20 dBTP after 2 passes (at +6.00 dB of gain, up to 3.0 dB of gain reduction); it must land within 0.1 LU of -23.0 LUFS under the ceiling"
    );
    // Three passes that each buy less are all it gets (a limiter that can
    // lift the programme to -23.5 LUFS at most).
    let mut passes = 0;
    let err = plan
        .limit::<DspError>(-23.0, |plan, _| {
            passes += 1;
            let rise = 1.5 * (1.0 - (-(plan.gain_db - 4.0) / 3.0).exp());
            Ok(LimitedRender {
                integrated_lufs: -25.0 + rise,
                ..model(plan, 4.0, 0.0)
            })
        })
        .unwrap_err();
    assert_eq!(passes, LIMITED_PASSES);
    assert!(matches!(err, DspError::LimiterMissed { passes: 3, .. }));
    // A render over the ceiling is not made louder.
    let err = plan
        .limit::<DspError>(-23.0, |plan, _| {
            Ok(LimitedRender {
                true_peak_dbtp: -0.5,
                ..model(plan, 4.0, 1.0)
            })
        })
        .unwrap_err();
    assert!(matches!(err, DspError::LimiterMissed { passes: 1, .. }));
    // Silence has no loudness to land.
    let err = plan
        .limit::<DspError>(-23.0, |_, _| {
            Ok(LimitedRender {
                integrated_lufs: f64::NEG_INFINITY,
                true_peak_dbtp: f64::NEG_INFINITY,
                max_reduction_db: 0.0,
            })
        })
        .unwrap_err();
    assert_eq!(err, DspError::SilentProgramme);
}

#[test]
fn a_normalised_source_is_the_normalisers_output() {
    let input = programme();
    let measured = measure(&input);
    let plan = NormalizationPlan::new(
        &measured,
        measured.integrated_lufs + 12.0,
        -1.0,
        PeakPolicy::Limit,
    )
    .unwrap();
    let whole = normalize(&input, &plan, 4096);
    let source = crate::audio::source::Buffer::new(input, 2).unwrap();
    let mut normalized = Normalized::new(source, Normalizer::new(&plan, 2, RATE));
    let mut out = Vec::new();
    let mut block = vec![0.0f32; 2 * 777];
    loop {
        let frames = normalized.read(&mut block).unwrap();
        if frames == 0 {
            break;
        }
        out.extend_from_slice(&block[..frames * 2]);
    }
    assert!(out == whole);
    assert!(normalized.normalizer().max_reduction_db().unwrap() > 0.0);
}
