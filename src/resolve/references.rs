//! Resolving references between declarations: bus members, targets'
//! sources, specs, layouts and downmixes, licences' and albums' cues; and
//! finding buses that contain themselves.

use std::cell::Cell;

use crate::{
    diagnostic::Diagnostic,
    model::{Downmix, MemberRef, Model, Named},
    resolve::{coverage::MEDIA, levels, pan},
    syntax::{keyword::closest, span::Span},
};

/// E0204: a name that nothing declares.
pub const UNKNOWN_NAME: &str = crate::diagnostic::codes::E0204.code;
/// E0205: a name of the wrong kind of thing.
pub const WRONG_KIND: &str = crate::diagnostic::codes::E0205.code;
/// E0206: a bus that contains itself.
pub const BUS_CYCLE: &str = crate::diagnostic::codes::E0206.code;
/// E0311: layouts that do not fit together.
pub const LAYOUT_MISMATCH: &str = crate::diagnostic::codes::E0311.code;
/// E0333: a bus member's downmix that does not fit its layouts.
pub const MEMBER_DOWNMIX: &str = crate::diagnostic::codes::E0333.code;
/// E0334: two default downmixes for one pair of layouts.
pub const TWO_DEFAULTS: &str = crate::diagnostic::codes::E0334.code;
/// E0335: several downmixes for one pair and none the default.
pub const AMBIGUOUS_DOWNMIX: &str = crate::diagnostic::codes::E0335.code;

/// How many unknown names of the recipe's own (stems, buses, layouts, …)
/// get a "did you mean" search.
const SUGGESTED: usize = 100;

/// What is left of the [`SUGGESTED`] searches. A search compares the name
/// with every name of its kind, so searching for each of thousands of
/// unknown names among thousands of declared ones would take time
/// quadratic in the recipe's length; past the first few the help is the
/// plain one (nobody reads a hundred suggestions).
pub(super) struct Suggestions(Cell<usize>);

impl Suggestions {
    pub(super) fn new() -> Self {
        Self(Cell::new(SUGGESTED))
    }

    /// Whether one more search may be made (and counts it).
    fn take(&self) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(1));
        left > 0
    }
}

/// E0204 for `name`, suggesting the closest of `candidates` if `suggest`.
fn unknown<'a>(
    what: &str,
    name: &Named,
    candidates: impl IntoIterator<Item = &'a str>,
    suggest: bool,
    help: &str,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(UNKNOWN_NAME, format!("no {what} is named `{}`", name.name))
        .at(name.span, format!("unknown {what}"));
    match suggest.then(|| closest(&name.name, candidates)).flatten() {
        Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
        None => diagnostic.help(help.to_owned()),
    }
}

/// What kind of item, if any, carries `name` (for "is a licence, not a bus").
fn kind_of(model: &Model, name: &str) -> Option<&'static str> {
    [
        (model.stems.index(name).is_some(), "stem"),
        (model.objects.index(name).is_some(), "object"),
        (model.scenes.index(name).is_some(), "scene"),
        (model.cues.index(name).is_some(), "cue"),
        (model.buses.index(name).is_some(), "bus"),
        (model.licenses.index(name).is_some(), "license"),
        (model.targets.index(name).is_some(), "target"),
        (model.albums.index(name).is_some(), "album"),
        (model.reels.index(name).is_some(), "reel"),
        (model.specs.index(name).is_some(), "spec"),
        (model.layouts.index(name).is_some(), "layout"),
        (model.downmixes.index(name).is_some(), "downmix"),
    ]
    .into_iter()
    .find_map(|(found, kind)| found.then_some(kind))
}

/// E0205 if `name` is of another kind, otherwise E0204 (with a suggestion
/// from `candidates` while `suggestions` last).
pub(super) fn not_found<'a>(
    model: &Model,
    suggestions: &Suggestions,
    what: &str,
    name: &Named,
    candidates: impl IntoIterator<Item = &'a str>,
    help: &str,
) -> Diagnostic {
    match kind_of(model, &name.name) {
        Some(kind) => Diagnostic::error(
            WRONG_KIND,
            format!("`{}` is a {kind}, not a {what}", name.name),
        )
        .at(name.span, format!("expected a {what}"))
        .help(format!("name a {what} here")),
        None => unknown(what, name, candidates, suggestions.take(), help),
    }
}

pub fn check(model: &mut Model, diagnostics: &mut Vec<Diagnostic>) {
    let suggestions = &Suggestions::new();
    crate::resolve::object::link_cues(model, suggestions, diagnostics);
    members(model, suggestions, diagnostics);
    bus_cycles(model, diagnostics);
    layouts(model, suggestions, diagnostics);
    let model = &*model;
    crate::resolve::scene::check(model, suggestions, diagnostics);
    for target in &model.targets {
        let scene = crate::resolve::scene::target_scene(model, target, diagnostics);
        for from in &target.from {
            if scene.is_none() && model.buses.index(&from.name).is_none() {
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "bus",
                    from,
                    model.buses.names(),
                    "declare the bus with `bus NAME LAYOUT { … }`",
                ));
            }
        }
        levels::dialogue_gate(model, suggestions, target, diagnostics);
        if let Some(reel) = &target.reel {
            if model.reels.index(&reel.name).is_none() {
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "reel",
                    reel,
                    model.reels.names(),
                    "declare the reel with `reel NAME { start TIMECODE end TIMECODE }`",
                ));
            }
        }
        if let Some(spec) = &target.spec {
            check_spec(model, suggestions, diagnostics, spec);
        }
        if let Some(media) = &target.media {
            check_media(diagnostics, media);
        }
    }
    double_defaults(model, diagnostics);
    levels::matches(model, suggestions, diagnostics);
    crate::resolve::reel::check(model, diagnostics);
    album_layouts(model, diagnostics);
    for album in &model.albums {
        for track in &album.tracks {
            if model.cues.index(&track.cue.name).is_none() {
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "cue",
                    &track.cue,
                    model.cues.names(),
                    "declare the cue with `cue ID \"Title\" { … }`",
                ));
            }
        }
        if let Some(spec) = &album.spec {
            check_spec(model, suggestions, diagnostics, spec);
        }
    }
    for license in &model.licenses {
        if let Some(cue) = &license.cue {
            if model.cues.index(&cue.name).is_none() {
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "cue",
                    cue,
                    model.cues.names(),
                    "a licence covers a declared cue; declare it or remove the licence",
                ));
            }
        }
        if let Some(media) = &license.media {
            check_media(diagnostics, media);
        }
    }
}

fn check_media(
    diagnostics: &mut Vec<Diagnostic>,
    media: &crate::model::Spanned<crate::model::Coverage>,
) {
    if let crate::model::Coverage::Only(items) = &media.value {
        for item in items {
            if !MEDIA.contains(&item.name.as_str()) {
                diagnostics.push(unknown(
                    "medium",
                    item,
                    MEDIA.iter().copied(),
                    true,
                    &format!("the media are {}", MEDIA.join(", ")),
                ));
            }
        }
    }
}

fn check_spec(
    model: &Model,
    suggestions: &Suggestions,
    diagnostics: &mut Vec<Diagnostic>,
    spec: &Named,
) {
    if model.specs.index(&spec.name).is_none() {
        let help = "import the standard library's specs, e.g. `import \"std/delivery/netflix\"`, or declare `spec NAME { … }`";
        diagnostics.push(not_found(
            model,
            suggestions,
            "spec",
            spec,
            model.specs.names(),
            help,
        ));
    }
}

fn members(model: &mut Model, suggestions: &Suggestions, diagnostics: &mut Vec<Diagnostic>) {
    let mut resolved = Vec::new();
    for bus in &model.buses {
        let mut targets = Vec::new();
        for member in &bus.members {
            let name = member.name.name.as_str();
            let target = if name == "cues" {
                Some(MemberRef::AllCues)
            } else if let Some(index) = model.stems.index(name) {
                Some(MemberRef::Stem(index))
            } else if let Some(index) = model.cues.index(name) {
                Some(MemberRef::Cue(index))
            } else if let Some(index) = model.buses.index(name) {
                Some(MemberRef::Bus(index))
            } else {
                let candidates = model
                    .stems
                    .names()
                    .chain(model.cues.names())
                    .chain(model.buses.names());
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "stem, cue or bus",
                    &member.name,
                    candidates,
                    "declare it, or remove it from the bus",
                ));
                None
            };
            targets.push(target);
        }
        resolved.push(targets);
    }
    for (bus, targets) in model.buses.iter_mut().zip(resolved) {
        for (member, target) in bus.members.iter_mut().zip(targets) {
            member.target = target;
        }
    }
}

/// Reports each bus that contains itself, once per cycle.
fn bus_cycles(model: &Model, diagnostics: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; model.buses.len()];
    let mut path: Vec<usize> = Vec::new();
    fn visit(
        model: &Model,
        bus: usize,
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        marks[bus] = Mark::Open;
        path.push(bus);
        for member in &model.buses[bus].members {
            let Some(MemberRef::Bus(next)) = member.target else {
                continue;
            };
            match marks[next] {
                Mark::Open => {
                    let start = path.iter().position(|&open| open == next).unwrap_or(0);
                    let mut names: Vec<&str> = path[start..]
                        .iter()
                        .map(|&index| model.buses[index].name.name.as_str())
                        .collect();
                    names.push(&model.buses[next].name.name);
                    diagnostics.push(
                        Diagnostic::error(BUS_CYCLE, format!("bus `{}` contains itself: {}", model.buses[next].name.name, names.join(" → ")))
                            .at(member.name.span, "this member closes the cycle")
                            .help("a bus cannot contain itself, directly or through other buses; remove one member"),
                    );
                }
                Mark::New => visit(model, next, marks, path, diagnostics),
                Mark::Done => {}
            }
        }
        path.pop();
        marks[bus] = Mark::Done;
    }
    for bus in 0..model.buses.len() {
        if marks[bus] == Mark::New {
            visit(model, bus, &mut marks, &mut path, diagnostics);
        }
    }
}

/// Checks that every layout named exists and that layouts meet through a downmix.
fn layouts(model: &Model, suggestions: &Suggestions, diagnostics: &mut Vec<Diagnostic>) {
    let layout_help = "import the standard layouts with `import \"std/layouts\"`, or declare `layout NAME { channels [...] }`";
    let known = |name: &Named, diagnostics: &mut Vec<Diagnostic>| -> bool {
        if model.layouts.index(&name.name).is_some() {
            return true;
        }
        diagnostics.push(not_found(
            model,
            suggestions,
            "layout",
            name,
            model.layouts.names(),
            layout_help,
        ));
        false
    };
    let channel_known = |layout: &str, channel: &Named, diagnostics: &mut Vec<Diagnostic>| {
        let Some(layout) = model.layouts.get(layout) else {
            return;
        };
        if layout
            .channels
            .iter()
            .any(|known| known.name == channel.name)
        {
            return;
        }
        let names = layout.channels.iter().map(|known| known.name.as_str());
        let diagnostic = Diagnostic::error(
            UNKNOWN_NAME,
            format!(
                "layout {} has no channel `{}`",
                layout.name.name, channel.name
            ),
        )
        .at(channel.span, "unknown channel");
        let suggestion = suggestions
            .take()
            .then(|| closest(&channel.name, names.clone()))
            .flatten();
        diagnostics.push(match suggestion {
            Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
            None => diagnostic.help(format!(
                "its channels are {}",
                names.collect::<Vec<_>>().join(" ")
            )),
        });
    };
    for stem in &model.stems {
        if let Some(layout) = &stem.clip.layout {
            if known(layout, diagnostics) {
                let channels = model
                    .layouts
                    .get(&layout.name)
                    .map_or(0, |layout| layout.channels.len());
                if let (Some(pan), true) = (&stem.clip.pan, channels != 1) {
                    diagnostics.push(
                        Diagnostic::error(
                            LAYOUT_MISMATCH,
                            format!(
                                "`pan` places a mono source, but stem `{}` is {}",
                                stem.name.name, layout.name
                            ),
                        )
                        .at(pan.span(), "pan of a multichannel stem")
                        .help("remove `pan`, or declare the stem `layout 1.0`"),
                    );
                }
            }
        }
    }
    for cue in &model.cues {
        if let Some(layout) = &cue.clip.layout {
            known(layout, diagnostics);
        }
    }
    for spec in &model.specs {
        for layout in &spec.layouts {
            known(layout, diagnostics);
        }
    }
    for downmix in &model.downmixes {
        let (Some(from), Some(to)) = (&downmix.from, &downmix.to) else {
            continue;
        };
        if known(from, diagnostics) & known(to, diagnostics) {
            for row in &downmix.rows {
                channel_known(&to.name, &row.output, diagnostics);
                for (input, _) in &row.inputs {
                    channel_known(&from.name, input, diagnostics);
                }
            }
        }
    }
    for bus in &model.buses {
        if !known(&bus.layout, diagnostics) {
            continue;
        }
        for member in &bus.members {
            let cues: Vec<usize> = match member.target {
                Some(MemberRef::Cue(index)) => vec![index],
                Some(MemberRef::AllCues) => (0..model.cues.len()).collect(),
                _ => Vec::new(),
            };
            if !cues.is_empty() {
                let mut from: Vec<&str> = cues
                    .iter()
                    .map(|&index| cue_layout(&model.cues[index]))
                    .collect();
                from.sort_unstable();
                from.dedup();
                member_downmix(model, suggestions, bus, member, &from, diagnostics);
            }
            for cue in cues.into_iter().map(|index| &model.cues[index]) {
                if let (Some(pan), "1.0") = (&cue.clip.pan, cue_layout(cue)) {
                    let source = ("cue", &cue.id);
                    let destination = ("bus", &bus.name);
                    let layout = bus.layout.name.as_str();
                    let joins = member.name.span;
                    pan::check(model, source, destination, layout, pan, joins, diagnostics);
                }
            }
            let (layout, pan) = match member.target {
                Some(MemberRef::Stem(index)) => (
                    model.stems[index].clip.layout.as_ref(),
                    model.stems[index].clip.pan.as_ref(),
                ),
                Some(MemberRef::Bus(index)) => (Some(&model.buses[index].layout), None),
                _ => continue,
            };
            if let (Some(pan), Some(MemberRef::Stem(index))) = (pan, member.target) {
                let stem = &model.stems[index];
                if layout.is_none_or(|layout| layout.name == "1.0") {
                    let source = ("stem", &stem.name);
                    let destination = ("bus", &bus.name);
                    let layout = bus.layout.name.as_str();
                    let joins = member.name.span;
                    pan::check(model, source, destination, layout, pan, joins, diagnostics);
                }
                continue;
            }
            if let Some(layout) = layout {
                if member.downmix.is_some() {
                    let from = [layout.name.as_str()];
                    member_downmix(model, suggestions, bus, member, &from, diagnostics);
                    continue;
                }
                let help = format!("name one: `{} downmix NAME`", member.name.name);
                let label = format!("{} member in a {} bus", layout.name, bus.layout.name);
                let span = member.name.span;
                let (from, to) = (layout.name.as_str(), bus.layout.name.as_str());
                if let Some(diagnostic) = ambiguous(model, from, to, span, label, &help) {
                    diagnostics.push(diagnostic);
                    continue;
                }
                if model.layouts.index(&layout.name).is_some()
                    && conversion(model, &layout.name, &bus.layout.name).is_none()
                {
                    diagnostics.push(
                        Diagnostic::error(LAYOUT_MISMATCH, format!("`{}` is {} but bus `{}` is {}, and no downmix converts {} to {}", member.name.name, layout.name, bus.name.name, bus.layout.name, layout.name, bus.layout.name))
                            .at(member.name.span, format!("{} member in a {} bus", layout.name, bus.layout.name))
                            .help(format!("declare `downmix NAME {{ from {} to {} … }}`, or pan a mono source with `pan`", layout.name, bus.layout.name)),
                    );
                }
            }
        }
    }
    for target in &model.targets {
        let Some(layout) = &target.layout else {
            continue;
        };
        if !known(layout, diagnostics) {
            continue;
        }
        if let Some(downmix_name) = &target.downmix {
            let Some(downmix) = model.downmixes.get(&downmix_name.name) else {
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "downmix",
                    downmix_name,
                    model.downmixes.names(),
                    "import `std/layouts` for loro and ltrt, or declare `downmix NAME { … }`",
                ));
                continue;
            };
            if downmix.to.as_ref().is_some_and(|to| to.name != layout.name) {
                diagnostics.push(
                    Diagnostic::error(
                        LAYOUT_MISMATCH,
                        format!(
                            "downmix `{}` makes {}, not {}",
                            downmix.name.name,
                            downmix.to.as_ref().map_or("", |to| to.name.as_str()),
                            layout.name
                        ),
                    )
                    .at(downmix_name.span, "wrong downmix for this layout")
                    .help("name a downmix whose `to` is the target's layout"),
                );
            }
            for from in &target.from {
                let Some(bus) = model.buses.get(&from.name) else {
                    continue;
                };
                if downmix
                    .from
                    .as_ref()
                    .is_some_and(|source| source.name != bus.layout.name)
                {
                    diagnostics.push(
                        Diagnostic::error(
                            LAYOUT_MISMATCH,
                            format!(
                                "downmix `{}` takes {}, but bus `{}` is {}",
                                downmix.name.name,
                                downmix.from.as_ref().map_or("", |f| f.name.as_str()),
                                bus.name.name,
                                bus.layout.name
                            ),
                        )
                        .at(from.span, "bus of another layout")
                        .help("name a downmix whose `from` is the bus's layout"),
                    );
                }
            }
            continue;
        }
        for from in &target.from {
            let Some(bus) = model.buses.get(&from.name) else {
                continue;
            };
            let label = "no downmix named".to_owned();
            let help = format!("name one: `layout {} downmix NAME`", layout.name);
            let (source, span) = (bus.layout.name.as_str(), layout.span);
            if let Some(diagnostic) = ambiguous(model, source, &layout.name, span, label, &help) {
                diagnostics.push(diagnostic);
                continue;
            }
            if model.layouts.index(&bus.layout.name).is_some()
                && conversion(model, &bus.layout.name, &layout.name).is_none()
            {
                diagnostics.push(
                    Diagnostic::error(
                        LAYOUT_MISMATCH,
                        format!(
                            "target `{}` is {} but bus `{}` is {}",
                            target.name.name, layout.name, bus.name.name, bus.layout.name
                        ),
                    )
                    .at(layout.span, "no downmix named")
                    .help(format!(
                        "name the downmix: `layout {} downmix NAME`",
                        layout.name
                    )),
                );
            }
        }
    }
}

/// How audio in layout `from` reaches layout `to`: `Some(None)` when they
/// are the same, `Some(Some(downmix))` through the one downmix between them.
/// The layout an album's tracks are in: its spec's first layout, or 2.0.
pub fn album_layout<'a>(model: &'a Model, album: &'a crate::model::Album) -> &'a str {
    album
        .spec
        .as_ref()
        .and_then(|spec| model.specs.get(&spec.name))
        .and_then(|spec| spec.layouts.first())
        .map_or("2.0", |layout| layout.name.as_str())
}

/// How an album folds a cue of layout `from` to its layout `to`: as a bus
/// would, through the pair's one downmix or its `default` (the stdlib's
/// `loro` for 5.1 to 2.0: Lo/Ro, ITU-R BS.775, is the fold-down for
/// listening; Lt/Rt is for a matrix decoder).
pub fn album_conversion<'a>(model: &'a Model, from: &str, to: &str) -> Option<Option<&'a str>> {
    conversion(model, from, to)
}

/// E0311 for an album track whose cue cannot be folded to the album's
/// layout: no track is ever left out silently.
fn album_layouts(model: &Model, diagnostics: &mut Vec<Diagnostic>) {
    for album in &model.albums {
        let to = album_layout(model, album);
        if model.layouts.index(to).is_none() {
            continue;
        }
        for track in &album.tracks {
            let Some(cue) = model.cues.get(&track.cue.name) else {
                continue;
            };
            let from = cue_layout(cue);
            if let (Some(pan), "1.0") = (&cue.clip.pan, from) {
                let source = ("cue", &cue.id);
                let destination = ("album", &album.name);
                let joins = track.cue.span;
                pan::check(model, source, destination, to, pan, joins, diagnostics);
                continue;
            }
            if model.layouts.index(from).is_none() || album_conversion(model, from, to).is_some() {
                continue;
            }
            let label = format!("a {from} cue on a {to} album");
            let help = "declare one for the album's cues";
            if let Some(diagnostic) = ambiguous(model, from, to, track.cue.span, label, help) {
                diagnostics.push(diagnostic);
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    LAYOUT_MISMATCH,
                    format!(
                        "cue `{}` is {from} but album `{}` is {to}, and no downmix folds {from} to {to}",
                        cue.id.name, album.name.name
                    ),
                )
                .at(track.cue.span, format!("a {from} cue on a {to} album"))
                .help(format!(
                    "declare `downmix NAME {{ from {from} to {to} … }}` (`import \"std/layouts\"` has Lo/Ro for 5.1 to 2.0)"
                )),
            );
        }
    }
}

/// A cue's own layout: declared, or 1.0 when panned, or 2.0.
pub fn cue_layout(cue: &crate::model::Cue) -> &str {
    match &cue.clip.layout {
        Some(layout) => &layout.name,
        None if cue.clip.pan.is_some() => "1.0",
        None => "2.0",
    }
}

pub fn conversion<'a>(model: &'a Model, from: &str, to: &str) -> Option<Option<&'a str>> {
    if from == to {
        return Some(None);
    }
    let found = candidates(model, from, to);
    let chosen = match found.as_slice() {
        [] => return None,
        [only] => only,
        // Several (such as loro and ltrt): the one marked `default`.
        several => several.iter().find(|downmix| downmix.default.is_some())?,
    };
    Some(Some(chosen.name.name.as_str()))
}

/// The downmixes declared from layout `from` to layout `to`, in
/// declaration order.
pub fn candidates<'a>(model: &'a Model, from: &str, to: &str) -> Vec<&'a Downmix> {
    model
        .downmixes
        .iter()
        .filter(|downmix| {
            downmix.from.as_ref().is_some_and(|f| f.name == from)
                && downmix.to.as_ref().is_some_and(|t| t.name == to)
        })
        .collect()
}

/// E0335 when `from` to `to` has several downmixes and none is the
/// default; `None` when it has none at all (or the conversion is fine).
fn ambiguous(
    model: &Model,
    from: &str,
    to: &str,
    span: Span,
    label: String,
    help: &str,
) -> Option<Diagnostic> {
    let found = candidates(model, from, to);
    if found.len() < 2 || conversion(model, from, to).is_some() {
        return None;
    }
    let names: Vec<String> = found
        .iter()
        .map(|downmix| format!("`{}`", downmix.name.name))
        .collect();
    Some(
        Diagnostic::error(
            AMBIGUOUS_DOWNMIX,
            match names.split_last() {
                Some((last, [first])) => format!(
                    "downmixes {first} and {last} both convert {from} to {to}, and neither is the `default`"
                ),
                Some((last, rest)) => format!(
                    "downmixes {} and {last} all convert {from} to {to}, and none is the `default`",
                    rest.join(", ")
                ),
                None => format!("no downmix converts {from} to {to}"),
            },
        )
        .at(span, label)
        .help(format!(
            "mark one `default` in its declaration (`downmix NAME {{ from {from} to {to} default … }}`), or {help}"
        )),
    )
}

/// E0334 for each pair of layouts with more than one `default` downmix.
fn double_defaults(model: &Model, diagnostics: &mut Vec<Diagnostic>) {
    for (position, downmix) in model.downmixes.iter().enumerate() {
        let (Some(from), Some(to), Some(default)) = (&downmix.from, &downmix.to, downmix.default)
        else {
            continue;
        };
        let earlier = model.downmixes.iter().take(position).find(|other| {
            other.default.is_some()
                && other.from.as_ref().is_some_and(|f| f.name == from.name)
                && other.to.as_ref().is_some_and(|t| t.name == to.name)
        });
        if let Some(earlier) = earlier {
            let mut diagnostic = Diagnostic::error(
                TWO_DEFAULTS,
                format!(
                    "downmixes `{}` and `{}` are both the default from {} to {}",
                    earlier.name.name, downmix.name.name, from.name, to.name
                ),
            )
            .at(default, "a second default");
            if let Some(first) = earlier.default {
                diagnostic = diagnostic.related(first, "the first default");
            }
            diagnostics.push(
                diagnostic.help(
                    "keep `default` on one of them; a bus member or target may name the other",
                ),
            );
        }
    }
}

/// E0333 (or E0204) for a bus member's `downmix NAME` that does not convert
/// the member's layout `from` (for `cues`, any of `from`) to the bus's.
fn member_downmix(
    model: &Model,
    suggestions: &Suggestions,
    bus: &crate::model::Bus,
    member: &crate::model::BusMember,
    from: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(name) = &member.downmix else {
        return;
    };
    let Some(downmix) = model.downmixes.get(&name.name) else {
        diagnostics.push(not_found(
            model,
            suggestions,
            "downmix",
            name,
            model.downmixes.names(),
            "import `std/layouts` for loro and ltrt, or declare `downmix NAME { … }`",
        ));
        return;
    };
    let (Some(source), Some(to)) = (&downmix.from, &downmix.to) else {
        return;
    };
    let to_bus = to.name == bus.layout.name;
    if to_bus && from.contains(&source.name.as_str()) {
        return;
    }
    let member_layout = match from {
        [one] => (*one).to_owned(),
        several => several.join(", "),
    };
    diagnostics.push(
        Diagnostic::error(
            MEMBER_DOWNMIX,
            format!(
                "downmix `{}` converts {} to {}, but `{}` is {member_layout} and bus `{}` is {}",
                downmix.name.name,
                source.name,
                to.name,
                member.name.name,
                bus.name.name,
                bus.layout.name
            ),
        )
        .at(
            name.span,
            format!("not a downmix from {member_layout} to {}", bus.layout.name),
        )
        .help(format!(
            "name a downmix from {member_layout} to {}, or remove `downmix {}` for the default",
            bus.layout.name, downmix.name.name
        )),
    );
}
