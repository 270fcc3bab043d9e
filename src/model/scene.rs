//! Immersive scenes: Dolby Atmos audio objects and the scenes that join a
//! channel bed (a bus) with objects, as resolved from `object` and
//! `immersive` declarations.
//!
//! This is the model every consumer of a scene reads (the ADM BWF master,
//! the loudspeaker re-renders): [`Model::scene`] gives a scene's bed bus and
//! its objects, each with its clip (file, `at`, gain, fades and trims, as a
//! stem's) and its movement as [`PathPoint`]s, sample offsets from the
//! clip's start with room-centric cartesian coordinates.

use crate::model::{Clip, Index, Model, Named};
use crate::syntax::span::Span;

/// The most objects the Dolby Atmos Master ADM Profile allows in a scene.
pub const MAX_OBJECTS: usize = 118;
/// The most tracks (bed channels and objects) the profile allows.
pub const MAX_TRACKS: usize = 128;
/// The bed layouts the Dolby Atmos Master ADM Profile allows.
pub const BED_LAYOUTS: &[&str] = &["2.0", "3.0", "5.0", "5.1", "7.0", "7.1", "7.0.2", "7.1.2"];

/// One point of an object's movement: where the object is `offset`
/// samples (at the project's rate) after its clip's start.
///
/// Between two points the object moves in a straight line, in time; a
/// point marked `jump` is reached at once (the object leaves the point
/// before it at the instant of this one). Before the first point the
/// object stands at it, and after the last at that.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathPoint {
    /// Samples at the project's rate from the clip's `at`.
    pub offset: u64,
    /// Left -1 to right 1.
    pub x: f64,
    /// Back -1 to front 1.
    pub y: f64,
    /// Floor 0 to ceiling 1.
    pub z: f64,
    /// Reached at once rather than moved to.
    pub jump: bool,
    /// The point as written (`position X Y Z` or the path's item).
    pub span: Span,
}

/// `object NAME { … }`: a mono clip with a position.
#[derive(Debug, Clone)]
pub struct Object {
    pub name: Named,
    pub role: Named,
    /// The clip, as a stem's (its layout is mono).
    pub clip: Clip,
    /// One point for `position X Y Z`, several for `path [ … ]`, in time
    /// order (the resolver has rejected others); empty only where the
    /// resolver reported an error.
    pub path: Vec<PathPoint>,
    /// `cue ID`: the cue the object plays (its clip is then the cue's,
    /// heard in mono, and its path counts from the cue's start).
    pub cue: Option<Named>,
    pub span: Span,
}

impl Object {
    /// Whether the object carries dialogue (role `dialogue` or `adr`).
    pub fn is_dialogue(&self) -> bool {
        matches!(self.role.name.as_str(), "dialogue" | "adr")
    }

    /// Whether the object moves (a path of more than one point).
    pub fn moves(&self) -> bool {
        self.path.len() > 1
    }
}

/// `immersive NAME { bed BUS objects [A, B, …] }`
#[derive(Debug, Clone)]
pub struct Scene {
    pub name: Named,
    /// The bus that is the channel bed.
    pub bed: Option<Named>,
    /// The objects, in the order written: the master's tracks after the
    /// bed's.
    pub objects: Vec<Named>,
    pub span: Span,
}

/// A scene with its references followed: what the master and the
/// re-renders consume.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedScene<'a> {
    pub scene: &'a Scene,
    /// The bed bus (`model.buses[bed]`).
    pub bed: Index,
    /// The objects (`model.objects[index]`), in track order.
    pub objects: &'a [Named],
    model: &'a Model,
}

impl<'a> ResolvedScene<'a> {
    /// The bed bus.
    pub fn bed_bus(&self) -> &'a crate::model::Bus {
        &self.model.buses[self.bed]
    }

    /// The objects, in track order (those that resolved).
    pub fn objects(&self) -> impl Iterator<Item = &'a Object> + '_ {
        let model = self.model;
        self.objects
            .iter()
            .filter_map(move |name| model.objects.get(&name.name))
    }

    /// The cues heard through the scene's objects: each object that plays
    /// a declared cue, with the cue (`model.cues[index]`), in track order.
    pub fn cues(&self) -> impl Iterator<Item = (&'a Object, Index)> + '_ {
        let model = self.model;
        self.objects().filter_map(move |object| {
            let cue = object.cue.as_ref()?;
            Some((object, model.cues.index(&cue.name)?))
        })
    }
}

impl Model {
    /// Scene `name` with its bed and objects, if it and its bed resolve.
    pub fn scene(&self, name: &str) -> Option<ResolvedScene<'_>> {
        let scene = self.scenes.get(name)?;
        let bed = self.buses.index(&scene.bed.as_ref()?.name)?;
        Some(ResolvedScene {
            scene,
            bed,
            objects: &scene.objects,
            model: self,
        })
    }
}
