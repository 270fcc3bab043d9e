//! The declarations of one side, property by property as written, what
//! each names, and what changed between two sides in the recipe's words
//! (`stem dialog: gain`, `bus PM: member MX added`).

use std::collections::{BTreeMap, BTreeSet};

use crate::syntax::{
    ast::{Argument, Body, Declaration, DeclarationKind, Value},
    parse::parse,
    source::Sources,
    span::Span,
};

/// A declaration's identity across revisions: its kind and name
/// (`project` and `lint` have no name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeclarationId {
    pub kind: DeclarationKind,
    pub name: String,
}

impl std::fmt::Display for DeclarationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{} {}", self.kind, self.name)
        }
    }
}

/// One declaration as written, in a form two revisions compare.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    /// The title or import path, and a bus's layout.
    pub title: Option<String>,
    pub layout: Option<String>,
    /// Each property's keyword and its arguments as written (whitespace
    /// folded), in order; a repeated keyword keeps every occurrence.
    pub properties: BTreeMap<String, Vec<String>>,
    /// A bus's members: name and the rest of the line as written.
    pub members: Vec<(String, String)>,
    /// Every word the declaration names (references to other declarations
    /// among them).
    pub words: BTreeSet<String>,
}

/// The declarations of every recipe file of a side (not the standard
/// library, which is the same on both sides), and where each lies.
#[derive(Debug, Default)]
pub struct Declarations {
    pub by_id: BTreeMap<DeclarationId, Declared>,
    /// Each declaration's span, for finding the one a diagnostic is in.
    pub spans: Vec<(Span, DeclarationId)>,
}

fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words_of(argument: &Argument, words: &mut BTreeSet<String>) {
    match &argument.value {
        Value::Word(word) | Value::Text(word) | Value::Dotted(word) => {
            words.insert(word.clone());
        }
        Value::Number { raw, .. } => {
            words.insert(raw.clone());
        }
        Value::List(items) => {
            for item in items {
                for value in &item.values {
                    words_of(value, words);
                }
            }
        }
        _ => {}
    }
}

fn declared(declaration: &Declaration, text: &str) -> Declared {
    let slice = |span: Span| text.get(span.range()).map(folded).unwrap_or_default();
    let mut declared = Declared {
        title: declaration.title.as_ref().map(|title| title.value.clone()),
        layout: declaration
            .layout
            .as_ref()
            .map(|layout| layout.text.clone()),
        ..Declared::default()
    };
    if let Some(layout) = &declaration.layout {
        declared.words.insert(layout.text.clone());
    }
    match &declaration.body {
        Body::Block { properties, .. } => {
            for property in properties {
                let arguments = property
                    .arguments
                    .iter()
                    .map(|argument| slice(argument.span))
                    .collect::<Vec<_>>()
                    .join(" ");
                declared
                    .properties
                    .entry(property.keyword.text.clone())
                    .or_default()
                    .push(arguments);
                for argument in &property.arguments {
                    words_of(argument, &mut declared.words);
                }
            }
        }
        Body::Members { members, .. } => {
            for member in members {
                let rest = text
                    .get(member.name.span.end as usize..member.span.end as usize)
                    .map(folded)
                    .unwrap_or_default();
                declared.members.push((member.name.text.clone(), rest));
                declared.words.insert(member.name.text.clone());
                if let Some((_, downmix)) = &member.downmix {
                    declared.words.insert(downmix.text.clone());
                }
            }
        }
        Body::None => {}
    }
    declared
}

impl Declarations {
    /// The declarations of every file in `sources` but the standard library's.
    pub fn of(sources: &Sources) -> Self {
        let mut declarations = Declarations::default();
        for (id, file) in sources.iter() {
            if file.path.is_none() && file.name.starts_with("std/") {
                continue;
            }
            let (parsed, _) = parse(id, &file.text);
            for declaration in &parsed.declarations {
                let name = match declaration.kind {
                    DeclarationKind::Import => declaration
                        .title
                        .as_ref()
                        .map(|title| title.value.clone())
                        .unwrap_or_default(),
                    _ => declaration
                        .name
                        .as_ref()
                        .map(|name| name.text.clone())
                        .unwrap_or_default(),
                };
                let key = DeclarationId {
                    kind: declaration.kind,
                    name,
                };
                declarations.spans.push((declaration.span, key.clone()));
                // A second declaration of a name is an error of its own;
                // the first one is compared.
                declarations
                    .by_id
                    .entry(key)
                    .or_insert_with(|| declared(declaration, &file.text));
            }
        }
        declarations
    }

    /// The declaration `span` lies in, if any.
    pub fn containing(&self, span: Span) -> Option<&DeclarationId> {
        self.spans
            .iter()
            .find(|(outer, _)| {
                outer.source == span.source && outer.start <= span.start && span.end <= outer.end
            })
            .map(|(_, id)| id)
    }

    /// The declarations `start` depends on: itself, what it names, what
    /// those name, and so on; with the project and its reels, which shape
    /// every timeline.
    pub fn closure(&self, start: &DeclarationId) -> BTreeSet<DeclarationId> {
        let mut seen = BTreeSet::new();
        let mut pending = vec![start.clone()];
        for id in self.by_id.keys() {
            if matches!(id.kind, DeclarationKind::Project | DeclarationKind::Reel) {
                pending.push(id.clone());
            }
        }
        while let Some(id) = pending.pop() {
            let Some(declared) = self.by_id.get(&id) else {
                continue;
            };
            if !seen.insert(id) {
                continue;
            }
            for word in &declared.words {
                // The bus member `cues` is every cue.
                let every_cue = word == "cues";
                let named = |other: &&DeclarationId| {
                    &other.name == word || (every_cue && other.kind == DeclarationKind::Cue)
                };
                for other in self.by_id.keys().filter(named) {
                    // Licences name cues; a cue does not depend on them.
                    if other.kind != DeclarationKind::License && !seen.contains(other) {
                        pending.push(other.clone());
                    }
                }
            }
        }
        seen
    }
}

/// What changed in one declaration from `base` to `head`, in the recipe's
/// words after the declaration's name: `gain`, `added`, `member MX added`.
pub fn changes(base: Option<&Declared>, head: Option<&Declared>) -> Vec<String> {
    let (base, head) = match (base, head) {
        (None, None) => return Vec::new(),
        (None, Some(_)) => return vec!["added".to_owned()],
        (Some(_), None) => return vec!["removed".to_owned()],
        (Some(base), Some(head)) => (base, head),
    };
    let mut changes = Vec::new();
    if base.title != head.title {
        changes.push("title".to_owned());
    }
    if base.layout != head.layout {
        changes.push("layout".to_owned());
    }
    let keywords: BTreeSet<&String> = base
        .properties
        .keys()
        .chain(head.properties.keys())
        .collect();
    for keyword in keywords {
        let (before, after) = (base.properties.get(keyword), head.properties.get(keyword));
        if before != after {
            changes.push(keyword.clone());
        }
    }
    let names: BTreeSet<&String> = base
        .members
        .iter()
        .chain(&head.members)
        .map(|(name, _)| name)
        .collect();
    let member = |members: &[(String, String)], name: &str| {
        members
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, rest)| rest.clone())
    };
    for name in names {
        match (member(&base.members, name), member(&head.members, name)) {
            (None, Some(_)) => changes.push(format!("member {name} added")),
            (Some(_), None) => changes.push(format!("member {name} removed")),
            (Some(before), Some(after)) if before != after => {
                changes.push(format!("member {name}"));
            }
            _ => {}
        }
    }
    changes
}

/// Every declaration that changed from `base` to `head`, with its changes.
pub fn changed(base: &Declarations, head: &Declarations) -> BTreeMap<DeclarationId, Vec<String>> {
    let ids: BTreeSet<&DeclarationId> = base.by_id.keys().chain(head.by_id.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let changes = changes(base.by_id.get(id), head.by_id.get(id));
            (!changes.is_empty()).then(|| (id.clone(), changes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::source::SourceFile;

    fn shown(changed: &BTreeMap<DeclarationId, Vec<String>>) -> Vec<String> {
        changed
            .iter()
            .map(|(id, what)| format!("{id}: {}", what.join(", ")))
            .collect()
    }

    fn declarations(text: &str) -> Declarations {
        let mut sources = Sources::new();
        sources.add(SourceFile::new("soundtrack.sndtrk", None, text));
        Declarations::of(&sources)
    }

    const BASE: &str = r#"
stem dialog { role dialogue  file "dx.wav"  at 01:00:00:00  gain -2dB }
stem music { role music  file "mx.wav"  at 01:00:00:00 }
bus DX 5.1 { dialog }
bus PM 5.1 { DX  music -3dB }
"#;

    #[test]
    fn a_property_change_is_named_by_its_keyword() {
        let head = BASE.replace("gain -2dB", "gain -1dB");
        let changed = changed(&declarations(BASE), &declarations(&head));
        assert_eq!(shown(&changed), ["stem dialog: gain"]);
    }

    #[test]
    fn layout_and_comments_do_not_count_but_members_do() {
        let head = BASE
            .replace(
                "role dialogue  file",
                "role dialogue // the dialogue\n file",
            )
            .replace("music -3dB", "music -4dB");
        let changed = changed(&declarations(BASE), &declarations(&head));
        assert_eq!(shown(&changed), ["bus PM: member music"]);
    }

    #[test]
    fn the_closure_follows_names_from_a_bus_to_its_stems() {
        let sides = declarations(BASE);
        let pm = DeclarationId {
            kind: DeclarationKind::Bus,
            name: "PM".to_owned(),
        };
        let dx = DeclarationId {
            kind: DeclarationKind::Bus,
            name: "DX".to_owned(),
        };
        let shown: Vec<String> = sides.closure(&pm).iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["stem dialog", "stem music", "bus DX", "bus PM"]);
        let shown: Vec<String> = sides.closure(&dx).iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["stem dialog", "bus DX"]);
    }
}
