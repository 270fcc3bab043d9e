//! sndtrk's loudness meter, true peak and resampler against the independent
//! computations in `reference.rs` (BS.1770-4 and Tech 3342 from their
//! formulas, windowed-sinc interpolation, a plain DFT). These are the
//! default suite's cross-checks; the `interop` group repeats some of them
//! against ffmpeg and sox.
//!
//! Tolerances: the reference meter is the same mathematics in f64, so the
//! only differences are f32 input and summation order; sndtrk agrees with it
//! to better than 0.0005 LU on every case here. [`LU`] = 0.002 LU leaves
//! room for that and is still a hundred times finer than a wrong surround
//! weight (1.41 vs 1.5 is 0.26 dB on the surrounds) or a gate off by one
//! block. The CLI prints two decimals, so it adds 0.005.

use std::f64::consts::TAU;

use sndtrk::audio::{
    loudness::{LoudnessMeter, LoudnessReport},
    resample::Resampler,
};

use crate::{
    measure::{maskless_wav, programme_wav},
    reference,
    test::Test,
};

/// How far sndtrk's integrated, momentary, short-term loudness may be from
/// the reference meter's (see the module doc).
const LU: f64 = 0.002;

/// Asserts sndtrk's loudness range is within [`LU`] of the range of values
/// the reference gives for the percentile rank conventions Tech 3342
/// leaves open (see [`reference::loudness_range_lu`]).
fn lra_agrees(what: &str, ours: f64, (lo, hi): (f64, f64), printed: f64) {
    assert!(
        ours >= lo - LU - printed && ours <= hi + LU + printed,
        "{what}: LRA sndtrk {ours:.4}, reference {lo:.4}..{hi:.4}"
    );
}

const LFE: f64 = 0.0;
const SURROUND: f64 = 1.41;
const STEREO: [f64; 2] = [1.0, 1.0];
const FIVE_ONE: [f64; 6] = [1.0, 1.0, 1.0, LFE, SURROUND, SURROUND];
const FIVE_ONE_LABELS: [&str; 6] = ["L", "R", "C", "LFE", "Ls", "Rs"];

/// A stretch of [`tones`]: its length in seconds and per channel a
/// `(frequency, dBFS peak)` or silence.
type Segment = (f64, Vec<Option<(f64, f64)>>);

/// A sine: `(frequency, amplitude, phase)`.
type Part = (f64, f64, f64);

/// Interleaved sines, one `(frequency, dBFS peak)` per channel (`None` is
/// silence), segment by segment `(seconds, tones)`, phase continuous.
fn tones(rate: u32, segments: &[Segment]) -> Vec<f32> {
    let mut out = Vec::new();
    let mut n = 0u64;
    for (seconds, tones) in segments {
        for _ in 0..(seconds * f64::from(rate)).round() as u64 {
            let t = n as f64 / f64::from(rate);
            for tone in tones {
                out.push(tone.map_or(0.0, |(freq, db)| {
                    (10f64.powf(db / 20.0) * (TAU * freq * t).sin()) as f32
                }));
            }
            n += 1;
        }
    }
    out
}

/// A deterministic xorshift generator.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// `seconds` of programme-like material: per channel a tone and noise
/// low-passed at `cutoff_hz` (two one-pole sections), with level steps
/// every 1.5 s (−6, −20, −3, −35 dB, each channel 2 dB below the last) that
/// give both gates and the loudness range work.
fn programme(channels: usize, rate: u32, seconds: f64, cutoff_hz: f64) -> Vec<f32> {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let steps = [-6.0, -20.0, -3.0, -35.0];
    let pole = (-TAU * cutoff_hz / f64::from(rate)).exp();
    let mut state = vec![[0.0f64; 2]; channels];
    let mut out = Vec::new();
    for n in 0..(seconds * f64::from(rate)) as usize {
        let t = n as f64 / f64::from(rate);
        let step = steps[(t / 1.5) as usize % steps.len()];
        for (c, lp) in state.iter_mut().enumerate() {
            lp[0] = (1.0 - pole) * noise.next() + pole * lp[0];
            lp[1] = (1.0 - pole) * lp[0] + pole * lp[1];
            let gain = 10f64.powf((step - 2.0 * c as f64) / 20.0);
            let tone = 0.5 * (TAU * (220.0 * (c + 1) as f64) * t).sin();
            out.push((gain * (tone + 1.2 * lp[1])) as f32);
        }
    }
    out
}

/// sndtrk's library meter, fed in awkward blocks.
fn measure(samples: &[f32], labels: &[&str], rate: u32) -> LoudnessReport {
    let mut meter = LoudnessMeter::for_labels(labels, rate).unwrap();
    for block in samples.chunks(1111 * labels.len()) {
        meter.push(block).unwrap();
    }
    meter.report()
}

fn near(what: &str, ours: f64, reference: f64, tolerance: f64) {
    assert!(
        (ours - reference).abs() <= tolerance,
        "{what}: sndtrk {ours:.4}, reference {reference:.4} (tolerance {tolerance})"
    );
}

/// Integrated, momentary max and short-term max against the reference.
fn loudness_agrees(what: &str, samples: &[f32], labels: &[&str], weights: &[f64], rate: u32) {
    let ours = measure(samples, labels, rate);
    let what = format!("{what} at {rate} Hz");
    near(
        &format!("{what}: integrated"),
        ours.integrated_lufs,
        reference::integrated_lufs(samples, weights, rate),
        LU,
    );
    near(
        &format!("{what}: momentary max"),
        ours.momentary_max_lufs,
        reference::momentary_max_lufs(samples, weights, rate),
        LU,
    );
    if samples.len() / labels.len() >= 3 * rate as usize {
        near(
            &format!("{what}: short-term max"),
            ours.short_term_max_lufs,
            reference::short_term_max_lufs(samples, weights, rate),
            LU,
        );
    }
}

#[test]
fn the_reference_k_filter_is_the_published_one_at_48k() {
    // The derivation reproduces BS.1770-4's published 48 kHz coefficients…
    for (derived, published) in reference::k_weighting(48_000)
        .iter()
        .zip(reference::PUBLISHED_48K)
    {
        for (d, p) in derived
            .b
            .iter()
            .chain(&derived.a)
            .zip(published.b.iter().chain(&published.a))
        {
            assert!((d - p).abs() < 1e-9, "derived {d}, published {p}");
        }
    }
    // …and a 1 kHz stereo tone at −23 dBFS reads −23 LUFS (Tech 3341 #1's
    // level) at both rates, as the Recommendation's K-weighting is designed
    // to (about +0.7 dB at 1 kHz, cancelled by the −0.691 offset).
    for rate in [44_100, 48_000] {
        let samples = tones(rate, &[(5.0, vec![Some((1000.0, -23.0)); 2])]);
        near(
            "reference at 1 kHz",
            reference::integrated_lufs(&samples, &STEREO, rate),
            -23.0,
            0.05,
        );
    }
}

#[test]
fn sines_at_several_frequencies_and_levels_read_as_the_reference() {
    for rate in [44_100, 48_000] {
        for (left, right) in [
            ((100.0, -20.0), (100.0, -20.0)),
            ((997.0, -23.0), (1500.0, -30.0)),
            ((5000.0, -30.0), (60.0, -12.0)),
            ((12_000.0, -18.0), (19_000.0, -24.0)),
        ] {
            let samples = tones(rate, &[(3.5, vec![Some(left), Some(right)])]);
            loudness_agrees(
                &format!("{left:?} {right:?}"),
                &samples,
                &["L", "R"],
                &STEREO,
                rate,
            );
        }
    }
}

#[test]
fn five_one_weights_the_surrounds_and_drops_the_lfe_as_the_reference() {
    for rate in [44_100, 48_000] {
        let levels = vec![
            Some((1000.0, -28.0)),
            Some((440.0, -28.0)),
            Some((2500.0, -24.0)),
            Some((60.0, -6.0)),
            Some((800.0, -30.0)),
            Some((6000.0, -26.0)),
        ];
        let samples = tones(rate, &[(4.0, levels)]);
        loudness_agrees("5.1", &samples, &FIVE_ONE_LABELS, &FIVE_ONE, rate);
        // The surround weight shows: the same with the surrounds at 1.0
        // reads measurably quieter, so the comparison above can fail.
        let unweighted =
            reference::integrated_lufs(&samples, &[1.0, 1.0, 1.0, 0.0, 1.0, 1.0], rate);
        let ours = measure(&samples, &FIVE_ONE_LABELS, rate).integrated_lufs;
        assert!(ours - unweighted > 0.3, "{ours} vs {unweighted}");
    }
}

#[test]
fn gated_passages_with_silence_read_as_the_reference() {
    for rate in [44_100, 48_000] {
        // Loud, silent (absolute gate), quiet (below the relative gate),
        // moderate (above it), silent again.
        let tone = |db: f64| vec![Some((1000.0, db)), Some((1000.0, db))];
        let samples = tones(
            rate,
            &[
                (2.0, tone(-18.0)),
                (1.3, vec![None, None]),
                (2.0, tone(-40.0)),
                (1.7, tone(-24.0)),
                (0.65, vec![None, None]),
            ],
        );
        loudness_agrees("gated stereo", &samples, &["L", "R"], &STEREO, rate);
        // The gates matter here: ungated, the level is several LU lower.
        let ours = measure(&samples, &["L", "R"], rate).integrated_lufs;
        assert!(ours > -21.0, "{ours}");
    }
}

#[test]
fn programme_material_reads_as_the_reference_including_the_loudness_range() {
    for (channels, rate) in [(2, 44_100), (2, 48_000), (6, 48_000), (6, 44_100)] {
        let labels: &[&str] = if channels == 2 {
            &["L", "R"]
        } else {
            &FIVE_ONE_LABELS
        };
        let weights: &[f64] = if channels == 2 { &STEREO } else { &FIVE_ONE };
        let samples = programme(channels, rate, 9.0, 6000.0);
        loudness_agrees("programme", &samples, labels, weights, rate);
        let ours = measure(&samples, labels, rate).loudness_range_lu;
        let lra = reference::loudness_range_lu(&samples, weights, rate);
        assert!(lra.0 > 2.0, "the programme has a loudness range: {lra:?}");
        lra_agrees(&format!("{channels} ch at {rate} Hz"), ours, lra, 0.0);
    }
}

// ---- `sndtrk measure` ------------------------------------------------------

/// `sndtrk measure --format json` on each file: one JSON object per file.
fn measure_cli(files: &[(&str, Vec<u8>)]) -> Vec<serde_json::Value> {
    let mut test = Test::new();
    let mut args = vec!["measure".to_string(), "--format".into(), "json".into()];
    for (name, bytes) in files {
        test = test.write(name, bytes);
        args.push(name.to_string());
    }
    let ran = test
        .args(args.iter().map(String::as_str))
        .stdout_any()
        .run();
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    json.as_array().unwrap().clone()
}

#[test]
fn sndtrk_measure_reads_programme_as_the_reference() {
    // The files `interop::measure` gives ffmpeg.
    let cases = [
        (6u16, 48_000u32, 24u16, 5000.0),
        (6, 48_000, 24, 18_000.0),
        (2, 44_100, 16, 5000.0),
    ];
    let files: Vec<(String, Vec<u8>)> = cases
        .iter()
        .enumerate()
        .map(|(i, &(channels, rate, bits, cutoff))| {
            (
                format!("{i}.wav"),
                programme_wav(channels, rate, bits, cutoff),
            )
        })
        .collect();
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let json = measure_cli(&named);
    for ((&(channels, rate, _, cutoff), (_, bytes)), row) in cases.iter().zip(&files).zip(&json) {
        let samples = reference::Wav::parse(bytes.clone()).samples();
        let weights: &[f64] = if channels == 2 { &STEREO } else { &FIVE_ONE };
        let what = format!("{channels} ch {rate} Hz, noise to {cutoff} Hz");
        let value = |key: &str| row[key].as_f64().unwrap();
        let printed = 0.005;
        near(
            &format!("{what}: integrated"),
            value("integrated_lufs"),
            reference::integrated_lufs(&samples, weights, rate),
            LU + printed,
        );
        lra_agrees(
            &what,
            value("lra_lu"),
            reference::loudness_range_lu(&samples, weights, rate),
            printed,
        );
        near(
            &format!("{what}: momentary max"),
            value("momentary_max_lufs"),
            reference::momentary_max_lufs(&samples, weights, rate),
            LU + printed,
        );
        near(
            &format!("{what}: short-term max"),
            value("short_term_max_lufs"),
            reference::short_term_max_lufs(&samples, weights, rate),
            LU + printed,
        );
        let sample_peak = samples
            .iter()
            .fold(0.0f64, |m, s| m.max(f64::from(s.abs())));
        near(
            &format!("{what}: sample peak"),
            value("sample_peak_dbfs"),
            db(sample_peak),
            printed,
        );
        true_peak_agrees(
            &what,
            value("true_peak_dbtp"),
            &samples,
            usize::from(channels),
            cutoff < 0.1 * flat_band(rate),
            printed,
        );
    }
}

#[test]
fn maskless_files_get_ffmpegs_default_layout_weights() {
    // The weights ffmpeg's ebur128 filter gives a plain PCM file, from its
    // default layout for the count (av_channel_layout_default) and its rule
    // (LFE 0; back, side and top-back channels 1.41; others 1.0), written
    // here from ffmpeg, not from sndtrk: 3 = L R LFE, 4 = L R C Cs,
    // 5 = L R C Ls Rs, 6 = 5.1, 7 = 6.1 (L R C LFE Cs Lss Rss), 8 = 7.1.
    let weights: [&[f64]; 6] = [
        &[1.0, 1.0, LFE],
        &[1.0, 1.0, 1.0, SURROUND],
        &[1.0, 1.0, 1.0, SURROUND, SURROUND],
        &[1.0, 1.0, 1.0, LFE, SURROUND, SURROUND],
        &[1.0, 1.0, 1.0, LFE, SURROUND, SURROUND, SURROUND],
        &[1.0, 1.0, 1.0, LFE, SURROUND, SURROUND, SURROUND, SURROUND],
    ];
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for weights in weights {
        let channels = weights.len() as u16;
        for active in 0..channels {
            let bytes = maskless_wav(channels, active);
            let samples = reference::Wav::parse(bytes.clone()).samples();
            files.push((format!("{channels}-{active}.wav"), bytes));
            expected.push((
                format!("{channels} channels, tone in channel {active}"),
                reference::integrated_lufs(&samples, weights, 48_000),
            ));
        }
    }
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    for (row, (what, reference)) in measure_cli(&named).iter().zip(&expected) {
        match row["integrated_lufs"].as_f64() {
            // The LFE alone is not programme loudness at all.
            None => assert_eq!(*reference, f64::NEG_INFINITY, "{what}"),
            Some(ours) => near(what, ours, *reference, LU + 0.005),
        }
    }
    // A −20 dBFS 1 kHz sine alone reads −23.0 LUFS at weight 1.0 and
    // 1.5 LU more at 1.41: the cases cover every weight.
    for level in [-23.0, -23.0 + 10.0 * 1.41f64.log10()] {
        assert!(
            expected.iter().any(|(_, r)| (r - level).abs() < 0.05),
            "{level}"
        );
    }
    assert!(expected.iter().any(|(_, r)| *r == f64::NEG_INFINITY));
}

// ---- true peak -------------------------------------------------------------

/// How far sndtrk's 4x true peak may be from an ideal 4x interpolation on
/// material within its interpolation filter's passband: its 32-tap-per-phase
/// Kaiser filter is flat to 0.003 dB up to 0.8 of Nyquist (19.2 kHz at
/// 48 kHz), so 0.01 dB (tones agree to 0.001 dB, low-passed noise to 0.005).
const TRUE_PEAK_DB: f64 = 0.01;

/// The highest frequency the true-peak filter passes flat (0.8 of Nyquist).
fn flat_band(rate: u32) -> f64 {
    0.8 * f64::from(rate) / 2.0
}

fn db(amplitude: f64) -> f64 {
    20.0 * amplitude.log10()
}

/// sndtrk's true peak against the reference's ideal 4x interpolation:
/// within [`TRUE_PEAK_DB`] when the material is band-limited to
/// [`flat_band`] (`in_band`: noise low-passed well below it); otherwise (content up to Nyquist) never above it by more
/// than that and never below the sample peak, since sndtrk's filter, like
/// ffmpeg's, rolls off above 0.8 of Nyquist (−0.06 dB at 20 kHz, −1.2 dB at
/// 21.6 kHz at 48 kHz) and reads such material lower than an ideal one.
fn true_peak_agrees(
    what: &str,
    ours: f64,
    samples: &[f32],
    channels: usize,
    in_band: bool,
    printed: f64,
) {
    let reference = db(reference::true_peak_4x(samples, channels));
    let sample_peak = db(samples
        .iter()
        .fold(0.0f64, |m, s| m.max(f64::from(s.abs()))));
    if in_band {
        near(
            &format!("{what}: true peak"),
            ours,
            reference,
            TRUE_PEAK_DB + printed,
        );
    } else {
        assert!(
            ours >= sample_peak - printed && ours <= reference + TRUE_PEAK_DB + printed,
            "{what}: true peak {ours:.4}, sample peak {sample_peak:.4}, ideal 4x {reference:.4}"
        );
    }
}

/// A raised-cosine fade over `fade` frames at each end, so a test signal
/// starts and stops without the ringing of a sudden edge.
fn faded(frames: usize, fade: usize, n: usize) -> f64 {
    let edge = n.min(frames - 1 - n);
    if edge >= fade {
        1.0
    } else {
        0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / fade as f64).cos()
    }
}

#[test]
fn an_fs_over_4_sine_at_45_degrees_peaks_at_its_amplitude() {
    // Every sample is ±A/√2; the waveform between them reaches A exactly,
    // half-way between samples (a 4x instant). Faded in and out over 20 ms.
    for rate in [44_100u32, 48_000] {
        let amp = 0.5f64;
        let frames = rate as usize / 2;
        let fade = rate as usize / 50;
        let samples: Vec<f32> = (0..frames)
            .flat_map(|n| {
                let v = (faded(frames, fade, n) * amp * (TAU * n as f64 / 4.0 + TAU / 8.0).sin())
                    as f32;
                [v, v]
            })
            .collect();
        let ours = measure(&samples, &["L", "R"], rate);
        near(
            "sample peak",
            ours.sample_peak_dbfs,
            db(amp) - 3.0103,
            0.001,
        );
        near(
            "true peak (analytic)",
            ours.true_peak_dbtp,
            db(amp),
            TRUE_PEAK_DB,
        );
        near(
            "reference true peak (analytic)",
            db(reference::true_peak_4x(&samples, 2)),
            db(amp),
            0.001,
        );
    }
}

/// A sum of `(frequency, amplitude, phase)` sines over a quarter of a
/// second at `rate`, faded over 20 ms at each end and delayed so that the
/// waveform's highest peak falls half-way between two samples (where the
/// sample peak misses it and a 4x meter must interpolate); and that peak,
/// evaluated from the formula on a 64x grid.
fn multitone(rate: u32, parts: &[Part]) -> (Vec<f32>, f64) {
    let fs = f64::from(rate);
    let frames = rate as usize / 4;
    let fade = rate as usize / 50;
    let value = |n: usize, sub: f64, offset: f64| -> f64 {
        let t = (n as f64 + sub + offset) / fs;
        faded(frames, fade, n)
            * parts
                .iter()
                .map(|(f, a, p)| a * (TAU * f * t + p).sin())
                .sum::<f64>()
    };
    // Where the undelayed waveform peaks, away from the fades (where the
    // envelope is 1 between samples too), to 1/64 of a sample.
    let grid = 64;
    let (peak, at) = (fade..frames - fade)
        .flat_map(|n| (0..grid).map(move |k| (n, k as f64 / grid as f64)))
        .map(|(n, sub)| (value(n, sub, 0.0).abs(), sub))
        .fold(
            (0.0, 0.0),
            |best, this| if this.0 > best.0 { this } else { best },
        );
    let offset = at - 0.5;
    let samples: Vec<f32> = (0..frames).map(|n| value(n, 0.0, offset) as f32).collect();
    (samples, peak)
}

/// Tones up to 15 kHz, and a dense noise-like set of 60 tones from 30 Hz
/// to 0.8 of Nyquist with pseudo-random amplitudes and phases.
fn tone_sets(rate: u32) -> Vec<(&'static str, Vec<Part>)> {
    let mut noise = Noise(0x2545_F491_4F6C_DD1D);
    let top = flat_band(rate);
    let dense = (0..60)
        .map(|i| {
            let f = 30.0 * (top / 30.0).powf(i as f64 / 59.0);
            (f, 0.02 + 0.02 * noise.next().abs(), TAU * noise.next())
        })
        .collect();
    vec![
        (
            "five tones",
            vec![
                (997.0, 0.3, 0.1),
                (3_001.0, 0.25, 1.3),
                (7_919.0, 0.2, 2.2),
                (12_007.0, 0.15, 0.4),
                (15_013.0, 0.1, 2.9),
            ],
        ),
        ("60 tones", dense),
    ]
}

#[test]
fn true_peak_of_tones_matches_the_waveform_between_samples() {
    for rate in [44_100, 48_000] {
        for (name, parts) in tone_sets(rate) {
            let (samples, peak) = multitone(rate, &parts);
            let what = format!("{name} at {rate} Hz");
            let sample_peak = samples
                .iter()
                .fold(0.0f64, |m, s| m.max(f64::from(s.abs())));
            // The case tests interpolation: the samples miss the peak.
            assert!(
                db(peak) - db(sample_peak) > 0.1,
                "{what}: {peak} {sample_peak}"
            );
            // The reference interpolator reproduces the formula.
            near(
                &format!("{what}: reference vs formula"),
                db(reference::true_peak_4x(&samples, 1)),
                db(peak),
                0.001,
            );
            let ours = measure(&samples, &["C"], rate).true_peak_dbtp;
            near(&format!("{what}: true peak"), ours, db(peak), TRUE_PEAK_DB);
        }
    }
}

#[test]
fn true_peak_of_noise_agrees_with_a_long_sinc_interpolation() {
    // Low-passed noise (in band, within TRUE_PEAK_DB), and noise reaching
    // Nyquist (bounded: see `true_peak_agrees`).
    for (rate, cutoff) in [(48_000, 18_000.0), (44_100, 1500.0), (48_000, 1000.0)] {
        let samples = programme(2, rate, 0.75, cutoff);
        let ours = measure(&samples, &["L", "R"], rate).true_peak_dbtp;
        let in_band = cutoff < 0.1 * flat_band(rate);
        true_peak_agrees(
            &format!("noise to {cutoff} Hz at {rate} Hz"),
            ours,
            &samples,
            2,
            in_band,
            0.0,
        );
    }
}

// ---- resampler, by spectrum ------------------------------------------------

/// Resamples interleaved `input` with the resampler deliverables use, in
/// blocks of an odd size.
fn resample(input: &[f32], from: u32, to: u32, channels: usize) -> Vec<f32> {
    let mut r = Resampler::new(from, to, channels).unwrap();
    let mut out = Vec::new();
    for block in input.chunks(3001 * channels) {
        r.process(block, &mut out).unwrap();
    }
    r.finish(&mut out).unwrap();
    out
}

/// Passband amplitude error allowed: 0.001 dB (0.0115 %); the resampler
/// is within 0.0001 dB at every tone tested.
const AMPLITUDE_DB: f64 = 0.001;
/// Time error allowed, in output samples (a delay left uncompensated would
/// be tens of samples; the resampler is within 0.0001).
const DELAY_SAMPLES: f64 = 0.001;
/// Everything but the tone, relative to it, per DFT bin (aliases, images,
/// noise): the resampler keeps all of it below −120 dB here.
const FLOOR_DB: f64 = -110.0;

/// One sine (or two, the second above the new Nyquist so it must vanish)
/// resampled; the output's spectrum over `window` frames from its middle
/// has the tone at its frequency, amplitude and phase, and nothing else
/// above [`FLOOR_DB`].
fn resampled_tone(from: u32, to: u32, freq: f64, alias: Option<f64>, window: usize) {
    let amp = 0.5;
    let frames = from as usize + 1; // odd, so the length rounds
    let input: Vec<f32> = (0..frames)
        .map(|n| {
            let t = n as f64 / f64::from(from);
            let a = alias.map_or(0.0, |f| 0.4 * (TAU * f * t).sin());
            (amp * (TAU * freq * t).sin() + a) as f32
        })
        .collect();
    let out = resample(&input, from, to, 1);
    let expected_len = (frames as f64 * f64::from(to) / f64::from(from)).round() as usize;
    assert_eq!(out.len(), expected_len, "{from} -> {to}: length");

    let start = (out.len() - window) / 2;
    let x: Vec<f64> = out[start..start + window]
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let bin_hz = f64::from(to) / window as f64;
    let k = (freq / bin_hz).round() as usize;
    assert!(
        (k as f64 * bin_hz - freq).abs() < 1e-9,
        "the tone sits on a bin"
    );
    let spectrum = reference::dft(&x);
    let (re, im) = spectrum[k];
    let magnitude = (re * re + im * im).sqrt() * 2.0 / window as f64;
    let what = format!("{from} -> {to}, {freq} Hz");
    near(
        &format!("{what}: amplitude (dB)"),
        db(magnitude),
        db(amp),
        AMPLITUDE_DB,
    );
    // sin(ωt) starting at output frame `start` has DFT phase ω·start/fs − π/2.
    let want = TAU * freq * start as f64 / f64::from(to) - std::f64::consts::FRAC_PI_2;
    let error = (im.atan2(re) - want + std::f64::consts::PI).rem_euclid(TAU) - std::f64::consts::PI;
    let delay = error / (TAU * freq) * f64::from(to);
    assert!(
        delay.abs() < DELAY_SAMPLES,
        "{what}: off by {delay} samples"
    );
    // Nothing else: aliases, images, noise.
    let (level, at) = spectrum
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != k)
        .map(|(j, (re, im))| {
            let level = db((re * re + im * im).sqrt() * 2.0 / window as f64) - db(amp);
            (level, j as f64 * bin_hz)
        })
        .fold((f64::NEG_INFINITY, 0.0), |worst, this| {
            if this.0 > worst.0 {
                this
            } else {
                worst
            }
        });
    assert!(level < FLOOR_DB, "{what}: {level:.1} dB at {at} Hz");
}

#[test]
fn resampling_48k_to_44k1_keeps_the_tone_alone_at_its_frequency_amplitude_and_phase() {
    // 4410 frames: 10 Hz bins.
    for freq in [1000.0, 9000.0, 15_000.0, 19_000.0] {
        resampled_tone(48_000, 44_100, freq, None, 4410);
    }
    // 23 kHz cannot exist at 44.1 kHz: it must not fold back to 21.1 kHz.
    resampled_tone(48_000, 44_100, 5000.0, Some(23_000.0), 4410);
}

#[test]
fn resampling_96k_to_48k_keeps_the_tone_alone_at_its_frequency_amplitude_and_phase() {
    // 4800 frames: 10 Hz bins. (At 20 kHz the resampler is 0.036 dB down:
    // its 2:1 filter rolls off earlier than its 48k -> 44.1k one.)
    for freq in [1000.0, 10_000.0, 18_000.0] {
        resampled_tone(96_000, 48_000, freq, None, 4800);
    }
    // 30 kHz would fold to 18 kHz.
    resampled_tone(96_000, 48_000, 3000.0, Some(30_000.0), 4800);
}
