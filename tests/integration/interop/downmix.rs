//! Null tests against sox: what a build does with each downmix of
//! `std/layouts` (resolved, lowered and routed as `sndtrk build` does, see
//! `audio_support::matrices`) against sox `remix` doing the published formula
//! (BS.775 etc., with 1/√2 to 17 digits). The bound per sample is the
//! stdlib's coefficient precision (4 decimals: 5e-5 · Σ|input|) plus one
//! LSB at 24 bits; and a bus against sox `-m`, within one LSB.

use sndtrk::audio::{matrix::MINUS_3DB, ChannelLayout, Matrix, SampleFormat, WavReader};

use crate::{
    audio_support::{
        matrices::{
            assert_within, bounds, build_matrices, bus_of_four_stems, convert_as_a_build_does,
            published, render,
        },
        *,
    },
    interop::tools::run,
};

/// The sox `remix` argument for rows of coefficients: one space-separated
/// spec per output channel, `in` channel numbers from 1 with `v` volume
/// factors, each to 17 significant digits.
fn remix_args(rows: &[Vec<f64>]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            let terms: Vec<String> = row
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != 0.0)
                .map(|(i, c)| format!("{}v{:.17}", i + 1, c))
                .collect();
            if terms.is_empty() {
                "0".to_string()
            } else {
                terms.join(",")
            }
        })
        .collect()
}

/// sox's `remix` of a 24-bit input file, undithered, as integers.
fn sox_remix(input: &std::path::Path, remix: &[String]) -> Vec<i32> {
    let dir = tempfile::tempdir().unwrap();
    let theirs = dir.path().join("sox.wav");
    let mut args = vec![
        "-D".to_string(),
        s(input).into(),
        "-b".into(),
        "24".into(),
        s(&theirs).into(),
        "remix".into(),
    ];
    args.extend(remix.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run("sox", &args);
    hound_ints(&theirs)
}

fn build_nulls_against_sox(name: &str) {
    let matrices = build_matrices();
    let matrix = &matrices[name];
    let dir = tempfile::tempdir().unwrap();
    let (input, ours, input_ints) = convert_as_a_build_does(dir.path(), matrix);
    let theirs: Vec<f64> = sox_remix(&input, &remix_args(&published(name)))
        .into_iter()
        .map(f64::from)
        .collect();
    let bounds = bounds(matrix.from.len(), &input_ints, matrix.to.len());
    assert_within(
        &hound_ints(&ours),
        &theirs,
        &bounds,
        &format!("{name} vs sox"),
    );
}

#[test]
fn the_builds_lo_ro_nulls_against_sox_doing_bs775() {
    // Lo = L + 0.7071·C + 0.7071·Ls, Ro = R + 0.7071·C + 0.7071·Rs.
    build_nulls_against_sox("loro");
}

#[test]
fn the_builds_lt_rt_nulls_against_sox() {
    // S = 0.7071·(Ls + Rs); Lt = L + 0.7071·C − 0.7071·S, Rt = R + 0.7071·C + 0.7071·S.
    build_nulls_against_sox("ltrt");
}

#[test]
fn the_builds_7_1_to_5_1_nulls_against_sox() {
    // Ls = 0.7071·(Lrs + Lss), Rs = 0.7071·(Rrs + Rss).
    build_nulls_against_sox("fold71");
}

#[test]
fn the_builds_7_1_lo_ro_nulls_against_sox() {
    // Lo = L + 0.7071·C + 0.5·(Lss + Lrs), Ro = R + 0.7071·C + 0.5·(Rss + Rrs).
    build_nulls_against_sox("loro71");
}

#[test]
fn the_builds_upmixes_null_against_sox() {
    for name in ["mono51", "stereo51", "mono20"] {
        build_nulls_against_sox(name);
    }
}

#[test]
fn a_user_matrix_nulls_against_sox_with_generated_arguments() {
    let rows = vec![
        vec![0.9, 0.0, 0.0, 0.0, 0.3, 0.0],
        vec![0.0, 0.9, 0.0, 0.0, 0.0, 0.3],
        vec![0.0, 0.0, 1.0, 0.25, 0.0, 0.0],
    ];
    let matrix = Matrix::new(
        "5.1 to 3.0",
        6,
        rows.iter()
            .map(|r| r.iter().map(|&c| c as f32).collect())
            .collect(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    let ours = dir.path().join("ours.wav");
    let signal = test_signal(6, 2 * RATE as usize, RATE);
    write_wav(
        &input,
        &signal,
        ChannelLayout::surround_5_1(),
        SampleFormat::Int24,
        RATE,
        None,
    );
    let mut converted =
        sndtrk::audio::Convert::new(WavReader::open(&input).unwrap(), matrix).unwrap();
    render(
        &mut converted,
        ChannelLayout::new("3.0", &["L", "R", "C"]).unwrap(),
        &ours,
    );
    // These coefficients are exact in f32 to 1e-8: one LSB.
    let theirs = sox_remix(&input, &remix_args(&rows));
    assert_ints_close(&hound_ints(&ours), &theirs, 1, "5.1 to 3.0");
}

#[test]
fn the_remix_arguments_are_the_coefficients() {
    let c = f64::from(MINUS_3DB);
    assert_eq!(
        remix_args(&[vec![1.0, 0.0, c, 0.0, c, 0.0], vec![0.0, 0.0]]),
        [
            format!("1v1.00000000000000000,3v{c:.17},5v{c:.17}"),
            "0".to_string()
        ]
    );
}

#[test]
fn a_bus_nulls_against_sox_mix() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, ours) = bus_of_four_stems(dir.path());
    let theirs = dir.path().join("sox.wav");
    let mut args = vec!["-D", "-m"];
    for path in &paths {
        args.extend_from_slice(&["-v", "1", s(path)]);
    }
    args.extend_from_slice(&["-b", "24", s(&theirs)]);
    run("sox", &args);
    assert_ints_close(&hound_ints(&ours), &hound_ints(&theirs), 1, "bus");
}
