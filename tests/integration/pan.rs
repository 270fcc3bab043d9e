//! `pan` into buses of other layouts, sample by sample: a mono stem's
//! route as a build lowers it, applied through
//! [`sndtrk::stages::mix::route`] to a float test signal, against the gains
//! computed here from the definitions (the pan laws' midpoint gains, the
//! sine/cosine pair and BS.2051's azimuths).

use std::{f64::consts::FRAC_PI_2, path::Path};

use sndtrk::{
    audio::{ChannelLayout, SampleFormat, WavReader},
    lower::{lower, Route, StageSpec},
    resolve::resolve_text,
};

use crate::{
    audio_support::{read_in_blocks, test_signal, write_wav, RATE},
    test::Test,
};

/// A recipe with one mono stem panned `pan` into bus `B` of `layout`, at
/// project pan law `law` (none: the default).
fn recipe(layout: &str, pan: &str, law: Option<&str>) -> String {
    let law = law.map(|law| format!(" pan_law {law}")).unwrap_or_default();
    format!(
        "import \"std/layouts\"\n\
         project \"P\" {{ frame_rate 24 sample_rate 48kHz{law} }}\n\
         stem dx {{ role dialogue layout 1.0 pan {pan} tone 1kHz -20dBFS for 1s }}\n\
         bus B {layout} {{ dx }}\n"
    )
}

/// The route the build gives stem `dx` in bus `B`, and the bus's channels.
fn lowered(recipe: &str) -> (Route, Vec<String>) {
    let resolved = resolve_text("soundtrack.sndtrk", None, recipe);
    assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
    let plan = lower(&resolved.model, Path::new("."));
    for stage in &plan.stages {
        if let StageSpec::Bus(bus) = stage {
            return (bus.clips[0].0.route.clone(), bus.channels.clone());
        }
    }
    panic!("no bus")
}

/// The mono test signal routed as the build routes `dx`.
fn routed(layout: &str, pan: &str, law: Option<&str>) -> (Vec<f32>, Vec<f32>, Vec<String>) {
    let (route, channels) = lowered(&recipe(layout, pan, law));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mono.wav");
    let signal = test_signal(1, RATE as usize / 10, RATE);
    let mono = ChannelLayout::new("mono", &["C".to_owned()]).unwrap();
    write_wav(&input, &signal, mono, SampleFormat::Float32, RATE, None);
    let reader = WavReader::open(&input).unwrap();
    let mut source =
        sndtrk::stages::mix::route(Box::new(reader), &route, &channels, "test").unwrap();
    assert_eq!(source.channels(), channels.len());
    let out = read_in_blocks(source.as_mut(), 997);
    (signal, out, channels)
}

/// Asserts each channel of `out` is exactly `signal` times its gain in
/// `gains` (by channel name; the others silent).
fn assert_gains(
    signal: &[f32],
    out: &[f32],
    channels: &[String],
    gains: &[(&str, f64)],
    what: &str,
) {
    assert_eq!(out.len(), signal.len() * channels.len(), "{what}");
    for (c, name) in channels.iter().enumerate() {
        let gain = gains
            .iter()
            .find(|(channel, _)| channel == name)
            .map_or(0.0, |(_, gain)| *gain) as f32;
        for (frame, x) in signal.iter().enumerate() {
            let got = out[frame * channels.len() + c];
            assert_eq!(got, x * gain, "{what}: {name} at frame {frame}");
        }
    }
}

/// The laws by name with their midpoint gains, from their definitions.
fn laws() -> [(Option<&'static str>, f64); 5] {
    [
        (None, 1.0 / 2f64.sqrt()),
        (Some("-3dB"), 1.0 / 2f64.sqrt()),
        (Some("0dB"), 1.0),
        (Some("-4.5dB"), 10f64.powf(-4.5 / 20.0)),
        (Some("-6dB"), 0.5),
    ]
}

#[test]
fn pan_c_into_stereo_is_a_phantom_centre_at_each_pan_law() {
    for (law, gain) in laws() {
        let (signal, out, channels) = routed("2.0", "C", law);
        assert_gains(
            &signal,
            &out,
            &channels,
            &[("L", gain), ("R", gain)],
            &format!("{law:?}"),
        );
    }
    // At -3 dB, L = R = x/√2: -3.01 dB.
    let (signal, out, _) = routed("2.0", "C", None);
    let x = signal[100];
    assert_eq!(out[200], x * std::f32::consts::FRAC_1_SQRT_2);
    assert!((20.0 * (f64::from(out[200]) / f64::from(x)).log10() + 3.0103).abs() < 1e-4);
    // 0deg is the same phantom centre.
    let (signal, out, channels) = routed("2.0", "0deg", None);
    let g = 1.0 / 2f64.sqrt();
    assert_gains(&signal, &out, &channels, &[("L", g), ("R", g)], "0deg");
}

#[test]
fn named_channels_the_bus_has_stay_direct() {
    assert_eq!(lowered(&recipe("5.1", "C", None)).0, Route::Pan(2));
    assert_eq!(lowered(&recipe("5.1", "Ls", None)).0, Route::Pan(4));
    assert_eq!(lowered(&recipe("1.0", "C", None)).0, Route::Pan(0));
    // An azimuth exactly at a loudspeaker is that loudspeaker, direct.
    assert_eq!(lowered(&recipe("5.1", "30deg", None)).0, Route::Pan(0));
    assert_eq!(lowered(&recipe("5.1", "110deg", None)).0, Route::Pan(4));
    assert_eq!(lowered(&recipe("7.1", "-90deg", None)).0, Route::Pan(7));
    assert_eq!(lowered(&recipe("7.1.4", "135deg", None)).0, Route::Pan(4));
}

#[test]
fn azimuths_pan_between_the_two_nearest_loudspeakers() {
    let (signal, out, channels) = routed("5.1", "30deg", None);
    assert_gains(&signal, &out, &channels, &[("L", 1.0)], "30deg in 5.1");
    let (signal, out, channels) = routed("5.1", "110deg", None);
    assert_gains(&signal, &out, &channels, &[("Ls", 1.0)], "110deg in 5.1");
    for (law, gain) in laws() {
        // 70° is midway between L (30°) and Ls (110°).
        let (signal, out, channels) = routed("5.1", "70deg", law);
        assert_gains(
            &signal,
            &out,
            &channels,
            &[("L", gain), ("Ls", gain)],
            "70deg",
        );
    }
    // 15° in 2.0 is three quarters of the way from R (-30°) to L (30°):
    // the sine/cosine pair at θ = 3/4.
    let theta = 0.75 * FRAC_PI_2;
    let (signal, out, channels) = routed("2.0", "15deg", None);
    let gains = [("L", theta.sin()), ("R", theta.cos())];
    assert_gains(&signal, &out, &channels, &gains, "15deg");
    // At -6 dB the pair is squared (cos² + sin² = 1).
    let (signal, out, channels) = routed("2.0", "15deg", Some("-6dB"));
    let gains = [("L", theta.sin().powi(2)), ("R", theta.cos().powi(2))];
    assert_gains(&signal, &out, &channels, &gains, "15deg at -6dB");
    // 7.1: 100° lies between Lss (90°) and Lrs (135°), at 10/45.
    let theta = 10.0 / 45.0 * FRAC_PI_2;
    let (signal, out, channels) = routed("7.1", "100deg", None);
    let gains = [("Lss", theta.cos()), ("Lrs", theta.sin())];
    assert_gains(&signal, &out, &channels, &gains, "100deg in 7.1");
}

#[test]
fn a_pan_with_no_place_in_the_bus_names_the_bus() {
    let ran = Test::new()
        .recipe(&recipe("2.0", "Ls", None))
        .arg("check")
        .status(1)
        .stderr_any()
        .run();
    assert!(ran.stderr.contains("E0331"), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("stem `dx` pans to `Ls`, but bus `B` is 2.0 and has no `Ls`"),
        "{}",
        ran.stderr
    );
    let ran = Test::new()
        .recipe(&recipe("1.0", "30deg", None))
        .arg("check")
        .status(1)
        .stderr_any()
        .run();
    assert!(ran.stderr.contains("E0332"), "{}", ran.stderr);
    assert!(ran.stderr.contains("bus `B`"), "{}", ran.stderr);
}

#[test]
fn a_panned_mono_cue_on_a_stereo_album_is_a_phantom_centre() {
    let recipe = r#"import "std/layouts"
project "P" { frame_rate 24 sample_rate 48kHz pan_law -6dB }
cue 1M1 "Theme" {
    type score
    usage BI
    layout 1.0
    pan C
    tone 220Hz -20dBFS for 1s
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbor Music" society ASCAP share 100%
}
album ost "P (Score)" { kind score track 1M1 format wav 48kHz 24bit }
"#;
    let resolved = resolve_text("soundtrack.sndtrk", None, recipe);
    assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
    let plan = lower(&resolved.model, Path::new("."));
    let track = plan
        .stages
        .iter()
        .find_map(|stage| match stage {
            StageSpec::AlbumTrack(track) => Some(track),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        track.clip.route,
        Route::Matrix {
            name: "pan C".to_owned(),
            rows: vec![vec![0.5], vec![0.5]],
        }
    );
}
