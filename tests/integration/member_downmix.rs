//! Each pair of layouts has one default downmix, which a bus member uses
//! unless it names another (`fx downmix ltrt`): the routes a build lowers,
//! and the sum a member's named downmix makes, sample by sample.

use std::path::Path;

use sndtrk::{
    audio::{ChannelLayout, SampleFormat, WavReader},
    lower::{lower, Route, StageSpec},
    resolve::resolve_text,
};

use crate::audio_support::{read_in_blocks, test_signal, write_wav, RATE};

const RECIPE: &str = r#"import "std/layouts"
project "P" { frame_rate 24 sample_rate 48kHz }
stem fx { role effects layout 5.1 tone 1kHz -20dBFS for 1s }
stem score { role effects layout 5.1 tone 440Hz -20dBFS for 1s }
stem room { role effects layout 7.1 tone 220Hz -20dBFS for 1s }
stem dome { role effects layout 7.1.4 tone 110Hz -20dBFS for 1s }
bus ST 2.0 {
    fx downmix ltrt
    score -3dB
    room
}
bus SUR 5.1 { dome }
bus WIDE 2.0 {
    SUR downmix ltrt
}
"#;

/// The routes of each bus's clips and sub-buses, by bus name, in member order.
fn routes() -> Vec<(String, Vec<Route>)> {
    let resolved = resolve_text("soundtrack.sndtrk", None, RECIPE);
    assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
    let plan = lower(&resolved.model, Path::new("."));
    plan.stages
        .iter()
        .filter_map(|stage| match stage {
            StageSpec::Bus(bus) => Some((
                bus.name.clone(),
                bus.clips
                    .iter()
                    .map(|(clip, _)| clip.route.clone())
                    .chain(bus.buses.iter().map(|(_, _, route)| route.clone()))
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

fn name(route: &Route) -> &str {
    match route {
        Route::Matrix { name, .. } => name,
        other => panic!("{other:?} is not a matrix"),
    }
}

#[test]
fn members_take_the_pairs_default_unless_they_name_a_downmix() {
    let routes = routes();
    let find = |bus: &str| &routes.iter().find(|(name, _)| name == bus).unwrap().1;
    let st: Vec<&str> = find("ST").iter().map(name).collect();
    assert_eq!(st, ["ltrt", "loro", "loro71"]);
    let sur: Vec<&str> = find("SUR").iter().map(name).collect();
    assert_eq!(sur, ["fold714to51"]);
    let wide: Vec<&str> = find("WIDE").iter().map(name).collect();
    assert_eq!(wide, ["ltrt"]);
}

#[test]
fn a_members_downmix_makes_the_sum_its_coefficients_say() {
    let routes = routes();
    let st = &routes.iter().find(|(name, _)| name == "ST").unwrap().1;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("fx.wav");
    let signal = test_signal(6, RATE as usize / 10, RATE);
    write_wav(
        &input,
        &signal,
        ChannelLayout::surround_5_1(),
        SampleFormat::Float32,
        RATE,
        None,
    );
    let stereo = ["L".to_owned(), "R".to_owned()];
    let sum = |route: &Route| {
        let reader = WavReader::open(&input).unwrap();
        let mut source = sndtrk::stages::mix::route(Box::new(reader), route, &stereo, "t").unwrap();
        read_in_blocks(source.as_mut(), 1000)
    };
    let (ltrt, loro) = (sum(&st[0]), sum(&st[1]));
    // Lt/Rt (S = 0.7071·(Ls + Rs), each surround at 0.5, Ls negative in
    // Lt) against Lo/Ro (each surround at 0.7071 in its own side), from
    // the stdlib's coefficients as written.
    // The stdlib writes -3 dB as 0.7071.
    let k: f32 = "0.7071".parse().unwrap();
    let mut differ = false;
    for (frame, x) in signal.chunks(6).enumerate() {
        let (l, r, c, ls, rs) = (x[0], x[1], x[2], x[4], x[5]);
        let lt = l + c * k - 0.5 * ls - 0.5 * rs;
        let rt = r + c * k + 0.5 * ls + 0.5 * rs;
        let lo = l + c * k + ls * k;
        assert!((ltrt[2 * frame] - lt).abs() < 1e-6, "Lt at {frame}");
        assert!((ltrt[2 * frame + 1] - rt).abs() < 1e-6, "Rt at {frame}");
        assert!((loro[2 * frame] - lo).abs() < 1e-6, "Lo at {frame}");
        differ |= (lt - lo).abs() > 1e-3;
    }
    assert!(differ, "the override changes the sum");
}
