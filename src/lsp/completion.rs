//! Completion from the text before the cursor, which need not parse: the
//! declaration keywords at the top level; in a block, the property words
//! that kind of declaration takes, or after a property word the values it
//! takes (names of the right kind after `from`, `cue`, `track`, `spec`,
//! `layout`, `downmix`, `match`; usage codes, roles and the other fixed
//! words); in a bus, the stems, cues and buses; after a number, the units.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};

use crate::{
    lint::RULES,
    lsp::position::LineIndex,
    model::Model,
    resolve::{properties, MEDIA, ROLES, USAGES},
    syntax::ast::DeclarationKind,
};

/// The units a number may carry.
const UNITS: &[&str] = &[
    "dB", "dBFS", "dBTP", "LUFS", "LKFS", "LU", "Hz", "kHz", "bit", "ms", "s", "min", "f", "%",
    "deg",
];

/// The completions at byte `offset` of `text`, with names from `model`.
pub fn complete(text: &str, offset: usize, model: &Model) -> Vec<CompletionItem> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || "_-.%".contains(*c))
        .last()
        .map_or(offset, |(index, _)| index);
    let word = &before[word_start..];
    if let Some(units) = units(text, word_start, word, offset) {
        return units;
    }
    let tokens = tokens(&before[..word_start]);
    let Some(block) = open_block(&tokens) else {
        return words(
            DeclarationKind::ALL.iter().map(|kind| kind.keyword()),
            CompletionItemKind::KEYWORD,
        );
    };
    let kind = tokens[..block]
        .iter()
        .rev()
        .find_map(|token| DeclarationKind::from_keyword(token));
    let inside = &tokens[block + 1..];
    let Some(kind) = kind else {
        return Vec::new();
    };
    let previous = inside.last().copied();
    if kind == DeclarationKind::Bus {
        if previous == Some("downmix") {
            return names(model.downmixes.names(), CompletionItemKind::FUNCTION);
        }
        let mut items = names(model.stems.names(), CompletionItemKind::VARIABLE);
        items.extend(names(model.cues.names(), CompletionItemKind::VARIABLE));
        items.extend(names(model.buses.names(), CompletionItemKind::MODULE));
        items.extend(words(["cues", "downmix"], CompletionItemKind::KEYWORD));
        return items;
    }
    if let Some(values) = previous.and_then(|keyword| values(kind, keyword, model)) {
        return values;
    }
    words(
        properties(kind).iter().copied(),
        CompletionItemKind::PROPERTY,
    )
}

/// The units after a number being typed (`48k`, `-3`), replacing what
/// follows its digits.
fn units(text: &str, start: usize, word: &str, offset: usize) -> Option<Vec<CompletionItem>> {
    let sign = usize::from(word.starts_with(['-', '+']));
    let (start, word) = (start + sign, &word[sign..]);
    let digits = word
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(word.len());
    let number = &word[..digits];
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let typed = &word[digits..];
    if !typed.chars().all(|c| c.is_ascii_alphabetic() || c == '%') {
        return None;
    }
    // `2.0`, `5.1` (layouts) and cue IDs (`1M1`) are not numbers with units.
    if typed.chars().skip(1).any(|c| c.is_ascii_digit()) {
        return None;
    }
    let lines = LineIndex::new(text);
    let range: Range = lines.range(start + digits, offset);
    Some(
        UNITS
            .iter()
            .filter(|unit| {
                unit.to_ascii_lowercase()
                    .starts_with(&typed.to_ascii_lowercase())
            })
            .map(|unit| CompletionItem {
                label: (*unit).to_owned(),
                kind: Some(CompletionItemKind::UNIT),
                filter_text: Some(format!("{number}{unit}")),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                    range,
                    (*unit).to_owned(),
                ))),
                ..CompletionItem::default()
            })
            .collect(),
    )
}

/// The values that follow `keyword` in a declaration of `kind`.
fn values(kind: DeclarationKind, keyword: &str, model: &Model) -> Option<Vec<CompletionItem>> {
    use CompletionItemKind as Item;
    use DeclarationKind as Kind;
    Some(match (kind, keyword) {
        (Kind::Target, "from") => {
            let mut items = names(model.buses.names(), Item::MODULE);
            items.extend(names(model.scenes.names(), Item::MODULE));
            items
        }
        (Kind::Immersive, "bed") => names(model.buses.names(), Item::MODULE),
        (Kind::Immersive, "objects") => names(model.objects.names(), Item::VARIABLE),
        (Kind::Downmix, "from" | "to") | (_, "layout") => {
            names(model.layouts.names(), Item::ENUM_MEMBER)
        }
        (_, "cue" | "track") => names(model.cues.names(), Item::VARIABLE),
        (_, "spec") => names(model.specs.names(), Item::STRUCT),
        (_, "downmix") => names(model.downmixes.names(), Item::FUNCTION),
        (_, "match") => names(model.targets.names(), Item::CLASS),
        (Kind::Target, "reel") => names(model.reels.names(), Item::CLASS),
        (_, "dialogue_gate") => {
            let mut items = names(model.stems.names(), Item::VARIABLE);
            items.extend(names(model.buses.names(), Item::MODULE));
            items
        }
        (_, "usage") => words(USAGES.iter().copied(), Item::ENUM_MEMBER),
        (_, "role") => words(ROLES.iter().copied(), Item::ENUM_MEMBER),
        (_, "type") => words(["score", "song"], Item::ENUM_MEMBER),
        (Kind::Cue, "source") => words(["diegetic", "non-diegetic"], Item::ENUM_MEMBER),
        (Kind::License, "kind") => words(["sync", "master", "album"], Item::ENUM_MEMBER),
        (Kind::Album, "kind") => words(["score", "soundtrack"], Item::ENUM_MEMBER),
        (Kind::Target, "kind") => words(["me"], Item::ENUM_MEMBER),
        (_, "status") => words(["quoted", "pending", "executed"], Item::ENUM_MEMBER),
        (_, "media") => words(
            std::iter::once("all").chain(MEDIA.iter().copied()),
            Item::ENUM_MEMBER,
        ),
        (_, "territory") => words(["world"], Item::ENUM_MEMBER),
        (_, "noise") => words(["pink", "white", "brown"], Item::ENUM_MEMBER),
        (_, "format") => words(["wav", "adm"], Item::ENUM_MEMBER),
        (_, "fade") => words(["in", "out"], Item::KEYWORD),
        (_, "trim") => words(["head", "tail"], Item::KEYWORD),
        (Kind::Lint, "deny" | "warn" | "allow") => {
            words(RULES.iter().map(|rule| rule.code), Item::CONSTANT)
        }
        _ => return None,
    })
}

fn names<'a>(
    names: impl Iterator<Item = &'a str>,
    kind: CompletionItemKind,
) -> Vec<CompletionItem> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    words(names, kind)
}

fn words<'a>(
    words: impl IntoIterator<Item = &'a str>,
    kind: CompletionItemKind,
) -> Vec<CompletionItem> {
    words
        .into_iter()
        .map(|word| CompletionItem {
            label: word.to_owned(),
            kind: Some(kind),
            ..CompletionItem::default()
        })
        .collect()
}

/// The words and braces of `text`, without comments and strings (a string
/// stands as `""`).
fn tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        let rest = &text[position..];
        match bytes[position] {
            b'/' if rest.starts_with("//") => {
                position += rest.find('\n').unwrap_or(rest.len());
            }
            b'/' if rest.starts_with("/*") => {
                position += rest[2..].find("*/").map_or(rest.len(), |end| end + 4);
            }
            b'"' => {
                let mut end = 1;
                let mut escaped = false;
                for (index, character) in rest.char_indices().skip(1) {
                    end = index + character.len_utf8();
                    match character {
                        '\\' if !escaped => escaped = true,
                        '"' | '\n' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                tokens.push("\"\"");
                position += end.max(1);
            }
            b'{' | b'}' | b'[' | b']' | b',' => {
                tokens.push(&rest[..1]);
                position += 1;
            }
            byte if byte.is_ascii_whitespace() => position += 1,
            _ => {
                let length = rest
                    .find(|c: char| c.is_whitespace() || "{}[],\"".contains(c) || c == '/')
                    .unwrap_or(rest.len())
                    .max(rest.chars().next().map_or(1, char::len_utf8));
                tokens.push(&rest[..length]);
                position += length;
            }
        }
    }
    tokens
}

/// The index of the `{` still open at the end of `tokens`.
fn open_block(tokens: &[&str]) -> Option<usize> {
    let mut open = None;
    for (index, token) in tokens.iter().enumerate() {
        match *token {
            "{" => open = Some(index),
            "}" => open = None,
            _ => {}
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let model = crate::resolve::resolve_text(
            "t",
            None,
            "import \"std/layouts\"\nstem dx { layout 1.0 silence for 1s }\nbus PM 2.0 { dx }\n",
        )
        .model;
        complete(text, text.len(), &model)
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    #[test]
    fn offers_what_fits_the_place() {
        assert!(labels("target t { from ").contains(&"PM".to_owned()));
        assert!(labels("stem a { ro").contains(&"role".to_owned()));
        assert!(labels("stem a { role ").contains(&"dialogue".to_owned()));
        assert!(labels("cue 1M1 \"x\" { usage ").contains(&"BI".to_owned()));
        assert!(labels("bus X 2.0 { ").contains(&"dx".to_owned()));
        assert!(labels("stem a { gain -3").contains(&"dB".to_owned()));
        assert!(labels("stem a { tone 48k").contains(&"kHz".to_owned()));
        assert!(labels("st").contains(&"stem".to_owned()));
        assert!(labels("stem a { layout ").contains(&"5.1".to_owned()));
    }

    #[test]
    fn survives_odd_text() {
        for text in ["\"", "/*", "{{{", "}", "stem { \"é", "🎵 {", "1"] {
            let _ = labels(text);
        }
    }
}
