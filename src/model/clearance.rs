//! Whether a cue is cleared in a context, and by which licence.
//!
//! A song heard in a target's mix needs an executed **sync** licence (the
//! composition) and an executed **master** licence (the recording), each
//! covering the target's media, territory and release date. A song on an
//! album needs an executed **album** licence whose term includes the album's
//! release date. Score needs none of these: the composer agreement covers it.
//!
//! `media all` and `territory world` cover everything, a list covers what it
//! names. A licence that leaves its media, territory or term unstated is not
//! restricted by it, and a target that states no media or territory (or a
//! project without a release date) asks nothing of that dimension.
//!
//! The lint rules R001–R006 and the rights matrix both read these decisions.

use crate::{
    model::{Coverage, Cue, Index, LicenseKind, LicenseStatus, Model},
    syntax::ast::Date,
};

/// Where a cue is used: in a target's mix or on an album.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Target(Index),
    Album(Index),
}

impl Context {
    /// The licence kinds a song needs in this context.
    pub fn kinds(self) -> &'static [LicenseKind] {
        match self {
            Context::Target(_) => &[LicenseKind::Sync, LicenseKind::Master],
            Context::Album(_) => &[LicenseKind::Album],
        }
    }

    /// "target stereo" or "album ost".
    pub fn describe(self, model: &Model) -> String {
        match self {
            Context::Target(index) => format!("target {}", model.targets[index].name.name),
            Context::Album(index) => format!("album {}", model.albums[index].name.name),
        }
    }
}

/// What a context asks of a licence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub media: Option<Coverage>,
    pub territory: Option<Coverage>,
    /// The release date: the target's or album's own, else the project's.
    pub date: Option<Date>,
}

impl Requirement {
    /// What `context` asks: a target's media, territory and release date, or
    /// an album's release date.
    pub fn of(model: &Model, context: Context) -> Requirement {
        let project_release = model
            .project
            .as_ref()
            .and_then(|project| project.release)
            .map(|date| date.value);
        match context {
            Context::Target(index) => {
                let target = &model.targets[index];
                Requirement {
                    media: target.media.as_ref().map(|media| media.value.clone()),
                    territory: target
                        .territory
                        .as_ref()
                        .map(|territory| territory.value.clone()),
                    date: target.release.map(|date| date.value).or(project_release),
                }
            }
            Context::Album(index) => Requirement {
                media: None,
                territory: None,
                date: model.albums[index]
                    .release
                    .map(|date| date.value)
                    .or(project_release),
            },
        }
    }

    /// "streaming, world, 2027-03-14": what a licence must cover.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(media) = &self.media {
            parts.push(describe_coverage(media, "all media"));
        }
        if let Some(territory) = &self.territory {
            parts.push(describe_coverage(territory, "world"));
        }
        if let Some(date) = self.date {
            parts.push(date.to_string());
        }
        parts.join(", ")
    }
}

fn describe_coverage(coverage: &Coverage, everything: &str) -> String {
    match coverage {
        Coverage::Everything => everything.to_owned(),
        Coverage::Only(items) => items
            .iter()
            .map(|item| item.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What a licence lacks: everything (`all`/`world`) or the items named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortfall {
    Everything,
    Only(Vec<String>),
}

/// One way an executed licence fails a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    Media(Shortfall),
    Territory(Shortfall),
    /// The release date falls outside the term.
    Term(Date),
}

/// The decision for one licence kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This executed licence covers the context.
    Cleared(Index),
    /// No executed licence of the kind exists; these others are quoted or pending.
    Missing { unexecuted: Vec<Index> },
    /// The closest executed licence, and what it does not cover.
    Uncovered { license: Index, gaps: Vec<Gap> },
}

impl Outcome {
    /// Whether the need is met.
    pub fn is_cleared(&self) -> bool {
        matches!(self, Outcome::Cleared(_))
    }
}

/// One licence a song needs in a context, and whether it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub kind: LicenseKind,
    pub outcome: Outcome,
}

/// What `cue` needs in `context`: nothing for score, one [`Need`] per
/// licence kind for a song.
pub fn needs(model: &Model, cue: Index, context: Context) -> Vec<Need> {
    if !model.cues[cue].is_song() {
        return Vec::new();
    }
    let requirement = Requirement::of(model, context);
    context
        .kinds()
        .iter()
        .map(|&kind| Need {
            kind,
            outcome: decide(model, &model.cues[cue], kind, &requirement),
        })
        .collect()
}

/// Decides one licence kind for one cue against a requirement.
pub fn decide(model: &Model, cue: &Cue, kind: LicenseKind, requirement: &Requirement) -> Outcome {
    let candidates: Vec<Index> = (0..model.licenses.len())
        .filter(|&index| {
            let license = &model.licenses[index];
            license.kind.is_some_and(|k| k.value == kind)
                && license
                    .cue
                    .as_ref()
                    .is_some_and(|named| named.name == cue.id.name)
        })
        .collect();
    let (executed, unexecuted): (Vec<Index>, Vec<Index>) =
        candidates.into_iter().partition(|&index| {
            model.licenses[index]
                .status
                .is_some_and(|status| status.value == LicenseStatus::Executed)
        });
    let mut best: Option<(Index, Vec<Gap>)> = None;
    for index in executed {
        let gaps = gaps(model, index, requirement);
        if gaps.is_empty() {
            return Outcome::Cleared(index);
        }
        if best
            .as_ref()
            .is_none_or(|(_, fewest)| gaps.len() < fewest.len())
        {
            best = Some((index, gaps));
        }
    }
    match best {
        Some((license, gaps)) => Outcome::Uncovered { license, gaps },
        None => Outcome::Missing { unexecuted },
    }
}

/// What licence `index` fails to cover of `requirement`.
pub fn gaps(model: &Model, index: Index, requirement: &Requirement) -> Vec<Gap> {
    let license = &model.licenses[index];
    let mut gaps = Vec::new();
    let licensed_media = license.media.as_ref().map(|media| &media.value);
    if let Some(shortfall) = shortfall(requirement.media.as_ref(), licensed_media) {
        gaps.push(Gap::Media(shortfall));
    }
    let licensed_territory = license.territory.as_ref().map(|territory| &territory.value);
    if let Some(shortfall) = shortfall(requirement.territory.as_ref(), licensed_territory) {
        gaps.push(Gap::Territory(shortfall));
    }
    if let (Some(date), Some(term)) = (requirement.date, license.term) {
        if !term.includes(date) {
            gaps.push(Gap::Term(date));
        }
    }
    gaps
}

fn shortfall(needed: Option<&Coverage>, licensed: Option<&Coverage>) -> Option<Shortfall> {
    let needed = needed?;
    let licensed = licensed?;
    match (needed, licensed) {
        (_, Coverage::Everything) => None,
        (Coverage::Everything, Coverage::Only(_)) => Some(Shortfall::Everything),
        (Coverage::Only(items), licensed) => {
            let missing: Vec<String> = items
                .iter()
                .filter(|item| !licensed.covers(&item.name))
                .map(|item| item.name.clone())
                .collect();
            (!missing.is_empty()).then_some(Shortfall::Only(missing))
        }
    }
}

/// "sync", "master" or "album".
pub fn kind_name(kind: LicenseKind) -> &'static str {
    match kind {
        LicenseKind::Sync => "sync",
        LicenseKind::Master => "master",
        LicenseKind::Album => "album",
    }
}

/// "quoted", "pending" or "executed".
pub fn status_name(status: LicenseStatus) -> &'static str {
    match status {
        LicenseStatus::Quoted => "quoted",
        LicenseStatus::Pending => "pending",
        LicenseStatus::Executed => "executed",
    }
}

/// Every context each cue is used in: the targets whose mix it reaches (in
/// target order), then the albums that list it (in album order).
pub fn contexts_of_cues(model: &Model, mixes: &[crate::model::reach::Reach]) -> Vec<Vec<Context>> {
    let mut contexts = vec![Vec::new(); model.cues.len()];
    for (target, mix) in mixes.iter().enumerate() {
        for reached in &mix.cues {
            contexts[reached.index].push(Context::Target(target));
        }
    }
    for (album_index, album) in model.albums.iter().enumerate() {
        for track in &album.tracks {
            if let Some(cue) = model.cues.index(&track.cue.name) {
                if !contexts[cue].contains(&Context::Album(album_index)) {
                    contexts[cue].push(Context::Album(album_index));
                }
            }
        }
    }
    contexts
}
