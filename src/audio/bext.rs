//! The Broadcast WAV `bext` chunk, version 2 (EBU Tech 3285 v2, 2011):
//! the description, originator and time reference of a file, and its
//! loudness as measured (EBU R 128 / ITU-R BS.1770).
//!
//! Layout of the chunk body (little-endian), byte offsets:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 256 | Description (ASCII, NUL-padded) |
//! | 256 | 32 | Originator |
//! | 288 | 32 | OriginatorReference |
//! | 320 | 10 | OriginationDate (`yyyy-mm-dd`) |
//! | 330 | 8 | OriginationTime (`hh-mm-ss`) |
//! | 338 | 4 + 4 | TimeReferenceLow, TimeReferenceHigh: samples since midnight |
//! | 346 | 2 | Version (2) |
//! | 348 | 64 | UMID (SMPTE 330M) |
//! | 412 | 2 | LoudnessValue: integrated loudness, LUFS × 100 |
//! | 414 | 2 | LoudnessRange: LU × 100 |
//! | 416 | 2 | MaxTruePeakLevel: dBTP × 100 |
//! | 418 | 2 | MaxMomentaryLoudness: LUFS × 100 |
//! | 420 | 2 | MaxShortTermLoudness: LUFS × 100 |
//! | 422 | 180 | Reserved (zeros) |
//! | 602 | … | CodingHistory (none here) |
//!
//! What sndtrk writes there:
//!
//! * Description: the caller's text ([`BextInfo`]), in ASCII: letters with
//!   diacritics lose them, typographic dashes and quotes become `-`, `'`
//!   and `"`, control characters spaces, anything else `?`; cut at 256
//!   bytes, NUL-padded when shorter (Tech 3285: the first 64 characters
//!   should summarise it).
//! * Originator `sndtrk`, OriginatorReference `sndtrk VERSION`.
//! * OriginationDate and OriginationTime: left empty (all NUL). Tech 3285
//!   defines no value for an unknown date, and a deliverable's bytes must
//!   not depend on the wall clock (two builds give identical files), so no
//!   date is claimed rather than a made-up one (`0000-00-00` is no date:
//!   months run from 1).
//! * TimeReference: the file's first sample, counted from midnight.
//! * UMID: none (zeros).
//! * Loudness: each value × 100, rounded to nearest with ties away from
//!   zero (Tech 3285 §2.4), as a signed 16-bit integer. A value not
//!   measured, not finite (the loudness of silence) or outside the range
//!   the spec allows (±99.99; 0 to 99.99 for the range) is written as
//!   0x7FFF, which the spec reserves for a parameter "not being used".

use crate::audio::{loudness::LoudnessReport, loudness_range::LRA_ABSOLUTE_GATE_LUFS};

/// Size of the fixed part of a `bext` chunk body.
pub const BEXT_SIZE: usize = 602;

/// The Originator sndtrk writes.
pub const ORIGINATOR: &str = "sndtrk";

/// The OriginatorReference sndtrk writes: its name and version.
pub const ORIGINATOR_REFERENCE: &str = concat!("sndtrk ", env!("CARGO_PKG_VERSION"));

/// The `bext` version written: 2, the one with loudness fields.
pub const VERSION: u16 = 2;

/// A loudness field that is not used (Tech 3285 §2.4).
pub const NOT_USED: i16 = 0x7FFF;

const DESCRIPTION: (usize, usize) = (0, 256);
const ORIGINATOR_FIELD: (usize, usize) = (256, 32);
const ORIGINATOR_REFERENCE_FIELD: (usize, usize) = (288, 32);
const TIME_REFERENCE_OFFSET: usize = 338;
const VERSION_OFFSET: usize = 346;
const LOUDNESS_OFFSET: usize = 412;

/// What the caller says about a file in its `bext` chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BextInfo {
    /// A free description, e.g. `Night Harbor - print_master - 5.1 -
    /// netflix.surround`; written in ASCII (see the module documentation).
    pub description: String,
}

impl BextInfo {
    /// A `bext` description of `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            description: text.into(),
        }
    }
}

/// The five loudness fields of a version 2 chunk; `None` is "not used".
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BextLoudness {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU.
    pub loudness_range_lu: Option<f64>,
    /// Maximum true peak, dBTP.
    pub max_true_peak_dbtp: Option<f64>,
    /// Highest momentary (400 ms) loudness, LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// Highest short-term (3 s) loudness, LUFS.
    pub max_short_term_lufs: Option<f64>,
}

impl BextLoudness {
    /// The fields of a measurement. A level that is not finite (silence, a
    /// programme too short for a window) is not used; neither is the
    /// loudness range when no short-term value reaches the absolute gate of
    /// EBU Tech 3342 (-70 LUFS): its distribution is then empty, and the 0
    /// the meter reports for it is no measurement.
    pub fn from_report(report: &LoudnessReport) -> Self {
        let finite = |value: f64| value.is_finite().then_some(value);
        let short_term = finite(report.short_term_max_lufs);
        Self {
            integrated_lufs: finite(report.integrated_lufs),
            loudness_range_lu: short_term
                .filter(|&lufs| lufs >= LRA_ABSOLUTE_GATE_LUFS)
                .and(finite(report.loudness_range_lu)),
            max_true_peak_dbtp: finite(report.true_peak_dbtp),
            max_momentary_lufs: finite(report.momentary_max_lufs),
            max_short_term_lufs: short_term,
        }
    }

    /// The five fields as stored, in order.
    pub fn encoded(&self) -> [i16; 5] {
        [
            x100(self.integrated_lufs, -99.99),
            x100(self.loudness_range_lu, 0.0),
            x100(self.max_true_peak_dbtp, -99.99),
            x100(self.max_momentary_lufs, -99.99),
            x100(self.max_short_term_lufs, -99.99),
        ]
    }

    /// The fields of stored values, each `None` when not used or out of
    /// its range (as a reader must treat it).
    pub fn decoded(fields: [i16; 5]) -> Self {
        let value = |field: i16, lowest: i16| {
            (lowest..=9999)
                .contains(&field)
                .then(|| f64::from(field) / 100.0)
        };
        Self {
            integrated_lufs: value(fields[0], -9999),
            loudness_range_lu: value(fields[1], 0),
            max_true_peak_dbtp: value(fields[2], -9999),
            max_momentary_lufs: value(fields[3], -9999),
            max_short_term_lufs: value(fields[4], -9999),
        }
    }
}

/// `value` × 100 rounded to nearest, ties away from zero (Tech 3285 §2.4:
/// the integer part of x + sgn(x)·0.5, which is `f64::round`), or
/// [`NOT_USED`] when absent, not finite or outside `lowest..=99.99`.
fn x100(value: Option<f64>, lowest: f64) -> i16 {
    let Some(value) = value.filter(|v| v.is_finite()) else {
        return NOT_USED;
    };
    let scaled = (value * 100.0).round();
    if scaled < (lowest * 100.0).round() || scaled > 9999.0 {
        return NOT_USED;
    }
    scaled as i16
}

/// `text` in printable ASCII: Latin letters without their diacritics,
/// typographic dashes, quotes and spaces as their ASCII forms, control
/// characters as spaces, anything else as `?`.
pub fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '..='~' => out.push(c),
            c if c.is_control() => out.push(' '),
            '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => out.push(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => out.push('"'),
            '\u{2026}' => out.push_str("..."),
            'ß' => out.push_str("ss"),
            'Æ' => out.push_str("AE"),
            'æ' => out.push_str("ae"),
            'Œ' => out.push_str("OE"),
            'œ' => out.push_str("oe"),
            'Þ' => out.push_str("Th"),
            'þ' => out.push_str("th"),
            c => out.push(latin_base(c).unwrap_or('?')),
        }
    }
    out
}

/// The ASCII letter under a Latin letter with a diacritic (Latin-1 and the
/// common Latin Extended-A letters).
fn latin_base(c: char) -> Option<char> {
    Some(match c {
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => 'A',
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'Ç' | 'Ć' | 'Č' => 'C',
        'ç' | 'ć' | 'č' => 'c',
        'Ð' | 'Ď' | 'Đ' => 'D',
        'ð' | 'ď' | 'đ' => 'd',
        'È'..='Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => 'E',
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'Ğ' => 'G',
        'ğ' => 'g',
        'Ì'..='Ï' | 'Ī' | 'Į' | 'İ' => 'I',
        'ì'..='ï' | 'ī' | 'į' | 'ı' => 'i',
        'Ł' | 'Ľ' | 'Ĺ' => 'L',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ő' => 'O',
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => 'o',
        'Ŕ' | 'Ř' => 'R',
        'ŕ' | 'ř' => 'r',
        'Ś' | 'Ş' | 'Š' => 'S',
        'ś' | 'ş' | 'š' => 's',
        'Ţ' | 'Ť' => 'T',
        'ţ' | 'ť' => 't',
        'Ù'..='Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => 'U',
        'ù'..='ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'Ý' | 'Ÿ' => 'Y',
        'ý' | 'ÿ' => 'y',
        'Ź' | 'Ż' | 'Ž' => 'Z',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    })
}

/// Writes `text` in ASCII into the field `(offset, width)` of `body`: cut
/// at the width, the rest NUL (the body is zeroed).
fn put_text(body: &mut [u8], (offset, width): (usize, usize), text: &str) {
    let text = ascii(text);
    let bytes = &text.as_bytes()[..text.len().min(width)];
    body[offset..offset + bytes.len()].copy_from_slice(bytes);
}

/// The body of a version 2 `bext` chunk: `info`'s description, sndtrk as
/// originator, `time_reference` (samples since midnight) and `loudness`.
pub fn encode(info: &BextInfo, time_reference: u64, loudness: &BextLoudness) -> Vec<u8> {
    let mut body = vec![0u8; BEXT_SIZE];
    put_text(&mut body, DESCRIPTION, &info.description);
    put_text(&mut body, ORIGINATOR_FIELD, ORIGINATOR);
    put_text(&mut body, ORIGINATOR_REFERENCE_FIELD, ORIGINATOR_REFERENCE);
    body[TIME_REFERENCE_OFFSET..TIME_REFERENCE_OFFSET + 8]
        .copy_from_slice(&time_reference.to_le_bytes());
    body[VERSION_OFFSET..VERSION_OFFSET + 2].copy_from_slice(&VERSION.to_le_bytes());
    for (index, field) in loudness.encoded().into_iter().enumerate() {
        let at = LOUDNESS_OFFSET + 2 * index;
        body[at..at + 2].copy_from_slice(&field.to_le_bytes());
    }
    body
}

/// The time reference of a `bext` chunk body, or `None` if the body is too
/// short to hold one.
pub fn time_reference(body: &[u8]) -> Option<u64> {
    let bytes = body.get(TIME_REFERENCE_OFFSET..TIME_REFERENCE_OFFSET + 8)?;
    let mut array = [0u8; 8];
    array.copy_from_slice(bytes);
    Some(u64::from_le_bytes(array))
}

/// The loudness fields of a `bext` chunk body: `None` before version 2 or
/// when the body is too short to hold them.
pub fn loudness(body: &[u8]) -> Option<BextLoudness> {
    let version = body.get(VERSION_OFFSET..VERSION_OFFSET + 2)?;
    if u16::from_le_bytes([version[0], version[1]]) < 2 {
        return None;
    }
    let fields = body.get(LOUDNESS_OFFSET..LOUDNESS_OFFSET + 10)?;
    let mut values = [0i16; 5];
    for (value, bytes) in values.iter_mut().zip(fields.chunks_exact(2)) {
        *value = i16::from_le_bytes([bytes[0], bytes[1]]);
    }
    Some(BextLoudness::decoded(values))
}

/// The description of a `bext` chunk body, up to its first NUL.
pub fn description(body: &[u8]) -> Option<String> {
    let field = body.get(DESCRIPTION.0..DESCRIPTION.0 + DESCRIPTION.1)?;
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    Some(String::from_utf8_lossy(&field[..end]).into_owned())
}

#[cfg(test)]
#[path = "bext_tests.rs"]
mod tests;
