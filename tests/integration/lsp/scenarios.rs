//! What the server must do, written once against [`Client`] and run both
//! in process and through the binary.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::client::{published_for, Client};

/// The example recipe.
pub const EXAMPLE: &str = include_str!("../../../examples/night-harbor/soundtrack.sndtrk");

/// A project directory holding `soundtrack.sndtrk` with `text`.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(text: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("sndtrk-lsp")
            .tempdir()
            .expect("temporary directory");
        std::fs::write(dir.path().join("soundtrack.sndtrk"), text).expect("write recipe");
        Self { dir }
    }

    pub fn path(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).expect("canonical")
    }

    /// The `file:` URI of a file of the project.
    pub fn uri(&self, name: &str) -> String {
        uri_of(&self.path().join(name))
    }
}

pub fn uri_of(path: &Path) -> String {
    lsp_types::Url::from_file_path(path)
        .expect("uri")
        .to_string()
}

/// The position (line, UTF-16 column) of byte `offset` of `text`.
pub fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |index| index + 1);
    (line as u32, before[start..].encode_utf16().count() as u32)
}

/// The byte offset of the `nth` (from 0) occurrence of `needle` in `text`.
pub fn find(text: &str, needle: &str, nth: usize) -> usize {
    text.match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th `{needle}`"))
        .0
}

/// The range of the `nth` `needle`, as JSON.
pub fn range_of(text: &str, needle: &str, nth: usize) -> Value {
    let start = find(text, needle, nth);
    let (line, character) = position(text, start);
    let (end_line, end_character) = position(text, start + needle.len());
    json!({
        "start": { "line": line, "character": character },
        "end": { "line": end_line, "character": end_character },
    })
}

/// Applies text edits (non-overlapping, any order) to `text`.
pub fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = &text[start..];
        let mut units = 0;
        for (index, c) in rest.char_indices() {
            if units >= character || c == '\n' {
                return start + index;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort_by_key(|span| std::cmp::Reverse(span.0));
    let mut out = text.to_owned();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// A typo in a bus member is E0204 at exactly the member; fixing it
/// publishes an empty list.
pub fn typo_in_bus_member_then_fixed(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    let typo = EXAMPLE.replace("{ fx foley amb }", "{ fx folly amb }");
    let published = client.open(&uri, &typo);
    let list = published_for(&published, &uri).expect("diagnostics for the recipe");
    assert_eq!(list.len(), 1, "{list:#?}");
    let diagnostic = &list[0];
    assert_eq!(diagnostic["code"], "E0204");
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["source"], "sndtrk");
    assert_eq!(diagnostic["range"], range_of(&typo, "folly", 0));
    let related = diagnostic["relatedInformation"]
        .as_array()
        .expect("related");
    assert!(
        related.iter().any(|info| info["message"]
            .as_str()
            .unwrap()
            .starts_with("help: did you mean `foley`")),
        "{related:#?}"
    );
    let published = client.change(&uri, 2, EXAMPLE);
    assert_eq!(published_for(&published, &uri), Some(Vec::new()));
}

/// A lint rule's diagnostic links its doc; `lint` and suppressions apply.
pub fn lint_rules_with_their_configuration(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    let pending = EXAMPLE.replacen("    status executed\n", "    status pending\n", 1);
    let list = published_for(&client.open(&uri, &pending), &uri).unwrap();
    let r007 = list.iter().find(|d| d["code"] == "R007").expect("R007");
    assert_eq!(r007["severity"], 2, "a warning");
    let href = r007["codeDescription"]["href"]
        .as_str()
        .expect("a doc link");
    assert!(
        href.ends_with("src/lint/rules/r007_licence_not_executed.rs"),
        "{href}"
    );
    let allowed = format!("{pending}\nlint {{ allow R007 }}\n");
    let list = published_for(&client.change(&uri, 2, &allowed), &uri).unwrap();
    assert!(list.iter().all(|d| d["code"] != "R007"), "{list:#?}");
}

/// Definition of a bus member lands on the stem's name; of an import on
/// the standard library's read-only document.
pub fn definition(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    client.open(&uri, EXAMPLE);
    let member = find(EXAMPLE, "{ dx pop }", 0) + 2;
    let found = client.at("textDocument/definition", &uri, position(EXAMPLE, member));
    assert_eq!(found["uri"], uri);
    assert_eq!(
        found["range"],
        range_of(EXAMPLE, "dx", find_count(EXAMPLE, "stem dx", "dx"))
    );
    // `from PM` → `bus PM`; `cue 2M3` in a licence → the cue; `spec` → the stdlib.
    let from = find(EXAMPLE, "from PM", 0) + 5;
    let found = client.at("textDocument/definition", &uri, position(EXAMPLE, from));
    let bus = find(EXAMPLE, "bus PM", 0) + 4;
    assert_eq!(
        found["range"]["start"],
        json!({ "line": position(EXAMPLE, bus).0, "character": position(EXAMPLE, bus).1 })
    );
    let spec = find(EXAMPLE, "netflix.stereo", 0);
    let found = client.at("textDocument/definition", &uri, position(EXAMPLE, spec));
    assert_eq!(found["uri"], "sndtrk-std:/std/delivery/netflix.sndtrk");
    let import = find(EXAMPLE, "\"std/layouts\"", 0) + 3;
    let found = client.at("textDocument/definition", &uri, position(EXAMPLE, import));
    assert_eq!(found["uri"], "sndtrk-std:/std/layouts.sndtrk");
    let text = client
        .request(
            "sndtrk/stdlib",
            json!({ "uri": "sndtrk-std:/std/layouts.sndtrk" }),
        )
        .expect("the stdlib text");
    assert!(text["text"].as_str().unwrap().contains("layout 5.1"));
    let matched = find(EXAMPLE, "match print_master", 0) + 7;
    let found = client.at("textDocument/definition", &uri, position(EXAMPLE, matched));
    let target = find(EXAMPLE, "target print_master", 0) + 7;
    assert_eq!(found["range"]["start"]["line"], position(EXAMPLE, target).0);
}

/// Which occurrence of `needle` in `text` the `needle` inside the first
/// `context` is.
fn find_count(text: &str, context: &str, needle: &str) -> usize {
    let at = find(text, context, 0) + context.find(needle).unwrap();
    text.match_indices(needle)
        .take_while(|(index, _)| *index < at)
        .count()
}

/// Hover on a stem gives its duration, layout and placement; on a cue its
/// writers and clearance; on a spec its numbers; on a unit its base value.
pub fn hover(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    client.open(&uri, EXAMPLE);
    let hover_text = |client: &mut dyn FnMut(usize) -> Value, offset: usize| {
        client(offset)["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut ask = |offset: usize| client.at("textDocument/hover", &uri, position(EXAMPLE, offset));
    let fx = hover_text(&mut ask, find(EXAMPLE, "{ fx foley", 0) + 2);
    assert!(fx.contains("duration 40.000 s = 00:00:40:00"), "{fx}");
    assert!(fx.contains("layout 5.1"), "{fx}");
    assert!(fx.contains("layout: 5.1"), "{fx}");
    assert!(fx.contains("placed 01:00:00:00–01:00:40:00"), "{fx}");
    let song = hover_text(&mut ask, find(EXAMPLE, "cue 2M3", 1) + 4);
    assert!(song.contains("writer: J. Smith (BMI), 50%"), "{song}");
    assert!(
        song.contains("target stereo: sync cleared by `sync_2M3`"),
        "{song}"
    );
    assert!(
        song.contains("album ost: album cleared by `album_2M3`"),
        "{song}"
    );
    let spec = hover_text(&mut ask, find(EXAMPLE, "netflix.stereo", 0) + 2);
    assert!(spec.contains("LUFS"), "{spec}");
    let rate = hover_text(&mut ask, find(EXAMPLE, "44.1kHz", 0) + 1);
    assert!(rate.contains("44100 Hz"), "{rate}");
    let license = hover_text(&mut ask, find(EXAMPLE, "license sync_2M3", 0) + 9);
    assert!(
        license.contains("- kind: sync") && license.contains("- status: executed"),
        "{license}"
    );
    let target = hover_text(&mut ask, find(EXAMPLE, "match print_master", 0) + 7);
    assert!(target.contains("- spec: netflix.surround"), "{target}");
    let frames = hover_text(&mut ask, find(EXAMPLE, "1f", 0));
    assert!(frames.contains("0.041667 s"), "{frames}");
}

/// Completion after `from ` offers the buses; in a stem, its properties;
/// after `usage `, the codes; after a number, units.
pub fn completion(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    let text = EXAMPLE.replacen(
        "    from PM\n    layout 5.1\n",
        "    from \n    layout 5.1\n",
        1,
    );
    client.open(&uri, &text);
    let labels = |found: Value| -> Vec<String> {
        found
            .as_array()
            .or_else(|| found["items"].as_array())
            .expect("items")
            .iter()
            .map(|item| item["label"].as_str().unwrap().to_owned())
            .collect()
    };
    let after_from = find(&text, "from \n", 0) + 5;
    let offered = labels(client.at("textDocument/completion", &uri, position(&text, after_from)));
    for bus in ["DX", "MX", "FX", "PM"] {
        assert!(offered.contains(&bus.to_owned()), "{offered:?}");
    }
    assert!(
        !offered.contains(&"dx".to_owned()),
        "a stem is no source of a target"
    );
    let usage = find(&text, "usage VV", 0) + 6;
    let offered = labels(client.at("textDocument/completion", &uri, position(&text, usage)));
    assert!(offered.contains(&"BI".to_owned()) && offered.contains(&"MT".to_owned()));
    let in_stem = find(&text, "    gain -1.5dB", 0) + 4;
    let offered = labels(client.at("textDocument/completion", &uri, position(&text, in_stem)));
    assert!(offered.contains(&"trim".to_owned()) && offered.contains(&"role".to_owned()));
    assert!(!offered.contains(&"licensor".to_owned()));
    let unit = find(&text, "-1.5dB", 0) + 4;
    let offered = labels(client.at("textDocument/completion", &uri, position(&text, unit)));
    assert!(offered.contains(&"dB".to_owned()) && offered.contains(&"dBFS".to_owned()));
}

/// Formatting gives edits that make the text what `sndtrk fmt` writes.
pub fn formatting(client: &mut impl Client) -> (String, String) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    let messy = EXAMPLE
        .replace("    ", "\t  ")
        .replace("bus DX 5.1 { dx pop }", "bus   DX 5.1 {dx\n pop}");
    client.open(&uri, &messy);
    let edits = client
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
        )
        .expect("formatting");
    let edits = edits.as_array().expect("edits").clone();
    assert!(!edits.is_empty());
    let formatted = apply(&messy, &edits);
    assert_eq!(
        formatted,
        sndtrk::syntax::format::format(&messy).expect("formats")
    );
    // A broken file is left alone.
    client.change(&uri, 2, "stem dx {");
    let edits = client
        .request("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }))
        .expect("an answer");
    assert!(edits.is_null() || edits == json!([]), "{edits}");
    (messy, formatted)
}

/// Renaming a cue changes every reference (licences, the album), and
/// nothing else; the project stays clean.
pub fn rename_cue(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    client.open(&uri, EXAMPLE);
    let at = find(EXAMPLE, "track 2M3", 0) + 7;
    let prepared = client.at("textDocument/prepareRename", &uri, position(EXAMPLE, at));
    assert_eq!(
        prepared,
        range_of(EXAMPLE, "2M3", EXAMPLE.matches("2M3").count() - 1)
    );
    let taken = client.request(
        "textDocument/rename",
        json!({
            "textDocument": { "uri": uri },
            "position": { "line": position(EXAMPLE, at).0, "character": position(EXAMPLE, at).1 },
            "newName": "1M1",
        }),
    );
    assert!(taken.is_err(), "a cue 1M1 exists: {taken:?}");
    let edit = client
        .request(
            "textDocument/rename",
            json!({
                "textDocument": { "uri": uri },
                "position": { "line": position(EXAMPLE, at).0, "character": position(EXAMPLE, at).1 },
                "newName": "2M4",
            }),
        )
        .expect("rename");
    let edits = edit["changes"][&uri]
        .as_array()
        .expect("edits for the recipe")
        .clone();
    // The declaration, three licences and the album track.
    assert_eq!(edits.len(), 5, "{edits:#?}");
    let renamed = apply(EXAMPLE, &edits);
    assert!(renamed.contains("cue 2M4 \"Ocean Drive\""));
    assert!(
        renamed.contains("license sync_2M3"),
        "other names keep their text"
    );
    assert_eq!(renamed.matches("cue 2M4").count(), 4);
    assert!(renamed.contains("track 2M4"));
    let published = client.change(&uri, 2, &renamed);
    assert_eq!(published_for(&published, &uri), Some(Vec::new()));
    // A standard library name cannot be renamed; nor into a non-name.
    let spec = find(&renamed, "netflix.stereo", 0);
    let refused = client.request(
        "textDocument/rename",
        json!({
            "textDocument": { "uri": uri },
            "position": { "line": position(&renamed, spec).0, "character": position(&renamed, spec).1 },
            "newName": "mine",
        }),
    );
    assert!(refused.is_err(), "{refused:?}");
}

/// References of a bus; document symbols and folding ranges.
pub fn references_symbols_folding(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    client.open(&uri, EXAMPLE);
    let at = find(EXAMPLE, "bus PM", 0) + 4;
    let found = client.at("textDocument/references", &uri, position(EXAMPLE, at));
    // The declaration and the `from PM` of three targets (`me` is from MX FX).
    assert_eq!(found.as_array().unwrap().len(), 4, "{found:#?}");
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        )
        .unwrap();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| symbol["name"].as_str().unwrap())
        .collect();
    // The project, four imports, 5 stems, 2 cues, 3 licences, 4 buses, 4 targets, the album.
    assert_eq!(names.len(), 24, "{names:?}");
    assert!(
        names.contains(&"dx")
            && names.contains(&"2M3 \"Ocean Drive\"")
            && names.contains(&"std/layouts")
    );
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": uri } }),
        )
        .unwrap();
    let folds = folds.as_array().unwrap();
    let stem = position(EXAMPLE, find(EXAMPLE, "stem dx", 0)).0;
    assert!(
        folds.iter().any(|fold| fold["startLine"] == stem),
        "{folds:#?}"
    );
}

/// An imported file open in the editor is read from its buffer, unsaved.
pub fn unsaved_import(client: &mut impl Client) {
    let root = "import \"std/layouts\"\nimport \"music.sndtrk\"\n\nproject \"P\" {\n    frame_rate 24\n    sample_rate 48kHz\n    picture_start 01:00:00:00\n}\n\nbus MX 2.0 { 1M1 }\n\ntarget t {\n    from MX\n    layout 2.0\n    format wav 48kHz 24bit\n}\n";
    let music = "cue 1M1 \"Théme\" {\n    type score\n    usage BI\n    tone 220Hz -24dBFS for 2s\n    at 01:00:00:00\n    writer \"Björk\" society ASCAP share 100%\n    publisher \"M\" society ASCAP share 100%\n}\n";
    let project = Project::new(root);
    std::fs::write(project.path().join("music.sndtrk"), music).unwrap();
    let root_uri = project.uri("soundtrack.sndtrk");
    let music_uri = project.uri("music.sndtrk");
    let published = client.open(&root_uri, root);
    assert_eq!(
        published_for(&published, &root_uri),
        Some(Vec::new()),
        "{published:#?}"
    );
    assert_eq!(published_for(&published, &music_uri), Some(Vec::new()));
    client.open(&music_uri, music);
    let renamed = music.replace("cue 1M1", "cue 1M2");
    let published = client.change(&music_uri, 2, &renamed);
    let list = published_for(&published, &root_uri).expect("the root's diagnostics");
    assert!(
        list.iter()
            .any(|d| d["code"] == "E0204" && d["range"] == range_of(root, "1M1", 0)),
        "{list:#?}"
    );
    // Definition from the root into the open import, past the non-ASCII title.
    client.change(&music_uri, 3, music);
    let at = find(root, "{ 1M1 }", 0) + 2;
    let found = client.at("textDocument/definition", &root_uri, position(root, at));
    assert_eq!(found["uri"], music_uri);
    assert_eq!(found["range"], range_of(music, "1M1", 0));
    // Rename from the import changes the root too; a cursor after `Björk`.
    let edit = client
        .request(
            "textDocument/rename",
            json!({
                "textDocument": { "uri": music_uri },
                "position": { "line": 0, "character": 5 },
                "newName": "1M9",
            }),
        )
        .expect("rename");
    assert_eq!(edit["changes"][&root_uri].as_array().unwrap().len(), 1);
    assert_eq!(edit["changes"][&music_uri].as_array().unwrap().len(), 1);
    let writer = find(music, "ASCAP share", 0);
    let hovered = client.at(
        "textDocument/hover",
        &music_uri,
        position(music, writer + 13),
    );
    assert!(
        hovered["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("`100%` = 1"),
        "{hovered}"
    );
}

/// Hover on a stem from a WAV file reads its header.
pub fn hover_on_a_file_stem(client: &mut impl Client) {
    let test = crate::audio_support::project::project(crate::audio_support::project::RECIPE);
    let dir = std::fs::canonicalize(test.path()).unwrap();
    let uri = uri_of(&dir.join("soundtrack.sndtrk"));
    let text = crate::audio_support::project::RECIPE;
    let published = client.open(&uri, text);
    assert!(published_for(&published, &uri).is_some());
    let at = find(text, "{ dx }", 0) + 2;
    let shown = client.at("textDocument/hover", &uri, position(text, at));
    let shown = shown["contents"]["value"].as_str().unwrap();
    assert!(
        shown
            .contains("`stems/dx.wav`, WAV 24-bit integer, 1 channels, 48000 Hz, duration 3.000 s = 00:00:03:00"),
        "{shown}"
    );
    assert!(shown.contains("layout: 1.0"), "{shown}");
    assert!(shown.contains("placed 01:00:00:00–01:00:03:00"), "{shown}");
}

/// A range after non-ASCII text on its line counts UTF-16 code units (an
/// emoji is two).
pub fn ranges_in_utf16(client: &mut impl Client) {
    let project = Project::new(EXAMPLE);
    let uri = project.uri("soundtrack.sndtrk");
    let text = EXAMPLE.replace("{ fx foley amb }", "{ /* Björk 🎵 */ fx folly amb }");
    let list = published_for(&client.open(&uri, &text), &uri).unwrap();
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["range"], range_of(&text, "folly", 0));
    let line = &text[text.find("bus FX").unwrap()..];
    let column = line[..line.find("folly").unwrap()].encode_utf16().count();
    assert_eq!(list[0]["range"]["start"]["character"], column);
    assert_ne!(
        column,
        line[..line.find("folly").unwrap()].len(),
        "the line is not ASCII"
    );
    let at = find(&text, "fx folly", 0);
    let found = client.at("textDocument/definition", &uri, position(&text, at));
    assert_eq!(
        found["range"],
        range_of(&text, "fx", find_count(&text, "stem fx", "fx"))
    );
}
