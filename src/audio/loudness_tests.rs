//! EBU Tech 3341 / 3342 conformance, and (with `--features interop`)
//! agreement with ffmpeg's `ebur128`.

use super::*;
use std::f64::consts::TAU;

const RATE: u32 = 48_000;

/// Interleaved 1 kHz sines, one peak level per channel (None = silent
/// channel), segment by segment: `(seconds, levels in dBFS)`.
fn sine_segments(channels: usize, segments: &[(f64, Vec<Option<f64>>)]) -> Vec<f32> {
    let mut out = Vec::new();
    let mut n: u64 = 0;
    for (seconds, levels) in segments {
        assert_eq!(levels.len(), channels);
        let frames = (seconds * f64::from(RATE)).round() as u64;
        for _ in 0..frames {
            let phase = (TAU * 1000.0 * n as f64 / f64::from(RATE)).sin();
            for level in levels {
                let amp = level.map_or(0.0, |db| 10f64.powf(db / 20.0));
                out.push((amp * phase) as f32);
            }
            n += 1;
        }
    }
    out
}

fn stereo(segments: &[(f64, f64)]) -> Vec<f32> {
    let segs: Vec<_> = segments
        .iter()
        .map(|&(s, db)| (s, vec![Some(db), Some(db)]))
        .collect();
    sine_segments(2, &segs)
}

/// Measures in blocks of an awkward size, to exercise the streaming path.
fn measure(channels: usize, samples: &[f32]) -> LoudnessReport {
    let mut meter = LoudnessMeter::for_channels(channels, RATE).unwrap();
    for block in samples.chunks(1111 * channels) {
        meter.push(block).unwrap();
    }
    meter.report()
}

fn assert_near(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: got {got:.3}, want {want} ± {tolerance}"
    );
}

#[test]
fn tech3341_case1() {
    let r = measure(2, &stereo(&[(20.0, -23.0)]));
    assert_near("I", r.integrated_lufs, -23.0, 0.1);
    // A steady tone: every momentary and short-term window reads the same.
    assert_near("M max", r.momentary_max_lufs, -23.0, 0.1);
    assert_near("S max", r.short_term_max_lufs, -23.0, 0.1);
    assert_near("sample peak", r.sample_peak_dbfs, -23.0, 0.01);
}

#[test]
fn tech3341_case2() {
    let r = measure(2, &stereo(&[(20.0, -33.0)]));
    assert_near("I", r.integrated_lufs, -33.0, 0.1);
}

#[test]
fn tech3341_case3() {
    let r = measure(2, &stereo(&[(10.0, -36.0), (60.0, -23.0), (10.0, -36.0)]));
    assert_near("I", r.integrated_lufs, -23.0, 0.1);
}

#[test]
fn tech3341_case4() {
    let r = measure(
        2,
        &stereo(&[
            (10.0, -72.0),
            (10.0, -36.0),
            (60.0, -23.0),
            (10.0, -36.0),
            (10.0, -72.0),
        ]),
    );
    assert_near("I", r.integrated_lufs, -23.0, 0.1);
}

#[test]
fn tech3341_case5() {
    let r = measure(2, &stereo(&[(20.0, -26.0), (20.1, -20.0), (20.0, -26.0)]));
    assert_near("I", r.integrated_lufs, -23.0, 0.1);
    assert_near("M max", r.momentary_max_lufs, -20.0, 0.1);
}

#[test]
fn tech3341_case6_five_channels() {
    // 5.0 in L R C Ls Rs order: the surrounds carry the 1.41 weight.
    let levels = vec![
        Some(-28.0),
        Some(-28.0),
        Some(-24.0),
        Some(-30.0),
        Some(-30.0),
    ];
    let samples = sine_segments(5, &[(20.0, levels)]);
    let mut meter = LoudnessMeter::for_labels(&["L", "R", "C", "Ls", "Rs"], RATE).unwrap();
    meter.push(&samples).unwrap();
    assert_near("I", meter.report().integrated_lufs, -23.0, 0.1);
}

#[test]
fn tech3341_case6_as_5_1_ignores_the_lfe() {
    // The same programme with a loud LFE in a 5.1 file still reads -23.
    let levels = vec![
        Some(-28.0),
        Some(-28.0),
        Some(-24.0),
        Some(-6.0),
        Some(-30.0),
        Some(-30.0),
    ];
    let r = measure(6, &sine_segments(6, &[(20.0, levels)]));
    assert_near("I", r.integrated_lufs, -23.0, 0.1);
    assert_near(
        "sample peak includes the LFE",
        r.sample_peak_dbfs,
        -6.0,
        0.01,
    );
}

#[test]
fn tech3342_case1() {
    let r = measure(2, &stereo(&[(20.0, -20.0), (20.0, -30.0)]));
    assert_near("LRA", r.loudness_range_lu, 10.0, 1.0);
}

#[test]
fn tech3342_case2() {
    let r = measure(2, &stereo(&[(20.0, -20.0), (20.0, -15.0)]));
    assert_near("LRA", r.loudness_range_lu, 5.0, 1.0);
}

#[test]
fn tech3342_case3() {
    let r = measure(2, &stereo(&[(20.0, -40.0), (20.0, -20.0)]));
    assert_near("LRA", r.loudness_range_lu, 20.0, 1.0);
}

#[test]
fn tech3342_case4() {
    let r = measure(
        2,
        &stereo(&[
            (20.0, -50.0),
            (20.0, -35.0),
            (20.0, -20.0),
            (20.0, -35.0),
            (20.0, -50.0),
        ]),
    );
    assert_near("LRA", r.loudness_range_lu, 15.0, 1.0);
}

#[test]
fn silence_reads_minus_infinity() {
    let r = measure(2, &vec![0.0; 2 * 48_000 * 4]);
    assert_eq!(r.integrated_lufs, f64::NEG_INFINITY);
    assert_eq!(r.momentary_max_lufs, f64::NEG_INFINITY);
    assert_eq!(r.short_term_max_lufs, f64::NEG_INFINITY);
    assert_eq!(r.sample_peak_dbfs, f64::NEG_INFINITY);
    assert_eq!(r.true_peak_dbtp, f64::NEG_INFINITY);
    assert_eq!(r.loudness_range_lu, 0.0);
    assert_eq!(r.frames, 48_000 * 4);
}

#[test]
fn short_programme_has_no_short_term_window() {
    let r = measure(2, &stereo(&[(2.0, -20.0)]));
    assert_near("M max", r.momentary_max_lufs, -20.0, 0.1);
    assert_eq!(r.short_term_max_lufs, f64::NEG_INFINITY);
}

#[test]
fn true_peak_sees_intersample_overs() {
    // fs/4 sine at 45° phase: samples at ±0.7071·A, the waveform peaks at A.
    let amp = 0.5f64;
    let samples: Vec<f32> = (0..48_000)
        .flat_map(|n| {
            let v = (amp * (TAU * 12_000.0 * n as f64 / 48_000.0 + TAU / 8.0).sin()) as f32;
            [v, v]
        })
        .collect();
    let r = measure(2, &samples);
    assert_near(
        "sample peak",
        r.sample_peak_dbfs,
        amplitude_to_db(amp) - 3.01,
        0.02,
    );
    assert_near("true peak", r.true_peak_dbtp, amplitude_to_db(amp), 0.2);
}

#[test]
fn block_size_does_not_change_the_result() {
    let samples = stereo(&[(3.0, -30.0), (4.0, -18.0)]);
    let whole = {
        let mut m = LoudnessMeter::for_channels(2, RATE).unwrap();
        m.push(&samples).unwrap();
        m.report()
    };
    for frames in [1, 7, 4800, 10_000] {
        let mut m = LoudnessMeter::for_channels(2, RATE).unwrap();
        for block in samples.chunks(frames * 2) {
            m.push(block).unwrap();
        }
        assert_eq!(m.report(), whole, "blocks of {frames} frames");
    }
}

#[test]
fn partial_frames_are_refused() {
    let mut m = LoudnessMeter::for_channels(6, RATE).unwrap();
    let err = m.push(&[0.0; 7]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a block of 7 samples does not hold whole frames of 6 channels"
    );
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0604");
}

#[test]
fn unsupported_format_is_refused() {
    let err = LoudnessMeter::new(&[], RATE).err().unwrap();
    assert_eq!(err.to_string(), "cannot measure 0 channels at 48000 Hz");
    assert_eq!(miette::Diagnostic::code(&err).unwrap().to_string(), "E0603");
    let err = LoudnessMeter::for_channels(2, 0).err().unwrap();
    assert_eq!(err.to_string(), "cannot measure 2 channels at 0 Hz");
}

// ---- agreement with ffmpeg's ebur128 filter -------------------------------

/// Runs ffmpeg: `cargo test --features interop` (`.ci/run` installs it). The
/// default suite's independent check is the BS.1770-4 meter written in
/// `tests/integration/reference.rs`.
#[cfg(feature = "interop")]
mod interop {
    use super::*;
    use crate::audio::interop_tools::{ffmpeg_summary, write_float_wav};

    /// A deterministic xorshift generator for test programme material.
    struct Noise(u64);

    impl Noise {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        }
    }

    /// Six seconds of programme: per channel a different tone plus noise, with
    /// level steps every 1.5 s, so gating, LRA and peaks all have work to do.
    ///
    /// The noise is low-passed (two one-pole sections at 6 kHz), like real
    /// programme: with full-band white noise the true peak depends on the
    /// interpolation filter near Nyquist, where ffmpeg (swresample to 192 kHz)
    /// and libebur128 (a 4x polyphase FIR) legitimately differ by ~0.5 dB.
    fn programme(channels: usize, rate: u32) -> Vec<f32> {
        let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
        let frames = 6 * rate as usize;
        let steps = [-6.0, -20.0, -3.0, -35.0];
        let pole = (-TAU * 6000.0 / f64::from(rate)).exp();
        let mut state = vec![[0.0f64; 2]; channels];
        let mut out = Vec::with_capacity(frames * channels);
        for n in 0..frames {
            let t = n as f64 / f64::from(rate);
            let step = steps[(t / 1.5) as usize % steps.len()];
            for (c, lp) in state.iter_mut().enumerate() {
                lp[0] = (1.0 - pole) * noise.next() + pole * lp[0];
                lp[1] = (1.0 - pole) * lp[0] + pole * lp[1];
                let gain = 10f64.powf((step - 2.0 * c as f64) / 20.0);
                let tone = (TAU * (220.0 * (c + 1) as f64) * t).sin() * 0.5;
                let v = gain * (tone + 1.2 * lp[1]);
                out.push(v as f32);
            }
        }
        out
    }

    fn compare_with_ffmpeg(channels: usize, rate: u32) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("programme.wav");
        let samples = programme(channels, rate);
        write_float_wav(&path, channels, rate, &samples);
        let mut meter = LoudnessMeter::for_channels(channels, rate).unwrap();
        for block in samples.chunks(4096 * channels) {
            meter.push(block).unwrap();
        }
        let ours = meter.report();
        let (i, lra, peak) = ffmpeg_summary(&path);
        eprintln!(
            "{channels} ch {rate} Hz: I {:.2}/{i} LRA {:.2}/{lra} TP {:.2}/{peak} (ours/ffmpeg)",
            ours.integrated_lufs, ours.loudness_range_lu, ours.true_peak_dbtp
        );
        // ffmpeg prints one decimal; the agreement is within 0.1 of that.
        assert_near("I vs ffmpeg", ours.integrated_lufs, i, 0.1);
        assert_near("LRA vs ffmpeg", ours.loudness_range_lu, lra, 0.1);
        assert_near("true peak vs ffmpeg", ours.true_peak_dbtp, peak, 0.1);
    }

    #[test]
    fn agrees_with_ffmpeg_stereo() {
        compare_with_ffmpeg(2, 48_000);
    }

    #[test]
    fn agrees_with_ffmpeg_5_1() {
        compare_with_ffmpeg(6, 48_000);
    }

    #[test]
    fn agrees_with_ffmpeg_stereo_44100() {
        compare_with_ffmpeg(2, 44_100);
    }
}
