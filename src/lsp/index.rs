//! The symbol index: every declared name and every reference to one, with
//! its kind and span, read from the resolved model (which keeps the span of
//! every name it read, resolved or not). Definition, references, rename and
//! hover all look names up here.

use crate::{
    model::{MemberRef, Model, Named},
    syntax::span::{SourceId, Span},
};

/// What kind of thing a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Stem,
    Cue,
    License,
    Bus,
    Target,
    Reel,
    Album,
    Spec,
    Layout,
    Downmix,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Stem => "stem",
            Kind::Cue => "cue",
            Kind::License => "license",
            Kind::Bus => "bus",
            Kind::Target => "target",
            Kind::Reel => "reel",
            Kind::Album => "album",
            Kind::Spec => "spec",
            Kind::Layout => "layout",
            Kind::Downmix => "downmix",
        }
    }
}

/// One place a name is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub kind: Kind,
    pub name: String,
    pub span: Span,
    /// Whether this is where the thing is declared.
    pub declaration: bool,
}

/// Every occurrence of a name in a project.
#[derive(Debug, Default)]
pub struct SymbolIndex {
    pub occurrences: Vec<Occurrence>,
}

impl SymbolIndex {
    pub fn of(model: &Model) -> SymbolIndex {
        let mut index = Builder {
            model,
            occurrences: Vec::new(),
        };
        index.declarations();
        index.references();
        SymbolIndex {
            occurrences: index.occurrences,
        }
    }

    /// The occurrence at byte `offset` of `source` (the innermost, where
    /// spans nest), touching its end too so that a cursor just after a
    /// name finds it.
    pub fn at(&self, source: SourceId, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|occurrence| {
                occurrence.span.source == source
                    && (occurrence.span.start as usize) <= offset
                    && offset <= occurrence.span.end as usize
            })
            .min_by_key(|occurrence| occurrence.span.len())
    }

    /// Where the thing of `kind` named `name` is declared.
    pub fn declaration(&self, kind: Kind, name: &str) -> Option<&Occurrence> {
        self.occurrences.iter().find(|occurrence| {
            occurrence.declaration && occurrence.kind == kind && occurrence.name == name
        })
    }

    /// Every occurrence of the thing of `kind` named `name`, declaration
    /// first.
    pub fn all(&self, kind: Kind, name: &str) -> Vec<&Occurrence> {
        let mut all: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|occurrence| occurrence.kind == kind && occurrence.name == name)
            .collect();
        all.sort_by_key(|occurrence| (!occurrence.declaration, occurrence.span));
        all.dedup_by_key(|occurrence| occurrence.span);
        all
    }
}

struct Builder<'m> {
    model: &'m Model,
    occurrences: Vec<Occurrence>,
}

impl Builder<'_> {
    fn add(&mut self, kind: Kind, named: &Named, declaration: bool) {
        if named.name.is_empty() {
            return;
        }
        self.occurrences.push(Occurrence {
            kind,
            name: named.name.clone(),
            span: named.span,
            declaration,
        });
    }

    fn declarations(&mut self) {
        let model = self.model;
        for stem in &model.stems {
            self.add(Kind::Stem, &stem.name, true);
        }
        for cue in &model.cues {
            self.add(Kind::Cue, &cue.id, true);
        }
        for license in &model.licenses {
            self.add(Kind::License, &license.name, true);
        }
        for bus in &model.buses {
            self.add(Kind::Bus, &bus.name, true);
        }
        for target in &model.targets {
            self.add(Kind::Target, &target.name, true);
        }
        for reel in &model.reels {
            self.add(Kind::Reel, &reel.name, true);
        }
        for album in &model.albums {
            self.add(Kind::Album, &album.name, true);
        }
        for spec in &model.specs {
            self.add(Kind::Spec, &spec.name, true);
        }
        for layout in &model.layouts {
            self.add(Kind::Layout, &layout.name, true);
        }
        for downmix in &model.downmixes {
            self.add(Kind::Downmix, &downmix.name, true);
        }
    }

    /// A stem, cue or bus, by which of them declares `name`.
    fn member_kind(&self, name: &str) -> Option<Kind> {
        let model = self.model;
        if model.stems.index(name).is_some() {
            Some(Kind::Stem)
        } else if model.cues.index(name).is_some() {
            Some(Kind::Cue)
        } else if model.buses.index(name).is_some() {
            Some(Kind::Bus)
        } else {
            None
        }
    }

    fn references(&mut self) {
        let model = self.model;
        let clips = model
            .stems
            .iter()
            .map(|stem| &stem.clip)
            .chain(model.cues.iter().map(|cue| &cue.clip));
        for clip in clips {
            if let Some(layout) = &clip.layout {
                self.add(Kind::Layout, layout, false);
            }
        }
        for bus in &model.buses {
            self.add(Kind::Layout, &bus.layout, false);
            for member in &bus.members {
                let kind = match member.target {
                    Some(MemberRef::Stem(_)) => Some(Kind::Stem),
                    Some(MemberRef::Cue(_)) => Some(Kind::Cue),
                    Some(MemberRef::Bus(_)) => Some(Kind::Bus),
                    Some(MemberRef::AllCues) => None,
                    None => self.member_kind(&member.name.name),
                };
                if let Some(kind) = kind {
                    self.add(kind, &member.name, false);
                }
                if let Some(downmix) = &member.downmix {
                    self.add(Kind::Downmix, downmix, false);
                }
            }
        }
        for target in &model.targets {
            for from in &target.from {
                self.add(Kind::Bus, from, false);
            }
            let single = [
                (Kind::Layout, &target.layout),
                (Kind::Downmix, &target.downmix),
                (Kind::Spec, &target.spec),
                (Kind::Target, &target.matches),
                (Kind::Reel, &target.reel),
            ];
            for (kind, named) in single {
                if let Some(named) = named {
                    self.add(kind, named, false);
                }
            }
            for gate in &target.dialogue_gate {
                if let Some(kind) = self.member_kind(&gate.name) {
                    self.add(kind, gate, false);
                }
            }
        }
        for license in &model.licenses {
            if let Some(cue) = &license.cue {
                self.add(Kind::Cue, cue, false);
            }
        }
        for album in &model.albums {
            for track in &album.tracks {
                self.add(Kind::Cue, &track.cue, false);
            }
            if let Some(spec) = &album.spec {
                self.add(Kind::Spec, spec, false);
            }
        }
        for spec in &model.specs {
            for layout in &spec.layouts {
                self.add(Kind::Layout, layout, false);
            }
        }
        for downmix in &model.downmixes {
            for layout in downmix.from.iter().chain(&downmix.to) {
                self.add(Kind::Layout, layout, false);
            }
        }
    }
}
