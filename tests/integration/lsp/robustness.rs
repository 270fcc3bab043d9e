//! Random edits to the example (ranges deleted, garbage inserted), each
//! sent as a `didChange` and followed by requests at random positions:
//! every answer arrives within a second and the server survives, in
//! process and as the binary. The seed is fixed, so a failure repeats.

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::json;

use super::{
    client::{published_for, Binary, Client, InProcess},
    scenarios::{position, Project, EXAMPLE},
};

/// Bits of text an edit may insert: the language's punctuation, words,
/// literals, broken strings and comments, and text beyond ASCII.
const GARBAGE: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "\"é",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "stem",
    "bus",
    "from",
    "cue",
    "1M1",
    "-3dB",
    "48kHz",
    "01:00:00:00",
    "2027-02-30",
    "5.1",
    "7.1.4",
    "0x",
    "🎵",
    "Björk",
    "\\u{",
    "layout",
    "spec netflix.",
    "9999999999999999999999",
    "\r\n",
    "\t",
    ";",
    "%",
];

/// A number below `n` (at least 1).
fn below(rng: &mut TestRng, n: usize) -> usize {
    (rng.next_u64() % n.max(1) as u64) as usize
}

fn edit(rng: &mut TestRng, text: &str) -> String {
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let pick = |rng: &mut TestRng| boundaries[below(rng, boundaries.len())];
    let mut text = text.to_owned();
    match below(rng, 3) {
        0 => {
            let (a, b) = (pick(rng), pick(rng));
            let (start, end) = (a.min(b), a.max(b));
            let end = end.min(start + 200);
            let end = (end..=text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            text.replace_range(start..end, "");
        }
        _ => {
            let at = pick(rng);
            let piece = GARBAGE[below(rng, GARBAGE.len())];
            text.insert_str(at, piece);
        }
    }
    if text.len() < 200 {
        text = EXAMPLE.to_owned();
    }
    text
}

fn hammer(client: &mut impl Client, edits: usize) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    client.open(&uri, EXAMPLE);
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut text = EXAMPLE.to_owned();
    let methods = [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/references",
        "textDocument/prepareRename",
    ];
    for version in 0..edits {
        text = edit(&mut rng, &text);
        client.change(&uri, version as i32 + 2, &text);
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let at = position(&text, boundaries[below(&mut rng, boundaries.len())]);
        let method = methods[below(&mut rng, methods.len())];
        let params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": at.0, "character": at.1 + below(&mut rng, 2) as u32 },
            "context": { "includeDeclaration": true },
        });
        let answer = client.request(method, params);
        assert!(
            answer.is_ok(),
            "{method} at {at:?} failed: {answer:?}\n{text}"
        );
        for method in [
            "textDocument/formatting",
            "textDocument/documentSymbol",
            "textDocument/foldingRange",
        ] {
            let answer = client.request(
                method,
                json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
            );
            assert!(answer.is_ok(), "{method} failed: {answer:?}\n{text}");
        }
    }
}

#[test]
fn random_edits_in_process() {
    hammer(&mut InProcess::new(), 300);
}

#[test]
fn random_edits_to_the_binary() {
    let mut server = Binary::start();
    hammer(&mut server, 150);
    assert!(server.is_running());
    assert_eq!(server.shut_down(), 0);
}

/// Changes sent in a burst, without waiting, are all taken: the request
/// after them is answered within a second, and the diagnostics published
/// last are those of the last text.
#[test]
fn a_burst_of_changes() {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    let typo = EXAMPLE.replace("{ fx foley amb }", "{ fx folly amb }");
    let mut server = Binary::start();
    server.open(&uri, EXAMPLE);
    for version in 2..600 {
        let text = if version % 2 == 0 {
            EXAMPLE
        } else {
            typo.as_str()
        };
        server.send_notification(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }
    let published = server.change(&uri, 600, &typo);
    let last = published_for(&published, &uri).expect("diagnostics of the last text");
    assert_eq!(last.len(), 1, "{last:#?}");
    assert_eq!(last[0]["code"], "E0204");
    assert_eq!(server.shut_down(), 0);
}
