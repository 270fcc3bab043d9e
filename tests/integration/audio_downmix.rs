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

fn null_test(matrix: Matrix, input_layout: ChannelLayout, output_layout: ChannelLayout) {
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
    args.extend(remix_args(&matrix));
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

#[test]
fn lo_ro_nulls_against_sox() {
    null_test(
        Matrix::lo_ro(),
        ChannelLayout::surround_5_1(),
        ChannelLayout::stereo(),
    );
}

#[test]
fn lt_rt_nulls_against_sox() {
    null_test(
        Matrix::lt_rt(),
        ChannelLayout::surround_5_1(),
        ChannelLayout::stereo(),
    );
}

#[test]
fn seven_one_to_five_one_nulls_against_sox() {
    null_test(
        Matrix::seven_one_to_five_one(),
        ChannelLayout::surround_7_1(),
        ChannelLayout::surround_5_1(),
    );
}

#[test]
fn upmixes_null_against_sox() {
    null_test(
        Matrix::mono_to_five_one(),
        ChannelLayout::mono(),
        ChannelLayout::surround_5_1(),
    );
    null_test(
        Matrix::stereo_to_five_one(),
        ChannelLayout::stereo(),
        ChannelLayout::surround_5_1(),
    );
    null_test(
        Matrix::mono_to_stereo(),
        ChannelLayout::mono(),
        ChannelLayout::stereo(),
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
