//! Audio operations, each compared sample by sample with a direct,
//! whole-buffer computation written independently in the test.

use sndtrk::{
    audio::{
        source::Buffer, AudioError, Bus, ChannelLayout, Convert, Fade, FadeShape, Gain, Matrix,
        Noise, NoiseKind, Pan, Place, Silence, Source, Tone, Trim,
    },
    model::time::{FrameRate, Timecode},
};

use crate::audio_support::*;

fn buffer(samples: &[f32], channels: usize) -> Buffer {
    Buffer::new(samples.to_vec(), channels).unwrap()
}

#[test]
fn trim_removes_head_and_tail() {
    let signal = test_signal(2, 10_000, RATE);
    let mut trimmed = Trim::new(buffer(&signal, 2), 1234, 567).unwrap();
    assert_eq!(trimmed.frames(), 10_000 - 1234 - 567);
    let out = read_in_blocks(&mut trimmed, 1000);
    assert_eq!(out, signal[1234 * 2..(10_000 - 567) * 2]);

    let err = Trim::new(buffer(&signal, 2), 6000, 5000).err().unwrap();
    assert_eq!(
        rendered(&err),
        "E0515: invalid trim: trimming 6000 + 5000 frames from a source of 10000 frames\nhelp: trim at most 10000 frames in all, head and tail together (the source's length)"
    );
}

#[test]
fn gain_scales_by_decibels() {
    let signal = test_signal(3, 5000, RATE);
    for db in [-6.0, -20.0, 3.5, 0.0] {
        let mut gained = Gain::new(buffer(&signal, 3), db).unwrap();
        let out = read_in_blocks(&mut gained, 999);
        let factor = 10f64.powf(db / 20.0);
        let expected: Vec<f32> = signal
            .iter()
            .map(|x| (f64::from(*x) * factor) as f32)
            .collect();
        assert_close(&out, &expected, 1e-7, &format!("{db} dB"));
    }
    let err = Gain::new(buffer(&signal, 3), f64::NAN).err().unwrap();
    assert_eq!(
        rendered(&err),
        "E0515: invalid gain: NaN dB (expected a finite value within ±200 dB)\nhelp: give a gain that is finite and within ±200 dB"
    );
}

#[test]
fn fades_follow_their_curves() {
    let frames = 9000usize;
    let signal = vec![0.5f32; frames * 2];
    for shape in [FadeShape::Linear, FadeShape::EqualPower] {
        let (fade_in, fade_out) = (2500usize, 4000usize);
        let mut faded =
            Fade::new(buffer(&signal, 2), fade_in as u64, fade_out as u64, shape).unwrap();
        let out = read_in_blocks(&mut faded, 777);
        let curve = |x: f64| match shape {
            FadeShape::Linear => x,
            FadeShape::EqualPower => (x * std::f64::consts::PI / 2.0).sin(),
        };
        let mut expected = Vec::new();
        for n in 0..frames {
            let mut g = 1.0;
            if n < fade_in {
                g *= curve(n as f64 / fade_in as f64);
            }
            let from_end = frames - 1 - n;
            if from_end < fade_out {
                g *= curve(from_end as f64 / fade_out as f64);
            }
            expected.push((0.5 * g) as f32);
            expected.push((0.5 * g) as f32);
        }
        assert_close(&out, &expected, 1e-7, &format!("{shape:?}"));
        assert_eq!(out[0], 0.0);
        assert_eq!(out[out.len() - 1], 0.0);
    }
    // Equal power: a fade-out and a fade-in of the same length sum to
    // constant power.
    let n = 4800u64;
    let ones = vec![1.0f32; n as usize];
    let down = read_in_blocks(
        &mut Fade::new(buffer(&ones, 1), 0, n, FadeShape::EqualPower).unwrap(),
        500,
    );
    let up = read_in_blocks(
        &mut Fade::new(buffer(&ones, 1), n, 0, FadeShape::EqualPower).unwrap(),
        500,
    );
    for i in 0..n as usize {
        // The fade-out at frame i pairs with the fade-in one frame later.
        let a = down[i];
        let b = if i + 1 < n as usize { up[i + 1] } else { 1.0 };
        assert!((a * a + b * b - 1.0).abs() < 1e-5, "frame {i}");
    }
    let err = Fade::new(buffer(&ones, 1), n + 1, 0, FadeShape::Linear)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "invalid fade: a fade of 4801 frames on a source of 4800 frames"
    );
}

#[test]
fn pan_routes_mono_to_a_named_channel() {
    let mono = test_signal(1, 3000, RATE);
    let layout = ChannelLayout::surround_5_1();
    for (label, index) in [("L", 0), ("C", 2), ("LFE", 3), ("Rs", 5)] {
        let mut panned = Pan::new(buffer(&mono, 1), &layout, label).unwrap();
        assert_eq!(panned.channels(), 6);
        let out = read_in_blocks(&mut panned, 1001);
        let mut expected = vec![0.0f32; 3000 * 6];
        for (n, x) in mono.iter().enumerate() {
            expected[n * 6 + index] = *x;
        }
        assert_eq!(out, expected, "{label}");
    }
    let err = Pan::new(buffer(&mono, 1), &layout, "Ltf").err().unwrap();
    assert_eq!(
        rendered(&err),
        "E0514: layout `5.1` has no channel `Ltf`\nhelp: pan to one of the channels: L R C LFE Ls Rs"
    );
    let stereo = test_signal(2, 10, RATE);
    let err = Pan::new(buffer(&stereo, 2), &layout, "C").err().unwrap();
    assert_eq!(
        rendered(&err),
        "E0512: panning to `C`: expected 1 channels, got 2\nhelp: convert the source to the bus layout first (pan a mono source, or apply a downmix matrix)"
    );
}

#[test]
fn place_puts_a_source_at_an_offset() {
    let signal = test_signal(2, 2000, RATE);
    // 00:00:00:05 at 25 fps is 0.2 s: 9600 samples at 48 kHz.
    let offset = Timecode::parse("00:00:00:05")
        .unwrap()
        .to_samples(FrameRate::F25, RATE)
        .unwrap();
    assert_eq!(offset, 9600);
    let mut placed = Place::new(buffer(&signal, 2), offset);
    assert_eq!(placed.frames(), 11_600);
    let out = read_in_blocks(&mut placed, 4097);
    let mut expected = vec![0.0f32; 9600 * 2];
    expected.extend_from_slice(&signal);
    assert_eq!(out, expected);
}

/// The bus computed directly: a zeroed timeline, each member added at its
/// offset with its gain.
fn direct_mix(members: &[(Vec<f32>, usize, f64)], channels: usize, length: usize) -> Vec<f32> {
    let mut out = vec![0.0f64; length * channels];
    for (samples, offset, db) in members {
        let g = 10f64.powf(db / 20.0);
        for (i, x) in samples.iter().enumerate() {
            let at = offset * channels + i;
            if at < out.len() {
                out[at] += g * f64::from(*x);
            }
        }
    }
    out.into_iter().map(|x| x as f32).collect()
}

fn members() -> Vec<(Vec<f32>, usize, f64)> {
    (0..5)
        .map(|i| {
            let frames = 3000 + 1700 * i;
            let mut signal = test_signal(6, frames, RATE);
            signal.rotate_left(i * 7);
            (signal, 2345 * i, -3.0 * i as f64)
        })
        .collect()
}

fn build_bus(members: &[(Vec<f32>, usize, f64)], parallel: bool) -> Bus {
    let mut bus = Bus::new(6).unwrap();
    bus.set_parallel(parallel);
    for (samples, offset, db) in members {
        bus.add(Box::new(buffer(samples, 6)), *offset as u64, *db)
            .unwrap();
    }
    bus
}

#[test]
fn a_bus_sums_placed_members_with_gain() {
    let members = members();
    let length = members
        .iter()
        .map(|(s, o, _)| o + s.len() / 6)
        .max()
        .unwrap();
    let expected = direct_mix(&members, 6, length);
    let mut bus = build_bus(&members, false);
    assert_eq!(bus.frames(), length as u64);
    let out = read_in_blocks(&mut bus, 1024);
    assert_close(&out, &expected, 2e-7, "bus");

    // A fixed length pads with silence.
    let mut bus = build_bus(&members, false);
    bus.set_length(length as u64 + 100);
    let out = read_in_blocks(&mut bus, 3000);
    assert_eq!(out.len(), (length + 100) * 6);
    assert!(out[length * 6..].iter().all(|x| *x == 0.0));

    let mut bus = Bus::new(6).unwrap();
    let err = bus
        .add(Box::new(buffer(&test_signal(2, 10, RATE), 2)), 0, 0.0)
        .unwrap_err();
    assert!(matches!(err, AudioError::ChannelCount { .. }));
    assert_eq!(err.to_string(), "bus member 1: expected 6 channels, got 2");
}

#[test]
fn a_bus_is_bit_identical_whatever_the_thread_count() {
    let members = members();
    let serial = read_in_blocks(&mut build_bus(&members, false), 2048);
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parallel = pool.install(|| read_in_blocks(&mut build_bus(&members, true), 2048));
        assert!(
            serial
                .iter()
                .zip(&parallel)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{threads} threads"
        );
        assert_eq!(serial.len(), parallel.len());
    }
}

#[test]
fn matrices_compute_their_formulas() {
    let c = std::f64::consts::FRAC_1_SQRT_2;
    let five = test_signal(6, 2000, RATE);
    let lo_ro = read_in_blocks(
        &mut Convert::new(buffer(&five, 6), Matrix::lo_ro()).unwrap(),
        700,
    );
    let lt_rt = read_in_blocks(
        &mut Convert::new(buffer(&five, 6), Matrix::lt_rt()).unwrap(),
        700,
    );
    let mut expected_lo_ro = Vec::new();
    let mut expected_lt_rt = Vec::new();
    for f in five.chunks_exact(6) {
        let [l, r, ce, _lfe, ls, rs] = [f[0], f[1], f[2], f[3], f[4], f[5]].map(f64::from);
        expected_lo_ro.push((l + c * ce + c * ls) as f32);
        expected_lo_ro.push((r + c * ce + c * rs) as f32);
        let s = c * (ls + rs);
        expected_lt_rt.push((l + c * ce - c * s) as f32);
        expected_lt_rt.push((r + c * ce + c * s) as f32);
    }
    assert_close(&lo_ro, &expected_lo_ro, 1e-7, "Lo/Ro");
    assert_close(&lt_rt, &expected_lt_rt, 1e-7, "Lt/Rt");

    let seven = test_signal(8, 1000, RATE);
    let out = read_in_blocks(
        &mut Convert::new(buffer(&seven, 8), Matrix::seven_one_to_five_one()).unwrap(),
        333,
    );
    let mut expected = Vec::new();
    for f in seven.chunks_exact(8) {
        let x: Vec<f64> = f.iter().map(|v| f64::from(*v)).collect();
        for v in [x[0], x[1], x[2], x[3], c * (x[4] + x[6]), c * (x[5] + x[7])] {
            expected.push(v as f32);
        }
    }
    assert_close(&out, &expected, 1e-7, "7.1 to 5.1");

    let mono = test_signal(1, 1000, RATE);
    let out = read_in_blocks(
        &mut Convert::new(buffer(&mono, 1), Matrix::mono_to_five_one()).unwrap(),
        100,
    );
    let expected: Vec<f32> = mono
        .iter()
        .flat_map(|m| [0.0, 0.0, *m, 0.0, 0.0, 0.0])
        .collect();
    assert_eq!(out, expected);
    let stereo = test_signal(2, 1000, RATE);
    let out = read_in_blocks(
        &mut Convert::new(buffer(&stereo, 2), Matrix::stereo_to_five_one()).unwrap(),
        100,
    );
    let expected: Vec<f32> = stereo
        .chunks_exact(2)
        .flat_map(|f| [f[0], f[1], 0.0, 0.0, 0.0, 0.0])
        .collect();
    assert_eq!(out, expected);
    let out = read_in_blocks(
        &mut Convert::new(buffer(&mono, 1), Matrix::mono_to_stereo()).unwrap(),
        100,
    );
    let expected: Vec<f32> = mono
        .iter()
        .flat_map(|m| [(f64::from(*m) * c) as f32; 2])
        .collect();
    assert_close(&out, &expected, 1e-7, "1.0 to 2.0");

    // A user matrix; shapes are checked.
    let m = Matrix::new("swap", 2, vec![vec![0.0, 1.0], vec![1.0, 0.0]]).unwrap();
    let out = read_in_blocks(&mut Convert::new(buffer(&stereo, 2), m).unwrap(), 100);
    let expected: Vec<f32> = stereo.chunks_exact(2).flat_map(|f| [f[1], f[0]]).collect();
    assert_eq!(out, expected);
    let err = Matrix::new("bad", 6, vec![vec![1.0; 6], vec![1.0; 5]]).unwrap_err();
    assert_eq!(
        rendered(&err),
        "E0513: invalid matrix `bad`: row 2 has 5 coefficients for 6 input channels\nhelp: a matrix has one row per output channel and one coefficient per input channel in each row"
    );
    let err = Convert::new(buffer(&stereo, 2), Matrix::lo_ro())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "matrix `Lo/Ro`: expected 6 channels, got 2"
    );
}

#[test]
fn tone_is_a_sine_at_its_peak_level() {
    let mut tone = Tone::new(RATE, 2, 997.0, -20.0, 48_000).unwrap();
    let out = read_in_blocks(&mut tone, 1000);
    let a = 10f64.powf(-20.0 / 20.0);
    let expected: Vec<f32> = (0..48_000)
        .flat_map(|n| {
            let x = (a * (2.0 * std::f64::consts::PI * 997.0 * n as f64 / 48_000.0).sin()) as f32;
            [x, x]
        })
        .collect();
    assert_close(&out, &expected, 1e-7, "tone");
    let peak = out.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!((20.0 * f64::from(peak).log10() + 20.0).abs() < 0.01);

    let err = Tone::new(RATE, 1, 30_000.0, -20.0, 10).err().unwrap();
    assert_eq!(
        rendered(&err),
        "E0515: invalid tone frequency: 30000 Hz (expected above 0 and below 24000 Hz)\nhelp: give a tone frequency above 0 Hz and below 24000 Hz, half the sample rate"
    );
    assert!(Tone::new(RATE, 1, 1000.0, 3.0, 10).is_err());
}

#[test]
fn two_pop_is_one_frame_of_1k() {
    for (rate, frames) in [
        (FrameRate::F24, 2000),
        (FrameRate::F25, 1920),
        (FrameRate::F23_976, 2002),
    ] {
        let mut pop = Tone::two_pop(RATE, 6, rate, -20.0).unwrap();
        assert_eq!(pop.frames(), frames);
        let out = read_in_blocks(&mut pop, 512);
        assert_eq!(out.len(), frames as usize * 6);
        let a = 0.1f64;
        for (n, frame) in out.chunks_exact(6).enumerate() {
            let x = (a * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 48_000.0).sin()) as f32;
            assert!(frame.iter().all(|v| (v - x).abs() < 1e-7));
        }
    }
}

#[test]
fn silence_is_zero() {
    let mut silence = Silence::new(6, 5000).unwrap();
    let out = read_in_blocks(&mut silence, 999);
    assert_eq!(out, vec![0.0; 30_000]);
}

fn noise(kind: NoiseKind, seed: u64, seconds: u64) -> Vec<f32> {
    let mut noise = Noise::new(kind, RATE, 2, -20.0, seconds * 48_000, seed).unwrap();
    read_in_blocks(&mut noise, 4096)
}

fn rms_db(samples: &[f32]) -> f64 {
    let mean = samples.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / samples.len() as f64;
    10.0 * mean.log10()
}

/// The power of the first difference relative to the power of the signal:
/// 2 for white noise, smaller the more the spectrum falls with frequency.
fn difference_ratio(samples: &[f32]) -> f64 {
    let x: Vec<f64> = samples.iter().step_by(2).map(|v| f64::from(*v)).collect();
    let power: f64 = x.iter().map(|v| v * v).sum();
    let diff: f64 = x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    diff / power
}

#[test]
fn noise_is_deterministic_at_its_rms_level_and_coloured() {
    for kind in [NoiseKind::White, NoiseKind::Pink, NoiseKind::Brown] {
        let a = noise(kind, 42, 20);
        let b = noise(kind, 42, 20);
        let c = noise(kind, 43, 20);
        assert!(
            a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
            "{kind:?} repeatable"
        );
        assert!(a != c, "{kind:?} seeded");
        // Channels are independent streams.
        let left: Vec<f32> = a.iter().step_by(2).copied().collect();
        let right: Vec<f32> = a.iter().skip(1).step_by(2).copied().collect();
        assert!(left != right);
        let level = rms_db(&a);
        let tolerance = if kind == NoiseKind::Brown { 0.5 } else { 0.1 };
        assert!(
            (level + 20.0).abs() < tolerance,
            "{kind:?} RMS {level} dBFS"
        );
    }
    let white = difference_ratio(&noise(NoiseKind::White, 1, 5));
    let pink = difference_ratio(&noise(NoiseKind::Pink, 1, 5));
    let brown = difference_ratio(&noise(NoiseKind::Brown, 1, 5));
    assert!((white - 2.0).abs() < 0.02, "white {white}");
    assert!(pink < 0.7 * white && pink > 0.05, "pink {pink}");
    assert!(brown < 0.01, "brown {brown}");
}

#[test]
fn layout_and_timecode_errors_render_with_code_and_help() {
    let err = ChannelLayout::new("5.1", &["L", "R", "C", "LFE", "Ls", "Ls"]).unwrap_err();
    assert_eq!(
        rendered(&err),
        "E0510: invalid channel layout `5.1`: channel `Ls` appears twice\nhelp: channel labels are L R C LFE Ls Rs Lrs Rrs Lss Rss Ltf Rtf Ltr Rtr ..., each at most once"
    );
    let err = AudioError::from(
        Timecode::parse("00:02:00;01")
            .unwrap()
            .to_samples(FrameRate::F29_97, RATE)
            .unwrap_err(),
    );
    assert_eq!(
        rendered(&err),
        "E0511: invalid timecode `00:02:00;01`: frame 01 is dropped at the start of minute 02 at 29.97 fps drop-frame\nhelp: write timecodes as HH:MM:SS:FF (HH:MM:SS;FF for drop-frame), frames below the frame rate"
    );
    let err = Timecode::parse("1:00").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid timecode `1:00`: expected HH:MM:SS:FF"
    );
}

#[test]
fn placement_by_timecode_is_sample_accurate_at_every_frame_rate() {
    // Frame count × samples per frame, computed by hand: 1440 frames at
    // 24000/1001 fps is 1440 × 2002 samples at 48 kHz.
    let cases = [
        (FrameRate::F23_976, "00:01:00:00", 1440 * 2002),
        (FrameRate::F24, "00:00:01:12", 48_000 + 12 * 2000),
        (FrameRate::F25, "00:00:10:24", 480_000 + 24 * 1920),
        (FrameRate::F30, "00:01:00:15", 60 * 48_000 + 15 * 1600),
        (FrameRate::F48, "00:00:01:12", 48_000 + 12 * 1000),
        (FrameRate::F50, "00:00:01:25", 48_000 + 25 * 960),
        (FrameRate::F60, "00:00:01:30", 48_000 + 30 * 800),
        // 3600 frames × 800.8 samples.
        (FrameRate::F59_94, "00:01:00;04", 2_882_880),
        // 1800 frames × 1601.6 samples.
        (FrameRate::F29_97, "00:01:00;02", 2_882_880),
        // 1802 frames × 1601.6 = 2886083.2 → 2886083.
        (FrameRate::F29_97, "00:01:00:02", 2_886_083),
    ];
    for (rate, text, samples) in cases {
        let offset = Timecode::parse(text)
            .unwrap()
            .to_samples(rate, RATE)
            .unwrap();
        assert_eq!(offset, samples, "{text} at {rate:?}");
        // A click placed there lands on that sample.
        let mut placed = Place::new(buffer(&[1.0], 1), offset);
        let out = read_in_blocks(&mut placed, 65_536);
        assert_eq!(out.len() as u64, offset + 1);
        assert_eq!(out.iter().position(|x| *x != 0.0), Some(offset as usize));
    }
}
