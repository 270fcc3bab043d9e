//! Unit tests of the BS.2127 renderer: the panner against gains computed
//! here from the sine/cosine balance law, its normalisation and symmetry,
//! the bed mapping of every profile bed into every target, and the gain
//! interpolation sample by sample.

use std::f64::consts::{FRAC_1_SQRT_2, FRAC_PI_2};

use super::bed_labels::PROFILE_BEDS;
use super::*;

const H: f64 = FRAC_1_SQRT_2;

/// The balance pan at fraction `a`: (towards the lower, towards the upper).
fn bal(a: f64) -> (f64, f64) {
    ((a * FRAC_PI_2).cos(), (a * FRAC_PI_2).sin())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// `expected` as a full gain vector of `layout` (unlisted channels 0).
fn vector(layout: TargetLayout, expected: &[(&str, f64)]) -> Vec<f64> {
    let mut v = vec![0.0; layout.channels()];
    for (label, g) in expected {
        let i = layout
            .index_of(label)
            .unwrap_or_else(|| panic!("{label} not in {}", layout.name()));
        v[i] += g;
    }
    v
}

fn assert_gains(layout: TargetLayout, got: &[f64], expected: &[(&str, f64)], what: &str) {
    let want = vector(layout, expected);
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            close(*g, *w),
            "{what} into {}: channel {} is {g}, expected {w} (all: {got:?})",
            layout.name(),
            layout.labels()[i]
        );
    }
}

fn mirror_label(label: &str) -> String {
    match label {
        "C" | "LFE" => label.to_string(),
        _ => match label.split_at(1) {
            ("L", rest) => format!("R{rest}"),
            ("R", rest) => format!("L{rest}"),
            _ => label.to_string(),
        },
    }
}

fn grid() -> Vec<Position> {
    let steps = [-1.0, -0.75, -0.5, -0.3, 0.0, 0.2, 0.5, 0.9, 1.0];
    let zs = [0.0, 0.25, 0.5, 0.8, 1.0];
    let mut v = Vec::new();
    for &x in &steps {
        for &y in &steps {
            for &z in &zs {
                v.push(Position::new(x, y, z));
            }
        }
    }
    v
}

#[test]
fn layouts_are_in_wav_order_and_match_sndtrk_layouts() {
    for t in TargetLayout::ALL {
        assert_eq!(TargetLayout::named(t.name()), Some(t));
        assert_eq!(TargetLayout::named(t.bs2051_name()), Some(t));
    }
    let std = [
        (TargetLayout::Stereo, crate::audio::ChannelLayout::stereo()),
        (
            TargetLayout::Surround51,
            crate::audio::ChannelLayout::surround_5_1(),
        ),
        (
            TargetLayout::Surround71,
            crate::audio::ChannelLayout::surround_7_1(),
        ),
        (
            TargetLayout::Surround714,
            crate::audio::ChannelLayout::surround_7_1_4(),
        ),
    ];
    for (t, layout) in std {
        assert_eq!(t.labels(), layout.labels(), "{}", t.name());
    }
    // sndtrk's 7.1 is the WAV order; BS.2051's M+090 (side) is Lss.
    let s71 = TargetLayout::Surround71.speakers();
    assert_eq!((s71[4].label, s71[4].bs2051), ("Lrs", "M+135"));
    assert_eq!((s71[6].label, s71[6].bs2051), ("Lss", "M+090"));
    assert_eq!(TargetLayout::named("7.1.2"), None);
}

#[test]
fn a_speaker_position_gives_that_speaker_alone() {
    for t in TargetLayout::ALL {
        for (i, s) in t.speakers().iter().enumerate().filter(|(_, s)| !s.lfe) {
            let g = object_gains(t, s.position, 1.0).unwrap();
            let mut want = vec![0.0; t.channels()];
            want[i] = 1.0;
            assert_eq!(g, want, "{} at {}", s.label, t.name());
        }
    }
}

#[test]
fn gains_are_power_normalised_and_lfe_is_silent() {
    for t in TargetLayout::ALL {
        let lfe = t.index_of("LFE");
        for p in grid() {
            let g = object_gains(t, p, 1.0).unwrap();
            let power: f64 = g.iter().map(|g| g * g).sum();
            assert!(
                (power - 1.0).abs() < 1e-12,
                "{p:?} in {}: {power}",
                t.name()
            );
            assert!(g.iter().all(|g| *g >= 0.0));
            if let Some(i) = lfe {
                assert_eq!(g[i], 0.0, "LFE from an object at {p:?}");
            }
        }
    }
}

#[test]
fn gains_are_left_right_symmetric() {
    for t in TargetLayout::ALL {
        let labels = t.labels();
        for p in grid() {
            let g = object_gains(t, p, 1.0).unwrap();
            let m = object_gains(t, Position::new(-p.x, p.y, p.z), 1.0).unwrap();
            for (i, label) in labels.iter().enumerate() {
                let j = t.index_of(&mirror_label(label)).unwrap();
                assert!(close(g[i], m[j]), "{p:?} {label} in {}", t.name());
            }
        }
    }
}

#[test]
fn gains_follow_the_balance_law_between_planes_rows_and_columns() {
    // 7.1.4 at (-0.5, 0.5, 0.25): a quarter of the way up from the ear
    // plane to the ceiling; in the ear plane halfway from the side row
    // (Lss Rss) to the front row (L C R), in the front row halfway from L
    // to C, in the side row a quarter from Lss to Rss; overhead three
    // quarters from the rear heights to the front heights, a quarter from
    // left to right.
    let (z0, z1) = bal(0.25);
    let (y_side, y_front) = bal(0.5);
    let (xl, xc) = bal(0.5);
    let (x_lss, x_rss) = bal(0.25);
    let (y_rear, y_fronth) = bal(0.75);
    let (xhl, xhr) = bal(0.25);
    let g = object_gains(
        TargetLayout::Surround714,
        Position::new(-0.5, 0.5, 0.25),
        1.0,
    )
    .unwrap();
    assert_gains(
        TargetLayout::Surround714,
        &g,
        &[
            ("L", z0 * y_front * xl),
            ("C", z0 * y_front * xc),
            ("Lss", z0 * y_side * x_lss),
            ("Rss", z0 * y_side * x_rss),
            ("Ltr", z1 * y_rear * xhl),
            ("Rtr", z1 * y_rear * xhr),
            ("Ltf", z1 * y_fronth * xhl),
            ("Rtf", z1 * y_fronth * xhr),
        ],
        "(-0.5, 0.5, 0.25)",
    );
    // 5.1 at (0.6, -0.2, 0.7): one plane; rows at the back (Ls Rs) and the
    // front (L C R), 0.4 of the way to the front; in front 0.6 from C to
    // R, at the back 0.8 from Ls to Rs. Z above the only plane is ignored.
    let (yb, yf) = bal(0.4);
    let (xc, xr) = bal(0.6);
    let (xls, xrs) = bal(0.8);
    let g = object_gains(TargetLayout::Surround51, Position::new(0.6, -0.2, 0.7), 1.0).unwrap();
    assert_gains(
        TargetLayout::Surround51,
        &g,
        &[
            ("C", yf * xc),
            ("R", yf * xr),
            ("Ls", yb * xls),
            ("Rs", yb * xrs),
        ],
        "(0.6, -0.2, 0.7)",
    );
    // 2.0: one row; X alone decides, Y and Z are ignored.
    let (l, r) = bal(0.25);
    for (y, z) in [(1.0, 0.0), (-1.0, 0.0), (0.3, 1.0)] {
        let g = object_gains(TargetLayout::Stereo, Position::new(-0.5, y, z), 1.0).unwrap();
        assert_gains(TargetLayout::Stereo, &g, &[("L", l), ("R", r)], "stereo");
    }
    let g = object_gains(TargetLayout::Stereo, Position::new(0.0, 0.0, 0.0), 1.0).unwrap();
    assert_gains(TargetLayout::Stereo, &g, &[("L", H), ("R", H)], "centre");
}

#[test]
fn positions_outside_the_cube_are_clipped_and_gain_scales() {
    let t = TargetLayout::Surround714;
    let inside = object_gains(t, Position::new(1.0, -1.0, 1.0), 1.0).unwrap();
    let outside = object_gains(t, Position::new(3.0, -2.0, 1.5), 1.0).unwrap();
    assert_eq!(inside, outside);
    let half = object_gains(t, Position::new(0.2, 0.1, 0.3), 0.5).unwrap();
    let unity = object_gains(t, Position::new(0.2, 0.1, 0.3), 1.0).unwrap();
    for (h, u) in half.iter().zip(&unity) {
        assert!(close(*h, u * 0.5));
    }
    assert!(matches!(
        object_gains(t, Position::new(f64::NAN, 0.0, 0.0), 1.0),
        Err(RenderError::NotFinite { .. })
    ));
    assert!(matches!(
        object_gains(t, Position::new(0.0, 0.0, 0.0), f64::INFINITY),
        Err(RenderError::BadGain { .. })
    ));
}

/// What each profile bed channel plays from in each target, by hand from
/// the positions: a channel on a target loudspeaker's position plays from
/// it, the LFE from the LFE (or nowhere in 2.0), any other channel is
/// panned. Left channels only; the right ones are their mirror images.
fn expected_bed(t: TargetLayout, label: &str) -> Vec<(&'static str, f64)> {
    // RC_Ls is at Y = -0.36397 on the left wall.
    let ls_y = -0.36397;
    match (t, label) {
        (_, "C") if t == TargetLayout::Stereo => vec![("L", H), ("R", H)],
        (_, "C") => vec![("C", 1.0)],
        (_, "L") => vec![("L", 1.0)],
        (TargetLayout::Stereo, "LFE") => vec![],
        (_, "LFE") => vec![("LFE", 1.0)],
        // 2.0: everything on the left wall goes to L.
        (TargetLayout::Stereo, _) => vec![("L", 1.0)],
        // 5.1 and 5.1.2: rows at the back (Ls) and the front (L).
        (TargetLayout::Surround51 | TargetLayout::Surround512, "Ls") => {
            let (b, f) = bal((ls_y + 1.0) / 2.0);
            vec![("Ls", b), ("L", f)]
        }
        (TargetLayout::Surround51 | TargetLayout::Surround512, "Lss") => {
            vec![("Ls", H), ("L", H)]
        }
        (TargetLayout::Surround51 | TargetLayout::Surround512, "Lrs") => vec![("Ls", 1.0)],
        // Overhead side: 5.1 has no upper plane (the ear plane's pan);
        // 5.1.2's upper plane is one front row.
        (TargetLayout::Surround51, "Lts") => vec![("Ls", H), ("L", H)],
        (TargetLayout::Surround512, "Lts") => vec![("Ltf", 1.0)],
        // 7.1 and 7.1.4: rows at the back (Lrs), the side (Lss), the front.
        (_, "Ls") => {
            let (b, s) = bal(ls_y + 1.0);
            vec![("Lrs", b), ("Lss", s)]
        }
        (_, "Lss") => vec![("Lss", 1.0)],
        (_, "Lrs") => vec![("Lrs", 1.0)],
        (TargetLayout::Surround71, "Lts") => vec![("Lss", 1.0)],
        (TargetLayout::Surround714, "Lts") => vec![("Ltr", H), ("Ltf", H)],
        _ => panic!("no expectation for {label} in {}", t.name()),
    }
}

#[test]
fn every_profile_bed_maps_into_every_target() {
    for (bed, labels) in PROFILE_BEDS {
        for t in TargetLayout::ALL {
            for label in labels.iter() {
                let channel = BedChannel::profile(label).unwrap();
                let got = bed_channel_gains(t, &channel).unwrap();
                let left = !label.starts_with('R');
                let base = if left {
                    label.to_string()
                } else {
                    mirror_label(label)
                };
                let mut expected: Vec<(String, f64)> = expected_bed(t, &base)
                    .into_iter()
                    .map(|(l, g)| (l.to_string(), g))
                    .collect();
                if !left {
                    expected = expected
                        .into_iter()
                        .map(|(l, g)| (mirror_label(&l), g))
                        .collect();
                }
                let expected: Vec<(&str, f64)> =
                    expected.iter().map(|(l, g)| (l.as_str(), *g)).collect();
                assert_gains(t, &got, &expected, &format!("{bed} bed channel {label}"));
            }
        }
    }
}

#[test]
fn bed_labels_that_name_a_bs2051_speaker_play_from_it() {
    // A BS.2051 label wins over the position (here a wrong one).
    let far = Position::new(1.0, -1.0, 1.0);
    let t = TargetLayout::Surround714;
    for (label, speaker) in [
        ("M+030", "L"),
        ("urn:itu:bs:2051:0:speaker:U+045", "Ltf"),
        ("LFE", "LFE"),
        ("LFE1", "LFE"),
    ] {
        let g = bed_channel_gains(t, &BedChannel::new(label, far)).unwrap();
        assert_gains(t, &g, &[(speaker, 1.0)], label);
    }
    // A label of the wrong kind does not: M+030 is not an LFE; an LFE
    // label with no LFE in the target goes nowhere.
    let g = bed_channel_gains(TargetLayout::Stereo, &BedChannel::new("LFE1", far)).unwrap();
    assert_eq!(g, vec![0.0, 0.0]);
    // An unknown label at no loudspeaker is panned like an object there.
    let p = Position::new(0.3, 0.2, 0.6);
    let g = bed_channel_gains(t, &BedChannel::new("RC_Custom", p)).unwrap();
    assert_eq!(g, object_gains(t, p, 1.0).unwrap());
}

fn signal(n: usize) -> Vec<f32> {
    (0..n).map(|i| 0.5 + 0.01 * i as f32).collect()
}

fn buffers(t: TargetLayout, n: usize) -> Vec<Vec<f32>> {
    vec![vec![0.0; n]; t.channels()]
}

#[test]
fn object_gains_interpolate_sample_by_sample() {
    let t = TargetLayout::Surround51;
    let n = 20;
    let x = signal(n);
    let left = Position::new(-1.0, 1.0, 0.0);
    let right = Position::new(1.0, 1.0, 0.0);
    let centre = Position::new(0.0, 1.0, 0.0);
    let back_left = Position::new(-1.0, -1.0, 0.0);
    let blocks = [
        // The first block: its own gains from its first frame.
        ObjectBlock::new(0, 4, left),
        // No jump: L to R linearly over the whole block.
        ObjectBlock::new(4, 4, right),
        // A jump over 2.5 frames: R to C over frames 8, 9, 10.
        ObjectBlock::new(8, 4, centre).with_jump(2.5),
        // After a gap: no interpolation, at half gain.
        ObjectBlock::new(14, 4, back_left).with_gain(0.5),
    ];
    let mut out = buffers(t, n);
    render_object(t, &x, &blocks, &mut out).unwrap();
    let ch = |l: &str| t.index_of(l).unwrap();
    for i in 0..n {
        let xi = f64::from(x[i]);
        let mut want = vec![0.0f64; t.channels()];
        match i {
            0..=3 => want[ch("L")] = xi,
            4..=7 => {
                let p = (i - 4) as f64 / 4.0;
                want[ch("L")] = xi * (1.0 - p);
                want[ch("R")] = xi * p;
            }
            8..=10 => {
                let p = (i - 8) as f64 / 2.5;
                want[ch("R")] = xi * (1.0 - p);
                want[ch("C")] = xi * p;
            }
            11 => want[ch("C")] = xi,
            14..=17 => want[ch("Ls")] = xi * 0.5,
            _ => {}
        }
        for c in 0..t.channels() {
            assert!(
                (f64::from(out[c][i]) - want[c]).abs() < 1e-6,
                "frame {i} channel {}: {} vs {}",
                t.labels()[c],
                out[c][i],
                want[c]
            );
        }
    }
}

#[test]
fn a_jump_with_no_interpolation_switches_at_once_and_renders_add() {
    let t = TargetLayout::Stereo;
    let x = signal(8);
    let blocks = [
        ObjectBlock::new(0, 4, Position::new(-1.0, 0.0, 0.0)),
        ObjectBlock::new(4, 4, Position::new(1.0, 0.0, 0.0)).with_jump(0.0),
    ];
    let mut out = vec![vec![0.25f32; 8]; 2];
    render_object(t, &x, &blocks, &mut out).unwrap();
    for i in 0..8 {
        let (l, r) = if i < 4 { (x[i], 0.0) } else { (0.0, x[i]) };
        assert!((out[0][i] - (0.25 + l)).abs() < 1e-7, "L {i}");
        assert!((out[1][i] - (0.25 + r)).abs() < 1e-7, "R {i}");
    }
}

#[test]
fn bed_channels_render_with_their_gains() {
    let t = TargetLayout::Surround51;
    let x = signal(6);
    let mut out = buffers(t, 6);
    let lss = BedChannel::profile("Lss").unwrap();
    render_bed_channel(t, &lss, &x, &mut out).unwrap();
    for i in 0..6 {
        for (label, g) in [("L", H), ("Ls", H), ("R", 0.0), ("C", 0.0), ("LFE", 0.0)] {
            let got = out[t.index_of(label).unwrap()][i];
            assert!((f64::from(got) - f64::from(x[i]) * g).abs() < 1e-7);
        }
    }
}

#[test]
fn bad_blocks_and_buffers_are_errors() {
    let t = TargetLayout::Stereo;
    let x = signal(8);
    let p = Position::new(0.0, 1.0, 0.0);
    let mut out = buffers(t, 8);
    let too_long = [
        ObjectBlock::new(0, 4, p),
        ObjectBlock::new(4, 2, p).with_jump(3.0),
    ];
    assert!(matches!(
        render_object(t, &x, &too_long, &mut out),
        Err(RenderError::InterpolationTooLong { start: 4, .. })
    ));
    let overlapping = [ObjectBlock::new(0, 4, p), ObjectBlock::new(3, 2, p)];
    assert!(matches!(
        render_object(t, &x, &overlapping, &mut out),
        Err(RenderError::Overlap {
            start: 3,
            previous_end: 4
        })
    ));
    let negative = [ObjectBlock::new(0, 4, p).with_jump(-1.0)];
    assert!(matches!(
        render_object(t, &x, &negative, &mut out),
        Err(RenderError::BadInterpolation { .. })
    ));
    let mut wrong = buffers(TargetLayout::Surround51, 8);
    assert!(matches!(
        render_object(t, &x, &[ObjectBlock::new(0, 4, p)], &mut wrong),
        Err(RenderError::ChannelCount {
            expected: 2,
            got: 6,
            ..
        })
    ));
    // Blocks past the end of the signal or the buffers render nothing there.
    let mut short = buffers(t, 3);
    render_object(t, &x, &[ObjectBlock::new(0, 100, p)], &mut short).unwrap();
    assert!((f64::from(short[0][2]) - f64::from(x[2]) * H).abs() < 1e-7);
}
