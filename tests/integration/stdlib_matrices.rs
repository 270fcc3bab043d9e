//! The downmix matrices a build uses — the standard library's `std/layouts`,
//! resolved and lowered exactly as `sndtrk build` does it and applied
//! through [`sndtrk::stages::mix::route`] (see
//! `audio_support::matrices`) — against the published formulas (ITU-R
//! BS.775 Lo/Ro, matrix-surround Lt/Rt, the 7.1 fold and the upmixes of
//! REFERENCE.md), written there independently, within the stdlib's
//! precision.

use crate::audio_support::{
    hound_ints,
    matrices::{
        assert_within, build_matrices, bus_of_four_stems, convert_as_a_build_does, formula_output,
        published, PRECISION,
    },
};

/// The REFERENCE.md layouts the formulas above are written for.
fn published_layout(labels: &[String]) -> &'static str {
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    match labels.as_slice() {
        ["C"] => "1.0",
        ["L", "R"] => "2.0",
        ["L", "R", "C", "LFE", "Ls", "Rs"] => "5.1",
        ["L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss"] => "7.1",
        ["L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss", "Ltf", "Rtf", "Ltr", "Rtr"] => "7.1.4",
        ["L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss", "Lts", "Rts"] => "7.1.2",
        other => panic!("unexpected layout {other:?}"),
    }
}

#[test]
fn every_stdlib_downmix_is_its_published_formula_within_the_stdlibs_precision() {
    let matrices = build_matrices();
    assert_eq!(matrices.len(), 12);
    for (name, matrix) in &matrices {
        let expected_layouts = match name.as_str() {
            "loro" | "ltrt" => ("5.1", "2.0"),
            "fold71" => ("7.1", "5.1"),
            "mono51" => ("1.0", "5.1"),
            "stereo51" => ("2.0", "5.1"),
            "mono20" => ("1.0", "2.0"),
            "up51to71" => ("5.1", "7.1"),
            "stereo71" => ("2.0", "7.1"),
            "loro71" => ("7.1", "2.0"),
            "fold714" => ("7.1.4", "7.1"),
            "fold714to51" => ("7.1.4", "5.1"),
            "fold712" => ("7.1.2", "7.1"),
            _ => unreachable!(),
        };
        assert_eq!(
            (published_layout(&matrix.from), published_layout(&matrix.to)),
            expected_layouts,
            "{name}"
        );
        let formula = published(name);
        assert_eq!(matrix.rows.len(), formula.len(), "{name}: outputs");
        for (o, (row, want)) in matrix.rows.iter().zip(&formula).enumerate() {
            assert_eq!(row.len(), want.len(), "{name}: inputs");
            for (i, (got, want)) in row.iter().zip(want).enumerate() {
                let error = (f64::from(*got) - want).abs();
                assert!(
                    error <= PRECISION,
                    "{name}: {} ← {} is {got}, the formula says {want} (off by {error:e})",
                    matrix.to[o],
                    matrix.from[i]
                );
            }
        }
    }
}

#[test]
fn a_build_downmixes_as_the_published_formula_computed_here() {
    for (name, matrix) in build_matrices() {
        let dir = tempfile::tempdir().unwrap();
        let (_, output, input) = convert_as_a_build_does(dir.path(), &matrix);
        let (expected, bounds) = formula_output(&name, matrix.from.len(), &input);
        let ours = hound_ints(&output);
        assert_within(&ours, &expected, &bounds, &name);
        // And exactly the stdlib's own coefficients, to the LSB.
        let exact: Vec<f64> = input
            .chunks(matrix.from.len())
            .flat_map(|frame| {
                matrix.rows.iter().map(move |row| {
                    row.iter()
                        .zip(frame)
                        .map(|(c, x)| f64::from(*c) * f64::from(*x))
                        .sum::<f64>()
                })
            })
            .collect();
        assert_within(
            &ours,
            &exact,
            &vec![1.0; exact.len()],
            &format!("{name} (stdlib coefficients)"),
        );
    }
}

#[test]
fn a_bus_is_the_sum_of_its_inputs_computed_here() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, ours) = bus_of_four_stems(dir.path());
    let inputs: Vec<Vec<i32>> = paths.iter().map(|path| hound_ints(path)).collect();
    let expected: Vec<f64> = (0..inputs[0].len())
        .map(|k| inputs.iter().map(|s| f64::from(s[k])).sum())
        .collect();
    assert_within(
        &hound_ints(&ours),
        &expected,
        &vec![1.0; expected.len()],
        "bus",
    );
}
