//! The `bext` chunk body byte by byte, against the offsets and rules of
//! EBU Tech 3285 v2 written out here.

use super::*;

fn i16_at(body: &[u8], at: usize) -> i16 {
    i16::from_le_bytes([body[at], body[at + 1]])
}

fn measured() -> BextLoudness {
    BextLoudness {
        integrated_lufs: Some(-23.004),
        loudness_range_lu: Some(7.25),
        max_true_peak_dbtp: Some(-1.995),
        max_momentary_lufs: Some(-15.5),
        max_short_term_lufs: Some(-18.0),
    }
}

#[test]
fn every_field_is_at_its_tech_3285_offset() {
    let start = 86_399u64 * 192_000 + 5;
    let body = encode(
        &BextInfo::new("Night Harbor - print_master - 5.1 - netflix.surround"),
        start,
        &measured(),
    );
    assert_eq!(body.len(), 602);
    // Description, 256 bytes, NUL-padded.
    let text = b"Night Harbor - print_master - 5.1 - netflix.surround";
    assert_eq!(&body[..text.len()], text);
    assert!(body[text.len()..256].iter().all(|&b| b == 0));
    // Originator, 32 bytes at 256; OriginatorReference, 32 at 288.
    assert_eq!(&body[256..262], b"sndtrk");
    assert!(body[262..288].iter().all(|&b| b == 0));
    let reference = format!("sndtrk {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(&body[288..288 + reference.len()], reference.as_bytes());
    assert!(body[288 + reference.len()..320].iter().all(|&b| b == 0));
    // OriginationDate (10 at 320) and OriginationTime (8 at 330): unknown, empty.
    assert!(body[320..338].iter().all(|&b| b == 0));
    // TimeReferenceLow and High at 338 and 342.
    assert_eq!(&body[338..342], &(start as u32).to_le_bytes());
    assert_eq!(&body[342..346], &((start >> 32) as u32).to_le_bytes());
    // Version 2 at 346; no UMID (64 bytes at 348).
    assert_eq!(&body[346..348], &[2, 0]);
    assert!(body[348..412].iter().all(|&b| b == 0));
    // The five loudness values ×100 at 412, 414, 416, 418, 420.
    assert_eq!(
        [412, 414, 416, 418, 420].map(|at| i16_at(&body, at)),
        [-2300, 725, -200, -1550, -1800]
    );
    // Reserved: 180 zeros up to 602. No CodingHistory.
    assert!(body[422..602].iter().all(|&b| b == 0));

    assert_eq!(time_reference(&body), Some(86_399 * 192_000 + 5));
    assert_eq!(time_reference(&body[..340]), None);
    assert_eq!(
        description(&body).as_deref(),
        Some("Night Harbor - print_master - 5.1 - netflix.surround")
    );
}

#[test]
fn values_round_to_nearest_with_ties_away_from_zero() {
    // Tech 3285 §2.4's own examples.
    for (value, stored) in [
        (-22.644, -2264),
        (-22.645, -2265),
        (-22.646, -2265),
        (12.764, 1276),
        (12.765, 1277),
        (12.766, 1277),
        (0.0, 0),
        (-0.004, 0),
        (-0.005, -1),
        (99.99, 9999),
        (-99.99, -9999),
    ] {
        let loudness = BextLoudness {
            max_true_peak_dbtp: Some(value),
            ..BextLoudness::default()
        };
        assert_eq!(loudness.encoded()[2], stored, "{value}");
    }
}

#[test]
fn values_not_measured_or_out_of_range_are_7fff() {
    let body = encode(&BextInfo::default(), 0, &BextLoudness::default());
    for at in [412, 414, 416, 418, 420] {
        assert_eq!(&body[at..at + 2], &[0xFF, 0x7F], "offset {at}");
    }
    let loudness = BextLoudness {
        integrated_lufs: Some(f64::NEG_INFINITY),
        loudness_range_lu: Some(-0.01),
        max_true_peak_dbtp: Some(f64::NAN),
        max_momentary_lufs: Some(-100.0),
        max_short_term_lufs: Some(99.995),
    };
    assert_eq!(loudness.encoded(), [NOT_USED; 5]);
    // A range of 0 LU and a level of 0 are values.
    let loudness = BextLoudness {
        loudness_range_lu: Some(0.0),
        max_true_peak_dbtp: Some(0.0),
        ..BextLoudness::default()
    };
    assert_eq!(loudness.encoded()[1..3], [0, 0]);
}

#[test]
fn loudness_reads_back_as_written_and_readers_ignore_what_is_out_of_range() {
    let body = encode(&BextInfo::default(), 0, &measured());
    assert_eq!(
        loudness(&body),
        Some(BextLoudness {
            integrated_lufs: Some(-23.0),
            loudness_range_lu: Some(7.25),
            max_true_peak_dbtp: Some(-2.0),
            max_momentary_lufs: Some(-15.5),
            max_short_term_lufs: Some(-18.0),
        })
    );
    // D8F1h (-99.99) is the lowest valid value; a negative range is not one.
    assert_eq!(
        BextLoudness::decoded([-9999, -1, -10000, NOT_USED, 0]),
        BextLoudness {
            integrated_lufs: Some(-99.99),
            loudness_range_lu: None,
            max_true_peak_dbtp: None,
            max_momentary_lufs: None,
            max_short_term_lufs: Some(0.0),
        }
    );
    // Version 1 has no loudness.
    let mut version_1 = body.clone();
    version_1[346] = 1;
    assert_eq!(loudness(&version_1), None);
}

#[test]
fn a_report_s_silence_and_missing_windows_are_not_used() {
    let report = LoudnessReport {
        frames: 48_000,
        sample_rate: 48_000,
        integrated_lufs: f64::NEG_INFINITY,
        loudness_range_lu: 0.0,
        momentary_max_lufs: -80.0,
        short_term_max_lufs: f64::NEG_INFINITY,
        sample_peak_dbfs: -90.0,
        true_peak_dbtp: -89.5,
    };
    assert_eq!(
        BextLoudness::from_report(&report),
        BextLoudness {
            integrated_lufs: None,
            loudness_range_lu: None,
            max_true_peak_dbtp: Some(-89.5),
            max_momentary_lufs: Some(-80.0),
            max_short_term_lufs: None,
        }
    );
    // Short-term values all under the -70 LUFS gate leave no range.
    let quiet = LoudnessReport {
        short_term_max_lufs: -75.0,
        ..report
    };
    assert_eq!(BextLoudness::from_report(&quiet).loudness_range_lu, None);
    let steady = LoudnessReport {
        integrated_lufs: -23.0,
        short_term_max_lufs: -23.0,
        ..report
    };
    assert_eq!(
        BextLoudness::from_report(&steady).loudness_range_lu,
        Some(0.0)
    );
}

#[test]
fn text_is_ascii_and_cut_to_its_field() {
    assert_eq!(
        ascii("Night Harbor — print_master — 5.1 — netflix.surround"),
        "Night Harbor - print_master - 5.1 - netflix.surround"
    );
    assert_eq!(
        ascii("Café «Ümlaut» “quoted” l’été… Straße Œuvre Łódź 東京\ttab"),
        "Cafe ?Umlaut? \"quoted\" l'ete... Strasse OEuvre Lodz ?? tab"
    );
    // Longer than 256 bytes: cut at 256, no NUL (the spec needs one only
    // when shorter). Non-ASCII before the cut counts as its replacement.
    let long = format!("é{}", "x".repeat(300));
    let body = encode(&BextInfo::new(long), 0, &BextLoudness::default());
    assert_eq!(body[0], b'e');
    assert!(body[1..256].iter().all(|&b| b == b'x'));
    assert_eq!(&body[256..262], b"sndtrk");
    assert_eq!(description(&body).map(|d| d.len()), Some(256));
    // Every byte of every text field is printable ASCII or NUL.
    let body = encode(
        &BextInfo::new("\u{0}\u{7f}\r\n👍"),
        0,
        &BextLoudness::default(),
    );
    assert_eq!(&body[..5], b"    ?");
    assert!(body[..338]
        .iter()
        .all(|&b| b == 0 || (0x20..0x7F).contains(&b)));
}
