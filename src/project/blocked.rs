//! What a diagnostic points at: the deliverables it is about, by where its
//! primary span lies and what the recipe says uses what. `sndtrk build`
//! does not deliver a target or album that an error points at
//! ([`crate::project::deliver`]).
//!
//! The rules, in order (the first declaration that holds the diagnostic's
//! primary span decides; declarations do not nest):
//!
//! | the span lies inside | it points at |
//! |---|---|
//! | a `target` | that target |
//! | an `album` | the album; the one track whose `track` entry holds the span, if one does |
//! | a `cue` | every target whose mix the cue reaches (through `from`, nested buses and `cues`), and every album track of the cue |
//! | a `stem` | every target whose mix the stem reaches |
//! | a `bus` | every target whose `from` reaches the bus (itself or nested) |
//! | a `license` | every target and album that uses the licence's cue, needs a licence of its kind there, and is not cleared by one |
//! | anywhere else (`project`, `lint`, a spec, a layout, a comment), or nowhere | nothing |
//!
//! So R001 and R002 (at the target's `from` entry) point at their target,
//! R003 and R009 (at a `track` entry) at that track of the album, D001 at
//! its target, D006 at its album, C001–C003 (at a cue) and D003 (at a
//! stem's or cue's file) at every deliverable that uses the cue or stem,
//! R004–R006 (at a licence's media, territory or term) at the targets and
//! albums the licence fails. Related spans play no part.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::{clearance, Index, MemberRef, Model},
    syntax::span::Span,
};

/// A deliverable a diagnostic points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A target (an index into `model.targets`).
    Target(Index),
    /// A whole album (an index into `model.albums`).
    Album(Index),
    /// One track of an album: its position (from 0) in the album's `track`
    /// list.
    Track { album: Index, position: usize },
}

impl Subject {
    /// The album a subject belongs to, if it is an album or one of its tracks.
    pub fn album(self) -> Option<Index> {
        match self {
            Subject::Album(album) | Subject::Track { album, .. } => Some(album),
            Subject::Target(_) => None,
        }
    }
}

/// The deliverables `diagnostic` points at (see the module's rules), each
/// once, in order.
pub fn points_at(checker: &Checker<'_>, diagnostic: &Diagnostic) -> Vec<Subject> {
    let Some(span) = diagnostic.span else {
        return Vec::new();
    };
    let model = checker.model;
    let mut subjects = in_declaration(checker, span).unwrap_or_default();
    subjects.sort();
    subjects.dedup();
    // A whole album covers its tracks.
    let whole: Vec<Index> = subjects
        .iter()
        .filter_map(|subject| match subject {
            Subject::Album(album) => Some(*album),
            _ => None,
        })
        .collect();
    subjects.retain(|subject| match subject {
        Subject::Track { album, .. } => !whole.contains(album),
        _ => true,
    });
    debug_assert!(subjects.iter().all(|subject| match subject {
        Subject::Target(index) => *index < model.targets.len(),
        Subject::Album(index) | Subject::Track { album: index, .. } => *index < model.albums.len(),
    }));
    subjects
}

/// What a span inside one of the model's declarations points at; `None`
/// when it lies in none that can point at a deliverable.
fn in_declaration(checker: &Checker<'_>, span: Span) -> Option<Vec<Subject>> {
    let model = checker.model;
    if let Some(target) = find(model.targets.iter().map(|target| target.span), span) {
        return Some(vec![Subject::Target(target)]);
    }
    if let Some(album) = find(model.albums.iter().map(|album| album.span), span) {
        let tracks = &model.albums[album].tracks;
        let track = find(tracks.iter().map(|track| track.cue.span), span);
        return Some(vec![match track {
            Some(position) => Subject::Track { album, position },
            None => Subject::Album(album),
        }]);
    }
    if let Some(cue) = find(model.cues.iter().map(|cue| cue.span), span) {
        return Some(cue_uses(checker, cue));
    }
    if let Some(stem) = find(model.stems.iter().map(|stem| stem.span), span) {
        let targets = checker
            .mixes
            .iter()
            .enumerate()
            .filter(|(_, mix)| mix.stems.iter().any(|reached| reached.index == stem))
            .map(|(target, _)| Subject::Target(target));
        return Some(targets.collect());
    }
    if let Some(bus) = find(model.buses.iter().map(|bus| bus.span), span) {
        let targets = (0..model.targets.len())
            .filter(|&target| {
                model.targets[target]
                    .from
                    .iter()
                    .filter_map(|from| model.buses.index(&from.name))
                    .any(|from| reaches(model, from, bus, &mut Vec::new()))
            })
            .map(Subject::Target);
        return Some(targets.collect());
    }
    if let Some(license) = find(model.licenses.iter().map(|license| license.span), span) {
        return Some(license_failures(checker, license));
    }
    None
}

/// The index of the first span of `spans` that holds `span`.
fn find(spans: impl Iterator<Item = Span>, span: Span) -> Option<Index> {
    spans
        .enumerate()
        .find(|(_, outer)| {
            outer.source == span.source && outer.start <= span.start && span.end <= outer.end
        })
        .map(|(index, _)| index)
}

/// The targets a cue reaches and its album tracks.
fn cue_uses(checker: &Checker<'_>, cue: Index) -> Vec<Subject> {
    let model = checker.model;
    let mut subjects: Vec<Subject> = checker
        .mixes
        .iter()
        .enumerate()
        .filter(|(_, mix)| mix.contains_cue(cue))
        .map(|(target, _)| Subject::Target(target))
        .collect();
    let id = &model.cues[cue].id.name;
    for (album, declared) in model.albums.iter().enumerate() {
        for (position, track) in declared.tracks.iter().enumerate() {
            if track.cue.name == *id {
                subjects.push(Subject::Track { album, position });
            }
        }
    }
    subjects
}

/// Whether bus `from` is bus `bus` or holds it, through nested buses.
fn reaches(model: &Model, from: Index, bus: Index, path: &mut Vec<Index>) -> bool {
    if from == bus {
        return true;
    }
    if path.contains(&from) {
        return false;
    }
    path.push(from);
    let found = model.buses[from]
        .members
        .iter()
        .any(|member| match member.target {
            Some(MemberRef::Bus(inner)) => reaches(model, inner, bus, path),
            _ => false,
        });
    path.pop();
    found
}

/// The targets and albums that use licence `license`'s cue, need a licence
/// of its kind there, and are not cleared by one.
fn license_failures(checker: &Checker<'_>, license: Index) -> Vec<Subject> {
    let model = checker.model;
    let declared = &model.licenses[license];
    let (Some(kind), Some(cue)) = (
        declared.kind.as_ref().map(|kind| kind.value),
        declared
            .cue
            .as_ref()
            .and_then(|cue| model.cues.index(&cue.name)),
    ) else {
        return Vec::new();
    };
    let Some(contexts) = checker.uses.get(cue) else {
        return Vec::new();
    };
    contexts
        .iter()
        .filter(|context| {
            clearance::needs(model, cue, **context)
                .iter()
                .any(|need| need.kind == kind && !need.outcome.is_cleared())
        })
        .map(|context| match *context {
            clearance::Context::Target(target) => Subject::Target(target),
            clearance::Context::Album(album) => Subject::Album(album),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{lint, resolve::resolve_text};

    /// Two songs: 2M3 without any licence reaches `song` and `both` (the
    /// latter through a nested bus and `cues`) and sits on the album; 4M1
    /// has an executed sync licence for theatrical media only, which the
    /// streaming target needs; `clean` hears only score.
    const RECIPE: &str = r#"import "std/layouts"
project "T" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 release 2027-01-01 }
stem dx { role dialogue layout 1.0 tone 1kHz -30dBFS for 1s at 01:00:00:00 }
cue 1M1 "Score" { type score usage BI tone 220Hz -30dBFS for 1s at 01:00:00:00
    writer "A" society ASCAP share 100% publisher "P" society ASCAP share 100% }
cue 2M3 "Song" { type song usage VV tone 440Hz -30dBFS for 1s at 01:00:00:00 isrc "USRC17607839"
    writer "A" society ASCAP share 100% publisher "P" society ASCAP share 100% }
cue 4M1 "Radio" { type song usage VV tone 330Hz -30dBFS for 1s at 01:00:00:00 isrc "USRC17607838"
    writer "A" society ASCAP share 100% publisher "P" society ASCAP share 90% }
license sync_4M1 { kind sync cue 4M1 licensor "P" media theatrical territory world term 2026-01-01 to perpetuity status executed }
license master_4M1 { kind master cue 4M1 licensor "L" media all territory world term 2026-01-01 to perpetuity status executed }
bus DX 2.0 { dx }
bus SCORE 2.0 { 1M1 }
bus SONG 2.0 { 2M3 }
bus ALL 2.0 { cues }
bus MIX 2.0 { DX ALL }
target clean { from DX SCORE layout 2.0 format wav 48kHz 24bit media streaming }
target song { from SONG layout 2.0 format wav 48kHz 24bit media streaming }
target both { from MIX layout 2.0 format wav 48kHz 24bit media theatrical }
target radio { from DX layout 2.0 format wav 48kHz 24bit media streaming }
album ost "OST" { kind soundtrack track 1M1 track 2M3 format wav 44.1kHz 16bit }
"#;

    fn pointed(recipe: &str) -> Vec<(String, Vec<Subject>)> {
        let resolved = resolve_text("soundtrack.sndtrk", None, recipe);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let model = &resolved.model;
        let checker = Checker::new(model);
        lint::check(model)
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| {
                (
                    format!("{} {}", diagnostic.code, diagnostic.message),
                    points_at(&checker, diagnostic),
                )
            })
            .collect()
    }

    #[test]
    fn each_error_points_at_the_deliverables_it_is_about() {
        let found = pointed(RECIPE);
        let song = Subject::Target(1);
        let both = Subject::Target(2);
        let track_2m3 = Subject::Track {
            album: 0,
            position: 1,
        };
        let expected: Vec<(&str, Vec<Subject>)> = vec![
            // C002 at 4M1's publisher shares: every use of 4M1 (`both`
            // hears it through MIX → ALL (cues)).
            (
                "C002 the publisher shares of cue 4M1 sum to 90%, not 100%",
                vec![both],
            ),
            // No R004 at sync_4M1's media: 4M1 reaches only the
            // theatrical target, which it covers.
            (
                "R001 song 2M3 reaches target `song` without an executed sync licence",
                vec![song],
            ),
            (
                "R002 song 2M3 reaches target `song` without an executed master licence",
                vec![song],
            ),
            (
                "R001 song 2M3 reaches target `both` without an executed sync licence",
                vec![both],
            ),
            (
                "R002 song 2M3 reaches target `both` without an executed master licence",
                vec![both],
            ),
            (
                "R003 song 2M3 is on album `ost` without an executed album licence",
                vec![track_2m3],
            ),
        ];
        let mut found: Vec<(&str, Vec<Subject>)> = found
            .iter()
            .map(|(text, subjects)| (text.as_str(), subjects.clone()))
            .collect();
        let mut expected = expected;
        found.sort();
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_licence_error_points_at_what_it_fails_to_clear() {
        // `radio` now hears 4M1 on streaming, which the sync licence does
        // not cover (R004, at the licence); `both` is theatrical and covered.
        let recipe = RECIPE.replace("bus DX 2.0 { dx }", "bus DX 2.0 { dx 4M1 }");
        let found = pointed(&recipe);
        let r004: Vec<&Vec<Subject>> = found
            .iter()
            .filter(|(text, _)| text.starts_with("R004"))
            .map(|(_, subjects)| subjects)
            .collect();
        // DX feeds `clean`, `radio` (streaming) and `both` (theatrical,
        // through MIX).
        assert_eq!(
            r004,
            [&vec![Subject::Target(0), Subject::Target(3)]],
            "{found:#?}"
        );
    }

    #[test]
    fn a_cue_stem_or_bus_error_points_at_every_use() {
        let resolved = resolve_text("soundtrack.sndtrk", None, RECIPE);
        let model = &resolved.model;
        let checker = Checker::new(model);
        let at = |span: Span| {
            let diagnostic = Diagnostic::error("C001", "test").at(span, "here");
            points_at(&checker, &diagnostic)
        };
        let cue = |id: &str| model.cues.get(id).unwrap().id.span;
        assert_eq!(
            at(cue("2M3")),
            [
                Subject::Target(1),
                Subject::Target(2),
                Subject::Track {
                    album: 0,
                    position: 1
                }
            ]
        );
        assert_eq!(
            at(cue("1M1")),
            [
                Subject::Target(0),
                Subject::Target(2),
                Subject::Track {
                    album: 0,
                    position: 0
                }
            ]
        );
        let stem = model.stems.get("dx").unwrap().name.span;
        assert_eq!(
            at(stem),
            [Subject::Target(0), Subject::Target(2), Subject::Target(3)]
        );
        let bus = model.buses.get("ALL").unwrap().name.span;
        assert_eq!(at(bus), [Subject::Target(2)]);
        let album = model.albums.get("ost").unwrap().name.span;
        assert_eq!(at(album), [Subject::Album(0)]);
        let project = model.project.as_ref().unwrap().span;
        assert_eq!(at(project), []);
        assert_eq!(points_at(&checker, &Diagnostic::error("E0221", "x")), []);
    }
}
