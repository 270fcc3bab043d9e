//! What reaches a target's mix: the stems and cues that arrive through its
//! `from` buses, nested buses and `cues`.
//!
//! This is the one place that decides whether "a cue reaches a target": the
//! rights rules (R001–R006), the M&E rule (D002), the rights matrix and the
//! cue sheet all ask it, so they can never disagree.
//!
//! A member reaches the mix whatever its gain: a cue pulled down to -144 dB
//! is still in the bus, and a licence still has to clear it.

use std::sync::Arc;

use crate::model::{Index, MemberRef, Model};

/// One stem or cue found in a target's mix, with the first way it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// The stem or cue index.
    pub index: Index,
    /// Which entry of the target's `from` list it arrives through.
    pub from: usize,
    /// The buses it passes through, outermost first (the `from` bus first);
    /// shared by every member met on the same path.
    pub buses: Arc<[Index]>,
    /// The bus member that names it (`None` when it arrives through `cues`
    /// or through an object).
    pub member: Option<(Index, usize)>,
    /// The scene's object that plays it (a cue heard through an object).
    pub object: Option<Index>,
}

/// The stems and cues of one target's mix, each once, in the order first met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub stems: Vec<Reached>,
    pub cues: Vec<Reached>,
}

impl Reach {
    /// The stems and cues that reach `target` (an index into `model.targets`).
    pub fn of_target(model: &Model, target: Index) -> Reach {
        let mut mix = Reach::default();
        let mut seen_stems = Seen::new(model.stems.len());
        let mut seen_cues = Seen::new(model.cues.len());
        for (from, name) in model.targets[target].from.iter().enumerate() {
            // A scene's target hears its bed (and its objects, below).
            let bus = match model.scene(&name.name) {
                Some(scene) => Some(scene.bed),
                None => model.buses.index(&name.name),
            };
            let Some(bus) = bus else {
                continue;
            };
            let mut walk = Walk {
                model,
                from,
                mix: &mut mix,
                seen_stems: &mut seen_stems,
                seen_cues: &mut seen_cues,
                path: Vec::new(),
                shared: Arc::from([]),
            };
            walk.bus(bus);
            // Music heard through the scene's objects: the cues they play.
            if let Some(scene) = model.scene(&name.name) {
                for (object, cue) in scene.cues() {
                    if seen_cues.insert(cue) {
                        mix.cues.push(Reached {
                            index: cue,
                            from,
                            buses: Arc::from([]),
                            member: None,
                            object: model.objects.index(&object.name.name),
                        });
                    }
                }
            }
        }
        mix
    }

    /// The mixes of every target, indexed like `model.targets`: walked on
    /// the first call, then kept in the model.
    pub fn of_all_targets(model: &Model) -> &[Reach] {
        model.mixes.get_or_init(|| {
            (0..model.targets.len())
                .map(|target| Reach::of_target(model, target))
                .collect()
        })
    }

    /// How `cue` reaches the mix, if it does.
    pub fn cue(&self, cue: Index) -> Option<&Reached> {
        self.cues.iter().find(|reached| reached.index == cue)
    }

    /// Whether `cue` is heard in the mix.
    pub fn contains_cue(&self, cue: Index) -> bool {
        self.cue(cue).is_some()
    }
}

struct Walk<'a> {
    model: &'a Model,
    from: usize,
    mix: &'a mut Reach,
    seen_stems: &'a mut Seen,
    seen_cues: &'a mut Seen,
    /// The buses being walked; a bus already on the path is a cycle (the
    /// resolver reports it) and is not entered again.
    path: Vec<Index>,
    /// `path`, shared by the members met on it.
    shared: Arc<[Index]>,
}

/// Which stems (or cues) a mix has met: one flag per index.
struct Seen(Vec<bool>);

impl Seen {
    fn new(len: usize) -> Seen {
        Seen(vec![false; len])
    }

    /// Marks `index` met; whether it was new (an index out of range, which
    /// the resolver never makes, counts as met).
    fn insert(&mut self, index: Index) -> bool {
        match self.0.get_mut(index) {
            Some(seen) => !std::mem::replace(seen, true),
            None => false,
        }
    }
}

impl Walk<'_> {
    fn bus(&mut self, bus: Index) {
        if self.path.contains(&bus) {
            return;
        }
        self.path.push(bus);
        let outer = std::mem::replace(&mut self.shared, Arc::from(self.path.as_slice()));
        for (position, member) in self.model.buses[bus].members.iter().enumerate() {
            match member.target {
                Some(MemberRef::Stem(stem)) if self.seen_stems.insert(stem) => {
                    let reached = self.reached(stem, Some((bus, position)));
                    self.mix.stems.push(reached);
                }
                Some(MemberRef::Cue(cue)) if self.seen_cues.insert(cue) => {
                    let reached = self.reached(cue, Some((bus, position)));
                    self.mix.cues.push(reached);
                }
                Some(MemberRef::AllCues) => {
                    for cue in 0..self.model.cues.len() {
                        if self.seen_cues.insert(cue) {
                            self.mix.cues.push(self.reached(cue, None));
                        }
                    }
                }
                Some(MemberRef::Bus(inner)) => self.bus(inner),
                Some(MemberRef::Stem(_) | MemberRef::Cue(_)) | None => {}
            }
        }
        self.path.pop();
        self.shared = outer;
    }

    fn reached(&self, index: Index, member: Option<(Index, usize)>) -> Reached {
        Reached {
            index,
            from: self.from,
            buses: Arc::clone(&self.shared),
            member,
            object: None,
        }
    }
}

/// "PM → MX (cues)": how a reached item gets into the mix, for messages.
pub fn describe_path(model: &Model, reached: &Reached) -> String {
    let mut text = reached
        .buses
        .iter()
        .map(|&bus| model.buses[bus].name.name.as_str())
        .collect::<Vec<_>>()
        .join(" → ");
    if let Some(object) = reached.object {
        return format!("object `{}`", model.objects[object].name.name);
    }
    if reached.member.is_none() {
        text.push_str(" (cues)");
    }
    text
}
