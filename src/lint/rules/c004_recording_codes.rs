//! C004 `recording-codes`.

use crate::{diagnostic::Diagnostic, lint::Checker};

declare_rule! {
    /// ## What it checks
    /// A song without an `isrc`, or an `isrc` or `iswc` that is malformed.
    ///
    /// An ISRC (ISO 3901) is 12 characters: a two-letter country code, a
    /// three-character registrant code, two digits of year and a five-digit
    /// designation (`USRC17607839`); hyphens (`US-RC1-76-07839`) are allowed.
    /// An ISWC (ISO 15707) is `T`, nine digits and a check digit
    /// (`T-034524680-1`); the check digit is verified.
    ///
    /// ## Why
    /// The ISRC identifies the recording for the label's and the societies'
    /// reporting; a missing or mistyped code sends royalties nowhere.
    ///
    /// ## Example
    /// ```text
    /// cue 2M3 "Ocean Drive" { type song … isrc "USRC1760783" }   // C004: 11 characters
    /// ```
    pub static RULE {
        code: C004,
        name: "recording-codes",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    for cue in &checker.model.cues {
        match &cue.isrc {
            None if cue.is_song() => diagnostics.push(
                Diagnostic::warning(RULE.code, format!("song {} has no ISRC", cue.id.name))
                    .at(cue.id.span, "no `isrc`")
                    .help(
                        "add the recording's ISRC from the label, such as `isrc \"USRC17607839\"`",
                    ),
            ),
            None => {}
            Some(isrc) => {
                if let Err(problem) = check_isrc(&isrc.value) {
                    diagnostics.push(
                        Diagnostic::warning(
                            RULE.code,
                            format!("the ISRC of cue {} is malformed: {problem}", cue.id.name),
                        )
                        .at(isrc.span, "malformed ISRC")
                        .help("an ISRC is a country code, a registrant code, a year and a designation, such as `USRC17607839`"),
                    );
                }
            }
        }
        if let Some(iswc) = &cue.iswc {
            if let Err(problem) = check_iswc(&iswc.value) {
                diagnostics.push(
                    Diagnostic::warning(
                        RULE.code,
                        format!("the ISWC of cue {} is malformed: {problem}", cue.id.name),
                    )
                    .at(iswc.span, "malformed ISWC")
                    .help("an ISWC is `T`, nine digits and a check digit, such as `T-034524680-1`"),
                );
            }
        }
    }
}

/// Checks an ISRC: `CC XXX YY NNNNN`, hyphens allowed between the parts.
pub fn check_isrc(text: &str) -> Result<(), String> {
    let code: Vec<char> = text.chars().filter(|&c| c != '-').collect();
    if code.len() != 12 {
        return Err(format!("it has {} characters, not 12", code.len()));
    }
    if !code[..2].iter().all(char::is_ascii_alphabetic) {
        return Err("it does not start with a two-letter country code".to_owned());
    }
    if !code[2..5].iter().all(char::is_ascii_alphanumeric) {
        return Err("the registrant code (characters 3 to 5) is not alphanumeric".to_owned());
    }
    if !code[5..].iter().all(char::is_ascii_digit) {
        return Err(
            "the year and designation (the last 7 characters) are not all digits".to_owned(),
        );
    }
    Ok(())
}

/// Checks an ISWC: `T`, nine digits and a check digit, with optional `-`
/// and `.` separators; the check digit is (10 − (1 + Σ i·dᵢ) mod 10) mod 10.
pub fn check_iswc(text: &str) -> Result<(), String> {
    let code: Vec<char> = text.chars().filter(|&c| c != '-' && c != '.').collect();
    if code.first() != Some(&'T') {
        return Err("it does not start with `T`".to_owned());
    }
    let digits: Vec<u32> = code[1..].iter().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != code.len() - 1 || digits.len() != 10 {
        return Err("it does not have ten digits after the `T`".to_owned());
    }
    let sum: u32 = 1 + digits[..9]
        .iter()
        .enumerate()
        .map(|(position, digit)| (position as u32 + 1) * digit)
        .sum::<u32>();
    let check = (10 - sum % 10) % 10;
    if digits[9] != check {
        return Err(format!("its check digit is {}, not {check}", digits[9]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isrc_forms() {
        assert_eq!(check_isrc("USRC17607839"), Ok(()));
        assert_eq!(check_isrc("US-RC1-76-07839"), Ok(()));
        assert_eq!(
            check_isrc("USRC1760783"),
            Err("it has 11 characters, not 12".to_owned())
        );
        assert!(check_isrc("1SRC17607839").is_err());
        assert!(check_isrc("USR!17607839").is_err());
        assert!(check_isrc("USRC1760783X").is_err());
    }

    #[test]
    fn iswc_check_digit() {
        // T-034.524.680-1 is the example in the ISWC handbook.
        assert_eq!(check_iswc("T-034524680-1"), Ok(()));
        assert_eq!(check_iswc("T-034.524.680-1"), Ok(()));
        assert_eq!(check_iswc("T0345246801"), Ok(()));
        assert_eq!(
            check_iswc("T-034524680-2"),
            Err("its check digit is 2, not 1".to_owned())
        );
        assert!(check_iswc("034524680-1").is_err());
        assert!(check_iswc("T-03452468-1").is_err());
    }
}
