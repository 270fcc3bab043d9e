//! Parser robustness: arbitrary bytes, strings from the language's own
//! alphabet, every truncation of the example, and absurd nesting. The parser
//! must not panic, must finish, must point every diagnostic inside the text,
//! and whatever parses cleanly must format to a fixed point.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use sndtrk::{syntax::format::format, syntax::parse::parse, syntax::span::SourceId};

/// A generous bound that only an exponential or badly quadratic parser
/// would exceed on these inputs (a few hundred kilobytes at most).
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// Parses `text` and checks every invariant; returns whether it parsed
/// without errors.
fn check(text: &str) -> bool {
    let (file, diagnostics) = parse(SourceId(0), text);
    let inside =
        |range: std::ops::Range<usize>| range.start <= range.end && text.get(range).is_some();
    for diagnostic in &diagnostics {
        let span = diagnostic
            .span
            .unwrap_or_else(|| panic!("no span: {diagnostic:?}\n{text:?}"));
        assert!(inside(span.range()), "{diagnostic:?} outside {text:?}");
        for (span, _) in &diagnostic.related {
            assert!(inside(span.range()), "{diagnostic:?} outside {text:?}");
        }
    }
    for declaration in &file.declarations {
        assert!(
            inside(declaration.span.range()),
            "{declaration:?} outside {text:?}"
        );
    }
    if diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
        return false;
    }
    let once = format(text).unwrap_or_else(|errors| panic!("{errors:?}\n{text:?}"));
    let twice = format(&once).unwrap_or_else(|errors| panic!("{errors:?}\n{once:?}"));
    assert_eq!(twice, once, "formatting {text:?} is not idempotent");
    true
}

/// Checks `text` within [`TIME_LIMIT`].
fn check_in_time(text: &str) -> bool {
    let start = Instant::now();
    let parsed = check(text);
    let elapsed = start.elapsed();
    assert!(
        elapsed < TIME_LIMIT,
        "{elapsed:?} for {} bytes starting {:?}",
        text.len(),
        text.chars().take(40).collect::<String>()
    );
    parsed
}

#[test]
fn every_truncation_of_the_example() {
    let example = include_str!("../../examples/night-harbor/soundtrack.sndtrk");
    let mut clean = 0;
    let mut broken = 0;
    for end in (0..=example.len()).filter(|&end| example.is_char_boundary(end)) {
        if check(&example[..end]) {
            clean += 1;
        } else {
            broken += 1;
        }
        // The tail on its own, too.
        check(&example[end..]);
    }
    // Both outcomes occur: cut between declarations the prefix is a recipe,
    // cut inside one it is not.
    assert!(
        clean > 20 && broken > 1000,
        "{clean} clean, {broken} broken"
    );
}

#[test]
fn absurd_nesting_and_unterminated_constructs() {
    const LEVELS: usize = 100_000;
    let inputs = [
        "{".repeat(LEVELS) + &"[".repeat(LEVELS),
        "{{{{[[[[".repeat(LEVELS / 4),
        format!("stem a {{ role {}", "[".repeat(LEVELS)),
        format!("stem a {{ territory [{}] }}", "[".repeat(LEVELS)),
        format!("bus a 5.1 {}", "{".repeat(LEVELS)),
        format!("stem a {}{}", "{".repeat(LEVELS), "}".repeat(LEVELS)),
        "/*".repeat(LEVELS),
        "\"".repeat(LEVELS),
        // Error recovery over many lines: quadratic before the parser cut
        // pest's input to one declaration (about two minutes for the first
        // two, a second now).
        "stem a {\n".repeat(LEVELS),
        "stem a { 5 1 }\n".repeat(LEVELS / 2),
        "layout a {\n".repeat(LEVELS / 10),
        "import x\n".repeat(LEVELS / 10),
        format!("stem a {{{}", "\nlayout 5.1 {".repeat(LEVELS / 10)),
        format!(
            "stem a {{ role x\n{}",
            "stem b { role x\n".repeat(LEVELS / 10)
        ),
        "}".repeat(LEVELS),
        "import ".repeat(LEVELS / 4),
    ];
    for text in &inputs {
        assert!(!check_in_time(text), "{:?} parsed", &text[..20]);
    }
}

#[test]
fn a_large_valid_recipe_parses_in_time() {
    let example = include_str!("../../examples/night-harbor/soundtrack.sndtrk");
    let text = example.repeat(50);
    assert!(check_in_time(&text));
}

/// Fragments of the language, glued together at random.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "stem",
        "cue",
        "bus",
        "import",
        "project",
        "layout",
        "lint",
        "role",
        "gain",
        "territory",
        " ",
        "\n",
        "\t",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\"",
        "\\",
        "\\u{",
        "/",
        "*",
        "//",
        "/*",
        "*/",
        "-",
        "+",
        ".",
        ":",
        ";",
        "0",
        "1",
        "24",
        "5.1",
        "7.1.4",
        "dB",
        "dBFS",
        "kHz",
        "%",
        "0x",
        "F",
        "a",
        "1M1",
        "_",
        "é",
        "\u{FEFF}",
        "\r",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_in_time(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        check_in_time(&text);
    }

    #[test]
    fn strings_of_the_language_alphabet(fragments in prop::collection::vec(fragment(), 0..80)) {
        check_in_time(&fragments.concat());
    }
}

/// Found by timing the front end on growing recipes (fuzz/README.md): each
/// unknown name searched every declared name for a "did you mean", so a
/// recipe of 4,000 stems and a bus of their 4,000 misspelt names took
/// seconds to resolve, quadratic in its length (7 s in this test's build);
/// now only the first hundred unknown names get a suggestion. The count of
/// suggestions is the exact check; the time is a loose one.
#[test]
fn thousands_of_unknown_names_resolve_in_linear_time() {
    const STEMS: usize = 4_000;
    let mut text = String::from("import \"std/layouts\"\n");
    for i in 0..STEMS {
        text += &format!("stem s{i} {{ role dialogue layout 5.1 tone 440Hz }}\n");
    }
    text += "bus b 5.1 {";
    for i in 0..STEMS {
        text += &format!(" s{i}x");
    }
    text += " }\n";
    let start = Instant::now();
    let resolved = sndtrk::resolve::resolve_text("many.sndtrk", None, &text);
    let elapsed = start.elapsed();
    assert!(elapsed < TIME_LIMIT, "{elapsed:?} to resolve");
    let unknown: Vec<_> = resolved
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == sndtrk::resolve::UNKNOWN_NAME)
        .collect();
    assert_eq!(unknown.len(), STEMS);
    let suggested = |diagnostic: &&&sndtrk::diagnostic::Diagnostic| {
        diagnostic
            .help
            .as_deref()
            .is_some_and(|help| help.starts_with("did you mean"))
    };
    assert_eq!(unknown.iter().filter(suggested).count(), 100);
    assert_eq!(
        unknown[0].help.as_deref(),
        Some("did you mean `s0`?"),
        "the first unknown names still get their suggestion"
    );
}
