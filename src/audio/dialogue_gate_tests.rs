//! Dialogue gating on constructed signals whose answer is known.

use super::*;
use crate::audio::loudness::LoudnessMeter;
use std::f64::consts::TAU;

const RATE: u32 = 48_000;

fn sine(n: usize, db: f64) -> f32 {
    (10f64.powf(db / 20.0) * (TAU * 1000.0 * n as f64 / f64::from(RATE)).sin()) as f32
}

/// 20 s: the mix is a stereo 1 kHz tone at `a` dBFS for 10 s, then `b` dBFS
/// for 10 s; the mono dialogue is a tone at -26 dBFS for the first 10 s,
/// then `tail` (None = digital silence).
fn signals(a: f64, b: f64, tail: Option<f64>) -> (Vec<f32>, Vec<f32>) {
    let frames = 20 * RATE as usize;
    let half = frames / 2;
    let mut mix = Vec::with_capacity(frames * 2);
    let mut dialogue = Vec::with_capacity(frames);
    for n in 0..frames {
        let m = sine(n, if n < half { a } else { b });
        mix.extend([m, m]);
        dialogue.push(match (n < half, tail) {
            (true, _) => sine(n, -26.0),
            (false, Some(db)) => sine(n, db),
            (false, None) => 0.0,
        });
    }
    (mix, dialogue)
}

fn measure(mix: &[f32], dialogue: &[f32]) -> DialogueGatedReport {
    let mut meter = DialogueGatedMeter::for_channels(2, 1, RATE).unwrap();
    for (m, d) in mix.chunks(2 * 3000).zip(dialogue.chunks(3000)) {
        meter.push(m, d).unwrap();
    }
    meter.report()
}

/// The expected answer: 97 blocks wholly inside the dialogue half (tone at
/// `a`), then three blocks straddling the change with 3, 2 and 1 sub-blocks
/// of dialogue, whose dialogue level is 1.25, 3 and 6 dB down (inside the
/// 10 LU gate) and whose mix energy mixes both tones. A stereo 1 kHz tone
/// at X dBFS reads X LUFS (EBU Tech 3341 case 1).
fn expected(a: f64, b: f64) -> f64 {
    let r = 10f64.powf((b - a) / 10.0);
    let sum = 97.0 + (3.0 + r) / 4.0 + (2.0 + 2.0 * r) / 4.0 + (1.0 + 3.0 * r) / 4.0;
    a + 10.0 * (sum / 100.0).log10()
}

#[test]
fn only_dialogue_blocks_count() {
    let (mix, dialogue) = signals(-20.0, -14.0, None);
    let r = measure(&mix, &dialogue);
    assert_eq!(r.total_blocks, 197);
    assert_eq!(r.active_blocks, 100);
    let want = expected(-20.0, -14.0);
    assert!(
        (r.dialogue_gated_lufs - want).abs() < 0.1,
        "{r:?} want {want}"
    );
    // The whole programme is far louder: the gate matters.
    assert!(r.programme_lufs > r.dialogue_gated_lufs + 3.0, "{r:?}");
    assert!((r.dialogue_fraction() - 100.0 / 197.0).abs() < 1e-12);
}

#[test]
fn room_tone_under_the_dialogue_does_not_count() {
    // -50 dBFS room tone is above -70 LUFS but 24 LU below the speech.
    let (mix, dialogue) = signals(-20.0, -14.0, Some(-50.0));
    let r = measure(&mix, &dialogue);
    assert_eq!(r.active_blocks, 100);
    let want = expected(-20.0, -14.0);
    assert!(
        (r.dialogue_gated_lufs - want).abs() < 0.1,
        "{r:?} want {want}"
    );
}

#[test]
fn dialogue_within_ten_lu_counts() {
    // Quieter dialogue 6 dB down is still dialogue: every block is active.
    let (mix, dialogue) = signals(-20.0, -14.0, Some(-32.0));
    let r = measure(&mix, &dialogue);
    assert_eq!(r.active_blocks, r.total_blocks);
    assert!((r.dialogue_gated_lufs - r.programme_lufs).abs() < 1e-9);
}

#[test]
fn programme_loudness_matches_the_loudness_meter() {
    let (mix, dialogue) = signals(-20.0, -31.0, None);
    let r = measure(&mix, &dialogue);
    let mut meter = LoudnessMeter::for_channels(2, RATE).unwrap();
    meter.push(&mix).unwrap();
    let full = meter.report().integrated_lufs;
    assert!((r.programme_lufs - full).abs() < 0.01, "{r:?} vs {full}");
}

#[test]
fn no_dialogue_means_no_dialogue_loudness() {
    let (mix, _) = signals(-20.0, -14.0, None);
    let silence = vec![0.0; mix.len() / 2];
    let r = measure(&mix, &silence);
    assert_eq!(r.active_blocks, 0);
    assert_eq!(r.dialogue_gated_lufs, f64::NEG_INFINITY);
    assert_eq!(r.dialogue_lufs, f64::NEG_INFINITY);
    assert_eq!(r.dialogue_fraction(), 0.0);
}

#[test]
fn streams_of_different_length_are_refused() {
    let mut meter = DialogueGatedMeter::for_channels(6, 1, RATE).unwrap();
    let err = meter.push(&[0.0; 60], &[0.0; 9]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the dialogue stream (1 channels at 48000 Hz) does not match the mix (6 channels at 48000 Hz) in length"
    );
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0609");
    assert_eq!(
        miette::Diagnostic::help(&err).unwrap().to_string(),
        "feed the dialogue at the mix's sample rate and push the same number of frames of both"
    );
}
