//! Null tests against sox: the same downmix or mix done by sox `remix` (or
//! `-m`) with the same coefficients agrees with sndtrk's within one LSB at
//! 24 bits.

use std::path::Path;

use sndtrk::audio::{
    matrix::MINUS_3DB, Bus, ChannelLayout, Convert, Matrix, SampleFormat, Source, WavReader,
    WavSpec, WavWriter,
};

use crate::audio_support::*;

const RATE: u32 = 48_000;

/// Writes `source` to a 24-bit file.
fn render(source: &mut dyn Source, layout: ChannelLayout, path: &Path) {
    let mut writer = WavWriter::create(
        path,
        WavSpec {
            sample_rate: RATE,
            layout,
            sample_format: SampleFormat::Int24,
            time_reference: None,
        },
    )
    .unwrap();
    writer.write_source(source).unwrap();
    assert_eq!(writer.finish().unwrap().clipped_samples, 0);
}

/// The sox `remix` argument for `matrix`: one space-separated spec per
/// output channel, `in` channel numbers from 1 with `v` volume factors.
fn remix_args(matrix: &Matrix) -> Vec<String> {
    matrix
        .rows()
        .iter()
        .map(|row| {
            let terms: Vec<String> = row
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != 0.0)
                .map(|(i, c)| format!("{}v{:.17}", i + 1, f64::from(*c)))
                .collect();
            if terms.is_empty() {
                "0".to_string()
            } else {
                terms.join(",")
            }
        })
        .collect()
}

/// 1/√2 as sox reads it.
const C: &str = "0.7071067811865476";

/// Applies `matrix` with sndtrk and `remix` (sox's spec, written by hand from
/// the published formula, independently of the matrix) with sox, and
/// compares.
fn null_test(
    matrix: Matrix,
    remix: &[String],
    input_layout: ChannelLayout,
    output_layout: ChannelLayout,
) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.wav");
    let ours = dir.path().join("ours.wav");
    let theirs = dir.path().join("sox.wav");
    let channels = input_layout.channels();
    // 2 s of signal at a level where no sum clips.
    let signal = test_signal(channels, 2 * RATE as usize, RATE);
    write_wav(
        &input,
        &signal,
        input_layout,
        SampleFormat::Int24,
        RATE,
        None,
    );

    let reader = WavReader::open(&input).unwrap();
    let mut converted = Convert::new(reader, matrix.clone()).unwrap();
    render(&mut converted, output_layout, &ours);

    let mut args = vec![
        "-D".to_string(),
        s(&input).into(),
        "-b".into(),
        "24".into(),
        s(&theirs).into(),
        "remix".into(),
    ];
    args.extend(remix.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run("sox", &args);

    let a = hound_ints(&ours);
    let b = hound_ints(&theirs);
    assert!(
        a.iter().any(|x| x.abs() > 100_000),
        "the test signal is not silent"
    );
    assert_ints_close(&a, &b, 1, matrix.name());
}

fn specs(specs: &[&str]) -> Vec<String> {
    specs.iter().map(|s| s.replace('C', C)).collect()
}

#[test]
fn lo_ro_nulls_against_sox() {
    // Lo = L + 0.7071·C + 0.7071·Ls, Ro = R + 0.7071·C + 0.7071·Rs.
    null_test(
        Matrix::lo_ro(),
        &specs(&["1v1,3vC,5vC", "2v1,3vC,6vC"]),
        ChannelLayout::surround_5_1(),
        ChannelLayout::stereo(),
    );
}

#[test]
fn lt_rt_nulls_against_sox() {
    // S = 0.7071·(Ls + Rs); Lt = L + 0.7071·C − 0.7071·S, Rt = R + 0.7071·C + 0.7071·S.
    null_test(
        Matrix::lt_rt(),
        &specs(&["1v1,3vC,5v-0.5,6v-0.5", "2v1,3vC,5v0.5,6v0.5"]),
        ChannelLayout::surround_5_1(),
        ChannelLayout::stereo(),
    );
}

#[test]
fn seven_one_to_five_one_nulls_against_sox() {
    // Ls = 0.7071·(Lrs + Lss), Rs = 0.7071·(Rrs + Rss).
    null_test(
        Matrix::seven_one_to_five_one(),
        &specs(&["1", "2", "3", "4", "5vC,7vC", "6vC,8vC"]),
        ChannelLayout::surround_7_1(),
        ChannelLayout::surround_5_1(),
    );
}

#[test]
fn upmixes_null_against_sox() {
    null_test(
        Matrix::mono_to_five_one(),
        &specs(&["0", "0", "1", "0", "0", "0"]),
        ChannelLayout::mono(),
        ChannelLayout::surround_5_1(),
    );
    null_test(
        Matrix::stereo_to_five_one(),
        &specs(&["1", "2", "0", "0", "0", "0"]),
        ChannelLayout::stereo(),
        ChannelLayout::surround_5_1(),
    );
    null_test(
        Matrix::mono_to_stereo(),
        &specs(&["1vC", "1vC"]),
        ChannelLayout::mono(),
        ChannelLayout::stereo(),
    );
}

#[test]
fn a_user_matrix_nulls_against_sox_with_generated_arguments() {
    let matrix = Matrix::new(
        "5.1 to 3.0",
        6,
        vec![
            vec![0.9, 0.0, 0.0, 0.0, 0.3, 0.0],
            vec![0.0, 0.9, 0.0, 0.0, 0.0, 0.3],
            vec![0.0, 0.0, 1.0, 0.25, 0.0, 0.0],
        ],
    )
    .unwrap();
    let remix = remix_args(&matrix);
    null_test(
        matrix,
        &remix,
        ChannelLayout::surround_5_1(),
        ChannelLayout::new("3.0", &["L", "R", "C"]).unwrap(),
    );
}

#[test]
fn the_remix_arguments_are_the_coefficients() {
    assert_eq!(
        remix_args(&Matrix::lo_ro()),
        [
            format!(
                "1v1.00000000000000000,3v{:.17},5v{:.17}",
                f64::from(MINUS_3DB),
                f64::from(MINUS_3DB)
            ),
            format!(
                "2v1.00000000000000000,3v{:.17},6v{:.17}",
                f64::from(MINUS_3DB),
                f64::from(MINUS_3DB)
            ),
        ]
    );
}

#[test]
fn a_bus_nulls_against_sox_mix() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..4 {
        let path = dir.path().join(format!("stem{i}.wav"));
        let mut signal = test_signal(6, RATE as usize, RATE);
        signal.rotate_left(i * 11);
        for x in &mut signal {
            *x *= 0.5;
        }
        write_wav(
            &path,
            &signal,
            ChannelLayout::surround_5_1(),
            SampleFormat::Int24,
            RATE,
            None,
        );
        paths.push(path);
    }
    let mut bus = Bus::new(6).unwrap();
    bus.set_parallel(true);
    for path in &paths {
        bus.add(Box::new(WavReader::open(path).unwrap()), 0, 0.0)
            .unwrap();
    }
    let ours = dir.path().join("bus.wav");
    render(&mut bus, ChannelLayout::surround_5_1(), &ours);

    let theirs = dir.path().join("sox.wav");
    let mut args = vec!["-D", "-m"];
    for path in &paths {
        args.extend_from_slice(&["-v", "1", s(path)]);
    }
    args.extend_from_slice(&["-b", "24", s(&theirs)]);
    run("sox", &args);
    assert_ints_close(&hound_ints(&ours), &hound_ints(&theirs), 1, "bus");
}
