//! Sizes on the command line (`10GiB`, `500MB`, `1.5GB`, `4096`) and their
//! display (`1.5 GiB`).

use miette::Diagnostic;
use thiserror::Error;

/// A size that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("invalid size `{text}`")]
#[diagnostic(
    code(E0901),
    help("write a number with an optional unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 10GiB or 500MB")
)]
pub struct InvalidSize {
    pub text: String,
}

const UNITS: [(&str, u64); 9] = [
    ("b", 1),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
    ("tb", 1_000_000_000_000),
    ("kib", 1 << 10),
    ("mib", 1 << 20),
    ("gib", 1 << 30),
    ("tib", 1 << 40),
];

/// Parses a size in bytes: a decimal number and an optional unit
/// (case-insensitive, spaces allowed between them).
pub fn parse_size(text: &str) -> Result<u64, InvalidSize> {
    let invalid = || InvalidSize {
        text: text.to_owned(),
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier = if unit.is_empty() {
        1
    } else {
        UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, multiplier)| *multiplier)
            .ok_or_else(invalid)?
    };
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(invalid());
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let whole: u64 = whole.parse().map_err(|_| invalid())?;
    let mut bytes = whole.checked_mul(multiplier).ok_or_else(invalid)?;
    if !fraction.is_empty() {
        let digits: u32 = fraction.len().try_into().map_err(|_| invalid())?;
        let scale = 10u128.checked_pow(digits).ok_or_else(invalid)?;
        let fraction: u128 = fraction.parse().map_err(|_| invalid())?;
        let extra = fraction * u128::from(multiplier) / scale;
        bytes = bytes
            .checked_add(u64::try_from(extra).map_err(|_| invalid())?)
            .ok_or_else(invalid)?;
    }
    Ok(bytes)
}

/// A size for humans, in powers of 1024: `512 B`, `1.5 KiB`, `10.0 GiB`.
pub fn format_size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_and_binary_units() {
        let cases = [
            ("4096", 4096),
            ("10GiB", 10 * (1 << 30)),
            ("500MB", 500_000_000),
            ("1.5GB", 1_500_000_000),
            ("1.5 kib", 1536),
            ("2TB", 2_000_000_000_000),
            ("0", 0),
            ("7b", 7),
        ];
        for (text, bytes) in cases {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_size_with_e0901() {
        for text in [
            "",
            "GiB",
            "10XB",
            "-1MB",
            "1..5GB",
            ".5GB",
            "5.GB",
            "99999999999TiB",
        ] {
            assert_eq!(
                parse_size(text),
                Err(InvalidSize {
                    text: text.to_owned()
                }),
                "{text}"
            );
        }
        let error = parse_size("10XB").unwrap_err();
        assert_eq!(error.to_string(), "invalid size `10XB`");
        assert_eq!(
            error.code().map(|code| code.to_string()),
            Some("E0901".to_owned())
        );
        assert_eq!(
            error.help().map(|help| help.to_string()),
            Some("write a number with an optional unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 10GiB or 500MB".to_owned())
        );
    }

    #[test]
    fn formats_in_powers_of_1024() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(10 * (1 << 30)), "10.0 GiB");
    }
}
