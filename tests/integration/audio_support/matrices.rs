//! The downmixes a build routes through, for `stdlib_matrices.rs` (against
//! the published formulas computed there) and `interop::downmix` (against
//! sox doing them): the standard library's `std/layouts`, resolved and
//! lowered exactly as `sndtrk build` does it and applied through
//! [`sndtrk::stages::mix::route`], and the published formulas, written here
//! independently.
//!
//! Precision: the stdlib writes −3 dB as `0.7071` (four decimals), so a
//! coefficient may be off by up to [`PRECISION`] = 5e-5 from the formula's
//! 1/√2 (0.7071 is 6.8e-6 off); with f32 storage (6e-8) that is the bound
//! for each coefficient, and an output sample may be off by
//! PRECISION · Σ|input| from the formula, plus half an LSB for each of two
//! roundings to 24 bits.

use std::{
    collections::BTreeMap,
    f64::consts::FRAC_1_SQRT_2,
    path::{Path, PathBuf},
};

use sndtrk::{
    audio::{ChannelLayout, SampleFormat, Source, WavReader, WavSpec, WavWriter},
    lower::{lower, Route, StageSpec},
    resolve::resolve_text,
};

use super::{hound_ints, test_signal, write_wav, RATE};

/// How far a stdlib coefficient may be from the published one: the stdlib's
/// four decimals (half of 1e-4) plus f32 rounding.
pub const PRECISION: f64 = 5e-5 + 1e-7;

/// A recipe in which a build routes through every downmix of `std/layouts`:
/// mono, stereo, 7.1 and 7.1.4 stems into a 5.1 bus (mono51, stereo51,
/// fold71, fold714to51), mono and 7.1 stems into a stereo bus (mono20,
/// loro71), 5.1, stereo, 7.1.4 and 7.1.2 stems into a 7.1 bus (up51to71,
/// stereo71, fold714, fold712), the 5.1 bus to two stereo targets (loro,
/// ltrt).
const RECIPE: &str = r#"import "std/layouts"
project "Matrices" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
stem mono { role dialogue layout 1.0 tone 1kHz -20dBFS for 1s at 01:00:00:00 }
stem wide { role effects layout 2.0 tone 440Hz -20dBFS for 1s at 01:00:00:00 }
stem room { role effects layout 7.1 tone 220Hz -20dBFS for 1s at 01:00:00:00 }
stem five { role effects layout 5.1 tone 330Hz -20dBFS for 1s at 01:00:00:00 }
stem dome { role effects layout 7.1.4 tone 110Hz -20dBFS for 1s at 01:00:00:00 }
stem arch { role effects layout 7.1.2 tone 550Hz -20dBFS for 1s at 01:00:00:00 }
bus SURROUND 5.1 { mono wide room dome }
bus STEREO 2.0 { mono room }
bus SEVEN 7.1 { five wide dome arch }
target lo_ro { from SURROUND layout 2.0 downmix loro format wav 48kHz 24bit }
target lt_rt { from SURROUND layout 2.0 downmix ltrt format wav 48kHz 24bit }
target mono_pair { from STEREO layout 2.0 format wav 48kHz 24bit }
target seven { from SEVEN layout 7.1 format wav 48kHz 24bit }
"#;

/// A downmix as a build routes it: the lowered route (name and rows) and
/// the input and output layouts' channel labels.
#[derive(Debug, Clone)]
pub struct BuildMatrix {
    pub route: Route,
    pub rows: Vec<Vec<f32>>,
    pub from: Vec<String>,
    pub to: Vec<String>,
}

/// Every downmix the build of [`RECIPE`] routes through, by stdlib name,
/// taken from the lowered plan (bus clips' routes and targets' routes).
pub fn build_matrices() -> BTreeMap<String, BuildMatrix> {
    let resolved = resolve_text("soundtrack.sndtrk", None, RECIPE);
    assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
    let model = &resolved.model;
    let labels = |layout: &str| -> Vec<String> {
        model
            .layouts
            .get(layout)
            .unwrap_or_else(|| panic!("std/layouts has {layout}"))
            .channels
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    let layout_of = |downmix: &str| {
        let d = model.downmixes.get(downmix).unwrap();
        (
            labels(&d.from.as_ref().unwrap().name),
            labels(&d.to.as_ref().unwrap().name),
        )
    };
    let plan = lower(model, Path::new("."));
    let mut routes = Vec::new();
    for stage in &plan.stages {
        match stage {
            StageSpec::Bus(bus) => {
                routes.extend(bus.clips.iter().map(|(clip, _)| clip.route.clone()));
                routes.extend(bus.buses.iter().map(|(_, _, route)| route.clone()));
            }
            StageSpec::Target(target) => {
                routes.extend(target.from.iter().map(|(_, route)| route.clone()))
            }
            _ => {}
        }
    }
    let mut matrices = BTreeMap::new();
    for route in routes {
        if let Route::Matrix { name, rows } = &route {
            let (from, to) = layout_of(name);
            matrices.insert(
                name.clone(),
                BuildMatrix {
                    rows: rows.clone(),
                    route: route.clone(),
                    from,
                    to,
                },
            );
        }
    }
    // The recipe reaches every downmix the stdlib declares.
    let declared: Vec<&str> = model.downmixes.names().collect();
    let reached: Vec<&str> = matrices.keys().map(String::as_str).collect();
    assert_eq!(
        {
            let mut d = declared.clone();
            d.sort();
            d
        },
        reached
    );
    matrices
}

/// The published formula for each stdlib downmix, as `rows[out][in]` over
/// the layouts' channels in file order, with c = 1/√2 (−3 dB):
pub fn published(name: &str) -> Vec<Vec<f64>> {
    let c = FRAC_1_SQRT_2;
    match name {
        // ITU-R BS.775 Table 2: Lo = L + c·C + c·Ls, Ro = R + c·C + c·Rs;
        // in L R C LFE Ls Rs, LFE dropped.
        "loro" => vec![
            vec![1.0, 0.0, c, 0.0, c, 0.0],
            vec![0.0, 1.0, c, 0.0, 0.0, c],
        ],
        // Lt/Rt: S = c·(Ls + Rs), Lt = L + c·C − c·S, Rt = R + c·C + c·S.
        "ltrt" => vec![
            vec![1.0, 0.0, c, 0.0, -c * c, -c * c],
            vec![0.0, 1.0, c, 0.0, c * c, c * c],
        ],
        // 7.1 (L R C LFE Lrs Rrs Lss Rss) to 5.1: Ls = c·(Lrs + Lss),
        // Rs = c·(Rrs + Rss), the rest unchanged.
        "fold71" => vec![
            vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.0, 0.0, c, 0.0, c, 0.0],
            vec![0.0, 0.0, 0.0, 0.0, 0.0, c, 0.0, c],
        ],
        // Mono to 5.1: C only.
        "mono51" => vec![
            vec![0.0],
            vec![0.0],
            vec![1.0],
            vec![0.0],
            vec![0.0],
            vec![0.0],
        ],
        // Stereo to 5.1: L and R, nothing derived.
        "stereo51" => vec![
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![0.0, 0.0],
            vec![0.0, 0.0],
            vec![0.0, 0.0],
            vec![0.0, 0.0],
        ],
        // Mono to stereo: constant-power centre, c in each side.
        "mono20" => vec![vec![c], vec![c]],
        // 5.1 to 7.1 (out L R C LFE Lrs Rrs Lss Rss, in L R C LFE Ls Rs):
        // each surround into its side's side and rear surrounds at c.
        "up51to71" => vec![
            vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.0, 0.0, c, 0.0],
            vec![0.0, 0.0, 0.0, 0.0, 0.0, c],
            vec![0.0, 0.0, 0.0, 0.0, c, 0.0],
            vec![0.0, 0.0, 0.0, 0.0, 0.0, c],
        ],
        // Stereo to 7.1: L and R only.
        "stereo71" => {
            let mut rows = vec![vec![0.0, 0.0]; 8];
            rows[0][0] = 1.0;
            rows[1][1] = 1.0;
            rows
        }
        // 7.1 to 2.0: BS.775 Lo/Ro after the 7.1 fold, so each surround
        // at c·c: Lo = L + c·C + c²·(Lrs + Lss), Ro likewise.
        "loro71" => vec![
            vec![1.0, 0.0, c, 0.0, c * c, 0.0, c * c, 0.0],
            vec![0.0, 1.0, c, 0.0, 0.0, c * c, 0.0, c * c],
        ],
        // 7.1.4 (L R C LFE Lrs Rrs Lss Rss Ltf Rtf Ltr Rtr) to 7.1: the
        // bed unchanged, Ltf/Rtf into L/R and Ltr/Rtr into Lrs/Rrs at c.
        "fold714" => {
            let mut rows = vec![vec![0.0; 12]; 8];
            for (o, row) in rows.iter_mut().enumerate() {
                row[o] = 1.0;
            }
            rows[0][8] = c;
            rows[1][9] = c;
            rows[4][10] = c;
            rows[5][11] = c;
            rows
        }
        // 7.1.4 to 5.1: fold714 then fold71.
        "fold714to51" => {
            let mut rows = vec![vec![0.0; 12]; 6];
            for (o, row) in rows.iter_mut().enumerate().take(4) {
                row[o] = 1.0;
            }
            rows[0][8] = c;
            rows[1][9] = c;
            rows[4][4] = c;
            rows[4][6] = c;
            rows[4][10] = c * c;
            rows[5][5] = c;
            rows[5][7] = c;
            rows[5][11] = c * c;
            rows
        }
        // 7.1.2 (7.1 then Lts Rts) to 7.1: the tops into Lss/Rss at c.
        "fold712" => {
            let mut rows = vec![vec![0.0; 10]; 8];
            for (o, row) in rows.iter_mut().enumerate() {
                row[o] = 1.0;
            }
            rows[6][8] = c;
            rows[7][9] = c;
            rows
        }
        other => panic!("no published formula here for `{other}`"),
    }
}

/// Writes `source` as 24-bit at 48 kHz.
pub fn render(source: &mut dyn Source, layout: ChannelLayout, path: &Path) {
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

/// A 24-bit input file for `matrix` (2 s of [`test_signal`]), and the same
/// converted by the build's route into a 24-bit output file; returns the
/// paths and the input's integer samples.
pub fn convert_as_a_build_does(dir: &Path, matrix: &BuildMatrix) -> (PathBuf, PathBuf, Vec<i32>) {
    let input = dir.join("in.wav");
    let output = dir.join("ours.wav");
    let from = ChannelLayout::new("in", &matrix.from).unwrap();
    let to = ChannelLayout::new("out", &matrix.to).unwrap();
    let signal = test_signal(matrix.from.len(), 2 * RATE as usize, RATE);
    write_wav(&input, &signal, from, SampleFormat::Int24, RATE, None);
    let reader = WavReader::open(&input).unwrap();
    let mut routed =
        sndtrk::stages::mix::route(Box::new(reader), &matrix.route, &matrix.to, "test").unwrap();
    assert_eq!(routed.channels(), matrix.to.len());
    render(routed.as_mut(), to, &output);
    let ints = hound_ints(&input);
    (input, output, ints)
}

/// For each output sample: the published formula applied in f64 to the
/// integer input, and how far a build may be from it (in LSB at 24 bits):
/// [`PRECISION`] · Σ|input| plus one LSB for the two roundings.
pub fn formula_output(name: &str, inputs: usize, input: &[i32]) -> (Vec<f64>, Vec<f64>) {
    let formula = published(name);
    let mut values = Vec::new();
    for frame in input.chunks(inputs) {
        for row in &formula {
            values.push(row.iter().zip(frame).map(|(c, x)| c * f64::from(*x)).sum());
        }
    }
    (values, bounds(inputs, input, formula.len()))
}

/// Per output sample of a downmix of `input` (frames of `inputs` channels
/// to `outputs`), how far a build may be from the published formula (in LSB
/// at 24 bits): [`PRECISION`] · Σ|input| plus one LSB for the two roundings.
pub fn bounds(inputs: usize, input: &[i32], outputs: usize) -> Vec<f64> {
    input
        .chunks(inputs)
        .flat_map(|frame| {
            let magnitude: f64 = frame.iter().map(|x| f64::from(x.abs())).sum();
            std::iter::repeat_n(1.0 + PRECISION * magnitude, outputs)
        })
        .collect()
}

/// Asserts `actual` is within `bounds` of `expected`, sample by sample.
pub fn assert_within(actual: &[i32], expected: &[f64], bounds: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    assert!(
        actual.iter().any(|x| x.abs() > 100_000),
        "{what}: the test signal is not silent"
    );
    for (i, ((a, e), b)) in actual.iter().zip(expected).zip(bounds).enumerate() {
        assert!(
            (f64::from(*a) - e).abs() <= *b,
            "{what}: sample {i} is {a}, the formula gives {e:.2} (bound {b:.2} LSB)"
        );
    }
}

/// Four 5.1 24-bit stems in `dir` (1 s of [`test_signal`], each shifted and
/// at half level) and the bus of them rendered to 24-bit; returns the
/// stems' paths and the bus's.
pub fn bus_of_four_stems(dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let mut paths = Vec::new();
    for i in 0..4 {
        let path = dir.join(format!("stem{i}.wav"));
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
    let mut bus = sndtrk::audio::Bus::new(6).unwrap();
    bus.set_parallel(true);
    for path in &paths {
        bus.add(Box::new(WavReader::open(path).unwrap()), 0, 0.0)
            .unwrap();
    }
    let ours = dir.join("bus.wav");
    render(&mut bus, ChannelLayout::surround_5_1(), &ours);
    (paths, ours)
}
