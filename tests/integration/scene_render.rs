//! A scene re-rendered to loudspeakers (`target NAME { from SCENE layout
//! 7.1.4 … }`), in 32-bit floats, against a computation here: the scene of
//! `adm.rs` (a 7.1.2 bed of dialogue and ambience, a static object, an
//! object that moves and then jumps) rendered to 7.1.4 and 5.1.
//!
//! The bed and the static object are checked against gains worked out by
//! hand from ITU-R BS.2127's rules (a bed channel plays from the
//! loudspeaker at its position, else it is panned there; the allocentric
//! panner's sine/cosine balance; no height layer, no Z); after its jump,
//! the moving object stands on one loudspeaker. Over its movement it is
//! checked against the library's BS.2127 interpolation fed the blocks of
//! the documented grid (the interop group checks that interpolation, and
//! these renders, against the EBU ADM Renderer).

use sndtrk::audio::{
    adm::{compile, Point},
    bs2127::{render_object, ObjectBlock, Position, TargetLayout},
};

use crate::adm::{build, signal, BUOY_FRAMES};

const H: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// The frames of a 32-bit float WAV, per frame.
fn frames(bytes: &[u8]) -> (usize, Vec<Vec<f64>>) {
    let mut reader = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
    let spec = reader.spec();
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    assert_eq!(spec.sample_rate, 48_000);
    let channels = usize::from(spec.channels);
    let samples: Vec<f64> = reader
        .samples::<f32>()
        .map(|s| f64::from(s.unwrap()))
        .collect();
    let frames = samples
        .chunks_exact(channels)
        .map(<[f64]>::to_vec)
        .collect();
    (channels, frames)
}

fn x(value: i16) -> f64 {
    f64::from(value) / 32_768.0
}

/// The bed (7.1.2 in WAV order L R C LFE Lrs Rrs Lss Rss Lts Rts) at
/// frame `n`: the ambience, and the dialogue panned to C.
fn bed(n: usize) -> [f64; 10] {
    let mut bed = [0.0; 10];
    for (channel, value) in bed.iter_mut().enumerate() {
        *value = x(signal(1, n, channel));
    }
    bed[2] += x(signal(0, n, 0));
    bed
}

/// Each 7.1.2 bed channel's gains into `layout`, by hand: (channel of the
/// bed, channel of the layout, gain).
fn bed_gains(layout: &str) -> Vec<(usize, usize, f64)> {
    match layout {
        // L R C LFE Lrs Rrs Lss Rss Ltf Rtf Ltr Rtr: every floor channel
        // has its loudspeaker; the top surrounds (±1, 0, 1) fall between
        // the top front and top rear pairs.
        "7.1.4" => vec![
            (0, 0, 1.0),
            (1, 1, 1.0),
            (2, 2, 1.0),
            (3, 3, 1.0),
            (4, 4, 1.0),
            (5, 5, 1.0),
            (6, 6, 1.0),
            (7, 7, 1.0),
            (8, 8, H),
            (8, 10, H),
            (9, 9, H),
            (9, 11, H),
        ],
        // L R C LFE Ls Rs: the rear surrounds on Ls Rs; the side and top
        // surrounds (on the side walls' midpoints) halfway between the
        // front and the surround loudspeakers of their side.
        "5.1" => vec![
            (0, 0, 1.0),
            (1, 1, 1.0),
            (2, 2, 1.0),
            (3, 3, 1.0),
            (4, 4, 1.0),
            (5, 5, 1.0),
            (6, 0, H),
            (6, 4, H),
            (7, 1, H),
            (7, 5, H),
            (8, 0, H),
            (8, 4, H),
            (9, 1, H),
            (9, 5, H),
        ],
        other => panic!("no gains for {other}"),
    }
}

/// The buoy (at 0.5 1 0, half a second in, -6 dB) into `layout`: halfway
/// between C and R.
fn buoy_gains(layout: &str) -> Vec<(usize, f64)> {
    match layout {
        "7.1.4" | "5.1" => vec![(2, H), (1, H)],
        other => panic!("no gains for {other}"),
    }
}

/// The loudspeaker the gull stands on after its jump to (-1, -1, 1).
fn gull_after_jump(layout: &str) -> usize {
    match layout {
        "7.1.4" => 10,
        "5.1" => 4,
        other => panic!("no loudspeaker for {other}"),
    }
}

/// The gull's render to `layout` by the library's interpolation, from the
/// blocks its path compiles to (the master's): the first without
/// interpolation, the rest jumps over 0.005208 s.
fn gull_reference(layout: TargetLayout, frames: usize) -> Vec<Vec<f32>> {
    let point = |at: i64, x: f64, y: f64, z: f64, jump: bool| Point { at, x, y, z, jump };
    let path = [
        point(0, -1.0, 1.0, 0.0, false),
        point(48_000, 1.0, 1.0, 0.5, false),
        point(72_000, -1.0, -1.0, 1.0, true),
    ];
    let blocks: Vec<ObjectBlock> = compile(&path, frames as u64, 48_000)
        .iter()
        .map(|block| {
            let interpolation = if block.interpolation == 0 {
                0.0
            } else {
                0.005208 * 48_000.0
            };
            ObjectBlock::new(
                block.start,
                block.frames,
                Position::new(block.x, block.y, block.z),
            )
            .with_jump(interpolation)
        })
        .collect();
    let signal: Vec<f32> = (0..frames).map(|n| x(signal(3, n, 0)) as f32).collect();
    let mut out = vec![vec![0.0f32; frames]; layout.channels()];
    render_object(layout, &signal, &blocks, &mut out).unwrap();
    out
}

#[test]
fn the_scene_s_re_renders_are_its_bed_and_objects_by_bs2127() {
    let master = build();
    let buoy_gain = 10f64.powf(-6.0 / 20.0);
    for (name, layout) in crate::adm::RERENDERS {
        let target = TargetLayout::named(layout).unwrap();
        let (channels, got) = frames(&master.renders[name]);
        assert_eq!(channels, target.channels(), "{name}");
        assert_eq!(got.len(), 96_000, "{name}");
        let gull = gull_reference(target, got.len());
        let bed_gains = bed_gains(layout);
        let buoy_gains = buoy_gains(layout);
        let after_jump = gull_after_jump(layout);
        for (n, frame) in got.iter().enumerate() {
            let mut expected = vec![0.0f64; channels];
            let bed = bed(n);
            for &(input, output, gain) in &bed_gains {
                expected[output] += bed[input] * gain;
            }
            if let Some(k) = n.checked_sub(24_000).filter(|k| *k < BUOY_FRAMES) {
                let buoy = x(signal(2, k, 0)) * buoy_gain;
                for &(output, gain) in &buoy_gains {
                    expected[output] += buoy * gain;
                }
            }
            for (output, value) in expected.iter_mut().enumerate() {
                *value += f64::from(gull[output][n]);
            }
            if n >= 72_000 + 250 {
                // After the jump: the gull on one loudspeaker alone.
                let alone: Vec<usize> =
                    (0..channels).filter(|&c| gull[c][n].abs() > 1e-7).collect();
                let value = x(signal(3, n, 0));
                if value.abs() > 1e-3 {
                    assert_eq!(alone, [after_jump], "{name}: the gull at {n}");
                    assert!((f64::from(gull[after_jump][n]) - value).abs() < 1e-6);
                }
            }
            for (channel, (&a, &b)) in frame.iter().zip(&expected).enumerate() {
                assert!(
                    (a - b).abs() < 2e-6,
                    "{name}: {} at {n} is {a}, expected {b}",
                    target.labels()[channel]
                );
            }
        }
    }
}
