//! The language reference, `docs/language.md`, against the implementation:
//! every recipe example in it checks clean, and it documents every
//! declaration and every property keyword of the grammar.
//!
//! Code fences in the reference are read by their info string:
//!
//! - ```` ```sndtrk ````: a complete recipe. It is written as
//!   `soundtrack.sndtrk` in a fresh project directory, and `sndtrk check`
//!   must exit 0 and print nothing: no error, no warning.
//! - ```` ```sndtrk files="PATH:Nch[:RATE][:LENGTH],…" ````: the same, after
//!   writing each PATH (relative to the project) as a silent 16-bit WAV file
//!   of N channels at RATE (`48kHz` unless given; `44.1kHz`, `96kHz`,
//!   `48000`), LENGTH long (`12s`; a quarter of a second unless given).
//! - ```` ```sndtrk path="PATH" ````: not a recipe of its own but another
//!   file of the project (one that a recipe imports). It is written at PATH
//!   in the project of the next complete recipe, and checked as part of it.
//! - ```` ```sndtrk-fragment ````: a declaration shown out of context. It
//!   must parse (no `E01xx` syntax diagnostic) when checked as a recipe on
//!   its own; other diagnostics are allowed. Keep these few.
//!
//! Any other fence (the plain ```` ``` ```` syntax summaries) is prose.

use std::path::PathBuf;

use crate::{cuesheet::wav, test::Test};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> String {
    std::fs::read_to_string(root().join("docs/language.md")).expect("read docs/language.md")
}

fn grammar() -> String {
    std::fs::read_to_string(root().join("grammar/sndtrk.pest")).expect("read the grammar")
}

/// One fenced code block of the reference.
#[derive(Debug)]
struct Block {
    /// The line of its opening fence, for messages.
    line: usize,
    /// The first word of the info string (`sndtrk`, `sndtrk-fragment` …).
    tag: String,
    /// The `key="value"` pairs after it.
    attributes: Vec<(String, String)>,
    text: String,
}

impl Block {
    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }
}

/// Every fenced block of `markdown`, in order.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let info = info.trim();
                let (tag, rest) = info.split_once(char::is_whitespace).unwrap_or((info, ""));
                open = Some(Block {
                    line: index + 1,
                    tag: tag.to_owned(),
                    attributes: attributes(rest, index + 1),
                    text: String::new(),
                });
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                found.extend(open.take());
            }
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "docs/language.md ends inside a code fence");
    found
}

/// `key="value" key="value"`
fn attributes(text: &str, line: usize) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (key, value) = rest
            .split_once("=\"")
            .unwrap_or_else(|| panic!("line {line}: expected key=\"value\", found {rest:?}"));
        let (value, after) = value
            .split_once('"')
            .unwrap_or_else(|| panic!("line {line}: unclosed attribute {key}"));
        found.push((key.trim().to_owned(), value.to_owned()));
        rest = after.trim_start();
    }
    found
}

/// A sample rate as the `files` attribute writes it: `48kHz`, `44.1kHz`, `48000`.
fn rate(text: &str, line: usize) -> u32 {
    let hertz = match text.strip_suffix("kHz") {
        Some(kilo) => kilo.parse::<f64>().map(|value| value * 1000.0),
        None => text.trim_end_matches("Hz").parse::<f64>(),
    };
    match hertz {
        Ok(value) if value >= 1.0 => value.round() as u32,
        _ => panic!("line {line}: {text:?} is not a sample rate"),
    }
}

/// The WAV files a block asks for: (path, bytes).
fn files(block: &Block) -> Vec<(String, Vec<u8>)> {
    let Some(list) = block.attribute("files") else {
        return Vec::new();
    };
    list.split(',')
        .map(|entry| {
            let mut parts = entry.trim().split(':');
            let path = parts.next().unwrap_or_default();
            let channels = parts
                .next()
                .and_then(|channels| channels.strip_suffix("ch"))
                .and_then(|channels| channels.parse::<u16>().ok())
                .unwrap_or_else(|| panic!("line {}: {entry:?} is not PATH:Nch[:RATE]", block.line));
            let mut rest: Vec<&str> = parts.collect();
            // A length, `12s`, comes last; whatever else remains is the rate.
            let seconds = match rest.last().and_then(|last| last.strip_suffix('s')) {
                Some(number) => {
                    let seconds = number.parse::<f64>().unwrap_or_else(|_| {
                        panic!("line {}: {entry:?} has a bad length", block.line)
                    });
                    rest.pop();
                    seconds
                }
                _ => 0.25,
            };
            let rate = rest.first().map_or(48_000, |text| rate(text, block.line));
            assert!(
                rest.len() <= 1 && !path.is_empty(),
                "line {}: {entry:?} is not PATH:Nch[:RATE][:LENGTH]",
                block.line
            );
            (path.to_owned(), wav(channels, rate, seconds))
        })
        .collect()
}

/// What checking one example found, if it is not clean.
fn check(recipe: &str, companions: &[(String, String)], audio: &[(String, Vec<u8>)]) -> Ran {
    let mut test = Test::new().recipe(recipe);
    for (path, text) in companions {
        test = test.write(path, text);
    }
    for (path, bytes) in audio {
        test = test.write(path, bytes);
    }
    let ran = test
        .arg("check")
        .status_any()
        .stdout_any()
        .stderr_any()
        .run();
    Ran {
        status: ran.status,
        stdout: ran.stdout,
        stderr: ran.stderr,
    }
}

struct Ran {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn is_clean(&self) -> bool {
        self.status == 0 && self.stdout.is_empty() && self.stderr.is_empty()
    }
}

/// Checks every block of `markdown`; returns a message per failure.
fn failures(markdown: &str) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut companions: Vec<(String, String)> = Vec::new();
    for block in blocks(markdown) {
        match block.tag.as_str() {
            "sndtrk" => {
                if let Some(path) = block.attribute("path") {
                    companions.push((path.to_owned(), block.text.clone()));
                    continue;
                }
                let ran = check(&block.text, &companions, &files(&block));
                companions.clear();
                checked += 1;
                if !ran.is_clean() {
                    failures.push(format!(
                        "the example at docs/language.md:{} does not check clean (exit {})\n{}{}",
                        block.line, ran.status, ran.stdout, ran.stderr
                    ));
                }
            }
            "sndtrk-fragment" => {
                let ran = Test::new()
                    .recipe(&block.text)
                    .args(["check", "--format", "json"])
                    .status_any()
                    .stdout_any().run();
                checked += 1;
                let diagnostics: serde_json::Value =
                    serde_json::from_str(&ran.stdout).unwrap_or_default();
                let syntax: Vec<&serde_json::Value> = diagnostics
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|diagnostic| {
                        diagnostic["code"]
                            .as_str()
                            .is_some_and(|code| code.starts_with("E01"))
                    })
                    .collect();
                if !syntax.is_empty() {
                    failures.push(format!(
                        "the fragment at docs/language.md:{} does not parse: {syntax:?}",
                        block.line
                    ));
                }
            }
            tag if tag.starts_with("sndtrk") => failures.push(format!(
                "docs/language.md:{}: unknown fence tag `{tag}` (see tests/integration/language_doc.rs)",
                block.line
            )),
            _ => {}
        }
    }
    if !companions.is_empty() {
        failures.push(format!(
            "docs/language.md ends with `path=` blocks that no recipe follows: {:?}",
            companions.iter().map(|(path, _)| path).collect::<Vec<_>>()
        ));
    }
    (checked, failures)
}

#[test]
fn every_recipe_example_checks_clean() {
    let (checked, failures) = failures(&reference());
    assert!(
        checked >= 15,
        "only {checked} examples found in docs/language.md"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_broken_example_is_reported() {
    let markdown = "```sndtrk\nproject \"X\" { frame_rate 24 sample_rate 48kHz }\nstem fx { role effects }\n```\n\n```sndtrk-fragment\nstem { }\n```\n";
    let (checked, failures) = failures(markdown);
    assert_eq!(checked, 2);
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(
        failures[0].contains("docs/language.md:1 "),
        "{}",
        failures[0]
    );
    assert!(failures[0].contains("E0303"), "{}", failures[0]);
    assert!(
        failures[1].contains("docs/language.md:6 "),
        "{}",
        failures[1]
    );
}

#[test]
fn fences_and_their_files_are_read() {
    let blocks = blocks(
        "text\n```sndtrk files=\"stems/dx.wav:1ch,music/1M1.wav:2ch:44.1kHz,music/1M2.wav:2ch:12s\"\nstem\n```\n```\nplain\n```\n",
    );
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].line, 2);
    assert_eq!(blocks[0].tag, "sndtrk");
    assert_eq!(blocks[0].text, "stem\n");
    assert_eq!(blocks[1].tag, "");
    let written = files(&blocks[0]);
    assert_eq!(written.len(), 3);
    assert_eq!(written[0].0, "stems/dx.wav");
    let header = |bytes: &[u8]| {
        let reader = hound::WavReader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        (
            reader.spec().channels,
            reader.spec().sample_rate,
            reader.duration(),
        )
    };
    assert_eq!(header(&written[0].1), (1, 48_000, 12_000));
    assert_eq!(header(&written[1].1), (2, 44_100, 11_025));
    assert_eq!(header(&written[2].1), (2, 48_000, 576_000));
}

/// The words quoted in `rule = … { "a" | "b" … }` of the grammar.
fn quoted_alternatives(grammar: &str, rule: &str) -> Vec<String> {
    let start = grammar
        .find(&format!("\n{rule} = "))
        .unwrap_or_else(|| panic!("no rule `{rule}` in the grammar"));
    let body = &grammar[start..];
    let end = body.find("\n}").expect("end of rule");
    body[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The rule names listed in `declaration = _{ project | import | … }`.
fn declaration_rules(grammar: &str) -> Vec<String> {
    let start = grammar
        .find("\ndeclaration = ")
        .expect("no `declaration` rule in the grammar");
    let body = &grammar[start..];
    let open = body.find('{').expect("rule body");
    let close = body.find('}').expect("rule end");
    body[open + 1..close]
        .split('|')
        .map(|alternative| alternative.trim().to_owned())
        .filter(|alternative| !alternative.is_empty())
        .collect()
}

/// The backquoted words in the first cell of every table row: the
/// properties the reference's tables document.
fn table_entries(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix('|'))
        .filter_map(|row| row.split('|').next())
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .filter_map(|code| code.split_whitespace().next())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_property_keyword_has_a_table_entry() {
    let keywords = quoted_alternatives(&grammar(), "keyword");
    assert!(keywords.len() >= 40, "{keywords:?}");
    let documented = table_entries(&reference());
    let missing: Vec<&String> = keywords
        .iter()
        .filter(|keyword| !documented.contains(keyword))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/language.md documents no property {missing:?}: give each a row \
         (first cell `keyword`) in the table of the declarations that take it"
    );
}

#[test]
fn every_declaration_has_a_section() {
    let declarations = declaration_rules(&grammar());
    assert!(declarations.len() >= 12, "{declarations:?}");
    let markdown = reference();
    let missing: Vec<&String> = declarations
        .iter()
        .filter(|declaration| {
            !markdown
                .lines()
                .any(|line| line == format!("### {declaration}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/language.md has no `### NAME` section for the declarations {missing:?}"
    );
}

#[test]
fn every_standard_library_file_is_described() {
    let markdown = reference();
    let stdlib = root().join("stdlib");
    let mut missing = Vec::new();
    for entry in walkdir::WalkDir::new(&stdlib) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|ext| ext != "sndtrk") {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(&stdlib)
            .unwrap()
            .with_extension("");
        let name = format!("std/{}", relative.display());
        if !markdown.contains(&format!("### {name}")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/language.md has no `### std/…` section for {missing:?}"
    );
}
