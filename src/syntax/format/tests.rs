//! Tests of the canonical layout: worked examples, the example project,
//! and properties over generated recipes (idempotence, the same tree, no
//! comment lost).

use proptest::prelude::*;

use super::{
    format,
    meaning::{comment_texts, without_spans},
};
use crate::{
    syntax::ast::File, syntax::keyword::PROPERTY_KEYWORDS, syntax::parse::parse,
    syntax::span::SourceId,
};

/// The tree of `text` with every span erased, to compare meaning.
fn tree(text: &str) -> File {
    let (file, diagnostics) = parse(SourceId(0), text);
    assert!(diagnostics.is_empty(), "{text}\n{diagnostics:#?}");
    without_spans(file)
}

/// Formats `text`, checks the result is a fixed point with the same tree
/// and comments, and returns it.
fn formatted(text: &str) -> String {
    let once = format(text).unwrap_or_else(|diagnostics| panic!("{text}\n{diagnostics:#?}"));
    assert_eq!(
        tree(&once),
        tree(text),
        "meaning changed:\n{text}\n---\n{once}"
    );
    assert_eq!(
        comment_texts(&once),
        comment_texts(text),
        "comments:\n{once}"
    );
    let twice = format(&once).unwrap();
    assert_eq!(twice, once, "not idempotent; input:\n{text}");
    once
}

#[test]
fn the_example_project_is_canonical() {
    let text = include_str!("../../../examples/night-harbor/soundtrack.sndtrk");
    assert_eq!(formatted(text), text);
}

#[test]
fn one_line_declarations_get_one_property_per_line() {
    assert_eq!(
        formatted(r#"stem fx{role effects layout 5.1   file "fx.wav" gain -1.5dB}"#),
        "stem fx {\n    role effects\n    layout 5.1\n    file \"fx.wav\"\n    gain -1.5dB\n}\n"
    );
}

#[test]
fn literals_are_kept_as_written() {
    let text =
        "stem x {\n    at 01:00:00;12\n    gain +1.50dB\n    layout 7.1.4\n    mask 0x60f\n    \
                file \"a\\\"b\\u{E9}\\n\"\n    release 2027-03-14\n    fade in 2s out 500ms\n}\n";
    assert_eq!(formatted(text), text);
}

#[test]
fn lists_are_bracketed_with_comma_and_space() {
    assert_eq!(
        formatted("target t { territory [ GB ,DE,\n FR, ] matrix [L 1.0,C 0.7071] media [] }"),
        "target t {\n    territory [GB, DE, FR]\n    matrix [L 1.0, C 0.7071]\n    media []\n}\n"
    );
}

#[test]
fn a_member_with_a_downmix_has_a_line_of_its_own() {
    let text = "bus ST 2.0 { fx downmix ltrt  score -3dB downmix loro amb }";
    let expected = "bus ST 2.0 {\n    fx downmix ltrt\n    score -3dB downmix loro\n    amb\n}\n";
    assert_eq!(formatted(text), expected);
    assert_eq!(formatted(expected), expected);
}

#[test]
fn buses_stay_on_one_line_unless_a_member_has_a_gain() {
    assert_eq!(
        formatted("bus DX 5.1 {\n  dx\n  pop\n}\nbus E 2.0 {}\nbus PM 5.1 { DX -3dB MX FX +1dB }"),
        "bus DX 5.1 { dx pop }\nbus E 2.0 { }\n\nbus PM 5.1 {\n    DX -3dB\n    MX\n    FX +1dB\n}\n"
    );
}

#[test]
fn empty_blocks_are_braces_with_a_space() {
    assert_eq!(
        formatted("lint {}\ncue 1M1 \"T\" {\n\n}"),
        "lint { }\ncue 1M1 \"T\" { }\n"
    );
}

#[test]
fn blank_lines_between_declarations() {
    // Kept (collapsed to one) between one-line declarations, always written
    // next to a declaration of several lines, never at the start or end.
    let text = "\n\nimport \"a\"\nimport \"b\"\n\n\n\nimport \"c\"\nstem s { role x }\nbus B 5.1 { s }\nbus C 5.1 { B }\n\n\n";
    assert_eq!(
        formatted(text),
        "import \"a\"\nimport \"b\"\n\nimport \"c\"\n\nstem s {\n    role x\n}\n\nbus B 5.1 { s }\nbus C 5.1 { B }\n"
    );
}

#[test]
fn blank_lines_inside_blocks() {
    assert_eq!(
        formatted("stem s {\n\n    role x\n\n\n    gain 1dB\n\n}\n"),
        "stem s {\n    role x\n\n    gain 1dB\n}\n"
    );
}

#[test]
fn trailing_comments_follow_one_space() {
    assert_eq!(
        formatted("stem s {\n    role x        // why\n    gain 1dB\t/* db */\n}   // end\n"),
        "stem s {\n    role x // why\n    gain 1dB /* db */\n} // end\n"
    );
}

#[test]
fn own_line_comments_are_indented_with_their_code() {
    let text = "   // file\n\n     // before s\nstem s { // open\n// first\n  role x\n      // last\n\n}\n// tail\n\n\n// end";
    assert_eq!(
        formatted(text),
        "// file\n\n// before s\nstem s { // open\n    // first\n    role x\n    // last\n}\n// tail\n\n// end\n"
    );
}

#[test]
fn a_blank_line_goes_before_the_comments_of_the_next_declaration() {
    assert_eq!(
        formatted("stem a { role x }\n// about b\nstem b { role y }"),
        "stem a {\n    role x\n}\n\n// about b\nstem b {\n    role y\n}\n"
    );
}

#[test]
fn comments_inside_arguments_are_kept() {
    let text = "cue 1M1 \"T\" {\n    writer \"A\" // the composer\n        society ASCAP share 100%\n    fade in /* quick */ 2s\n}\n";
    assert_eq!(formatted(text), text);
    assert_eq!(
        formatted("cue 1M1 \"T\" { writer \"A\"\n// own line\nsociety ASCAP }"),
        "cue 1M1 \"T\" {\n    writer \"A\"\n        // own line\n        society ASCAP\n}\n"
    );
}

#[test]
fn comments_inside_lists_are_kept() {
    assert_eq!(
        formatted("target t { territory [\n    GB, // UK\n    DE /* de */,\n    FR // last\n] }"),
        "target t {\n    territory [GB, // UK\n        DE, /* de */ FR // last\n        ]\n}\n"
    );
}

#[test]
fn comments_inside_headers_and_buses_are_kept() {
    assert_eq!(
        formatted("bus /* b */ DX 5.1 { dx /* d */ pop }"),
        "bus /* b */ DX 5.1 { dx /* d */ pop }\n"
    );
    assert_eq!(
        formatted("bus DX 5.1 { dx // d\n pop }\nimport // i\n\"std\""),
        "bus DX 5.1 {\n    dx // d\n    pop\n}\n\nimport // i\n    \"std\"\n"
    );
}

#[test]
fn a_multi_line_block_comment_is_kept_verbatim() {
    let text = "/* one\n   two */\nstem s {\n    /**\n     * doc\n     */\n    role x\n}\n";
    assert_eq!(formatted(text), text);
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(formatted(""), "");
    assert_eq!(formatted(" \n\n\t"), "");
    assert_eq!(
        formatted("// only\n\n\n/* this */"),
        "// only\n\n/* this */\n"
    );
}

#[test]
fn windows_line_endings_become_unix() {
    assert_eq!(
        formatted("stem s {\r\n    role x // c\r\n}\r\n"),
        "stem s {\n    role x // c\n}\n"
    );
    assert_eq!(formatted("\u{FEFF}stem s { }"), "stem s { }\n");
}

#[test]
fn a_file_with_syntax_errors_is_refused() {
    let diagnostics = format("stem s { 5 -3dB }\nstem t {").unwrap_err();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0101", "E0101"]);
}

// ------------------------------------------------------------ properties

/// Plain values of every literal kind.
fn atom() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "-1.5dB",
        "48kHz",
        "44.1kHz",
        "5.1",
        "7.1.4",
        "0x60F",
        "01:00:00:00",
        "00:59:58;12",
        "2027-03-14",
        "24",
        "-0.5",
        "+3",
        "50%",
        "1f",
        "500ms",
        "dialogue",
        "netflix.stereo",
        "C",
        "1M1",
        "\"Ana Ruiz\"",
        "\"a \\\"quoted\\\" \\u{E9} // not a comment /* nor this */\"",
        "\"\"",
    ])
    .prop_map(str::to_owned)
}

/// A property argument: a value or a list.
fn argument() -> impl Strategy<Value = Vec<String>> {
    let list = (
        prop::collection::vec(prop::collection::vec(atom(), 1..3), 0..4),
        any::<bool>(),
    )
        .prop_map(|(items, trailing_comma)| {
            let mut tokens = vec!["[".to_owned()];
            let count = items.len();
            for (index, item) in items.into_iter().enumerate() {
                tokens.extend(item);
                if index + 1 < count || trailing_comma {
                    tokens.push(",".to_owned());
                }
            }
            tokens.push("]".to_owned());
            tokens
        });
    prop_oneof![4 => atom().prop_map(|atom| vec![atom]), 1 => list]
}

fn property() -> impl Strategy<Value = Vec<String>> {
    (
        prop::sample::select(PROPERTY_KEYWORDS.to_vec()),
        prop::collection::vec(argument(), 0..4),
    )
        .prop_map(|(keyword, arguments)| {
            let mut tokens = vec![keyword.to_owned()];
            tokens.extend(arguments.into_iter().flatten());
            tokens
        })
}

fn block() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(property(), 0..5).prop_map(|properties| {
        let mut tokens = vec!["{".to_owned()];
        tokens.extend(properties.into_iter().flatten());
        tokens.push("}".to_owned());
        tokens
    })
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["dx", "fx", "1M1", "2M3A", "amb_2", "PM", "cues"])
        .prop_map(str::to_owned)
}

fn members() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        (
            name(),
            prop::option::of(prop::sample::select(vec!["-3dB", "+1.5dB", "0dB"])),
            prop::option::of(prop::sample::select(vec!["loro", "ltrt"])),
        ),
        0..4,
    )
    .prop_map(|members| {
        let mut tokens = vec!["{".to_owned()];
        for (name, gain, downmix) in members {
            tokens.push(name);
            tokens.extend(gain.map(str::to_owned));
            if let Some(downmix) = downmix {
                tokens.push("downmix".to_owned());
                tokens.push(downmix.to_owned());
            }
        }
        tokens.push("}".to_owned());
        tokens
    })
}

fn declaration() -> impl Strategy<Value = Vec<String>> {
    let title = || {
        prop::sample::select(vec!["\"Night Harbor\"", "\"std/layouts\""]).prop_map(str::to_owned)
    };
    let with =
        |head: Vec<String>, body: Vec<String>| head.into_iter().chain(body).collect::<Vec<_>>();
    prop_oneof![
        (title(), block()).prop_map(move |(t, b)| with(vec!["project".into(), t], b)),
        title().prop_map(|t| vec!["import".into(), t]),
        (name(), block()).prop_map(move |(n, b)| with(vec!["stem".into(), n], b)),
        (name(), title(), block()).prop_map(move |(n, t, b)| with(vec!["cue".into(), n, t], b)),
        (name(), block()).prop_map(move |(n, b)| with(vec!["license".into(), n], b)),
        (
            name(),
            prop::sample::select(vec!["5.1", "2.0", "7.1.4", "stereo"]),
            members()
        )
            .prop_map(move |(n, l, m)| with(vec!["bus".into(), n, l.into()], m)),
        (name(), block()).prop_map(move |(n, b)| with(vec!["target".into(), n], b)),
        (name(), title(), block()).prop_map(move |(n, t, b)| with(vec!["album".into(), n, t], b)),
        block().prop_map(move |b| with(vec!["spec".into(), "netflix.stereo".into()], b)),
        block().prop_map(move |b| with(vec!["layout".into(), "7.1.4".into()], b)),
        (name(), block()).prop_map(move |(n, b)| with(vec!["downmix".into(), n], b)),
        block().prop_map(move |b| with(vec!["lint".into()], b)),
    ]
}

/// The tokens of a recipe.
fn recipe_tokens() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(declaration(), 0..6)
        .prop_map(|declarations| declarations.into_iter().flatten().collect())
}

/// What may go between two tokens: blanks, line breaks, comments.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just(" "),
        3 => Just("\n"),
        1 => Just("\n        "),
        1 => Just("\n\n\n"),
        1 => Just("\t"),
        1 => Just("\r\n"),
        1 => Just(" /* c1 */ "),
        1 => Just("/*c2*/"),
        1 => Just(" // c3\n"),
        1 => Just("\n// c4\n"),
        1 => Just("\n\n  // c5 \n\n"),
        1 => Just("/* multi\n   line */"),
        1 => Just("\n/* c6 */ "),
    ]
}

/// A recipe's tokens joined by random separators.
fn recipe() -> impl Strategy<Value = String> {
    recipe_tokens().prop_flat_map(|tokens| {
        let count = tokens.len() + 1;
        prop::collection::vec(separator(), count).prop_map(move |separators| {
            let mut text = String::new();
            for (token, separator) in tokens.iter().zip(&separators) {
                text.push_str(separator);
                text.push_str(token);
            }
            text.push_str(separators[count - 1]);
            text
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(text in recipe()) {
        // `formatted` asserts the tree, the comments and the fixed point.
        let once = formatted(&text);
        prop_assert!(!once.contains(" \n"), "trailing blank:\n{once}");
        prop_assert!(!once.contains("\n\n\n"), "two blank lines:\n{once}");
    }

    #[test]
    fn without_comments_the_layout_of_the_input_does_not_matter(tokens in recipe_tokens()) {
        let one_line = tokens.join(" ");
        let many_lines = tokens.join("\n  ");
        prop_assert_eq!(format(&one_line).unwrap(), format(&many_lines).unwrap());
    }
}
