//! Lowering: a resolved [`Model`] to the stages that render it.
//!
//! Stages, by id:
//! - `timeline`: the programme's start and length, from every placement and
//!   every source's length (it reads WAV headers, so it is a stage: its
//!   output changes only when a placement or a source's length does, and
//!   early cutoff stops the rebuild there);
//! - `bus:NAME`: the sum of a bus's stems and cues, placed on the timeline,
//!   and of its sub-buses;
//! - `target:NAME`: a deliverable, converted to its layout, normalised to
//!   its spec, dithered and encoded;
//! - `album:NAME/NN`: one album track: its cue alone, resampled and encoded.
//!
//! Lowering is pure: it computes no audio and reads no file.

use std::path::{Path, PathBuf};

use crate::{
    model::{AudioSource, Clip, Format, FrameRate, LoudnessTarget, MemberRef, Model, Named},
    resolve::references::conversion,
    syntax::ast::Timecode,
};

/// Every stage of a project, in dependency order (inputs first).
#[derive(Debug, Clone, PartialEq)]
pub struct RenderPlan {
    /// The project's title (empty without a `project` declaration).
    pub title: String,
    pub sample_rate: u32,
    pub frame_rate: FrameRate,
    pub picture_start: Timecode,
    pub stages: Vec<StageSpec>,
}

/// One stage to render.
// A plan holds a few dozen stages; boxing the larger variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StageSpec {
    Timeline(TimelineStage),
    Bus(BusStage),
    Target(TargetStage),
    AlbumTrack(AlbumTrackStage),
}

impl StageSpec {
    pub fn id(&self) -> &str {
        match self {
            StageSpec::Timeline(_) => TIMELINE,
            StageSpec::Bus(stage) => &stage.id,
            StageSpec::Target(stage) => &stage.id,
            StageSpec::AlbumTrack(stage) => &stage.id,
        }
    }
}

/// The id of the timeline stage.
pub const TIMELINE: &str = "timeline";

/// A clip ready to render: its source, where it goes and what is done to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipSpec {
    /// `stem:dx` or `cue:1M1`.
    pub name: String,
    pub source: AudioSource,
    /// The file, resolved against the recipe's directory, for file sources.
    pub file: Option<PathBuf>,
    /// The channel labels of the clip's own layout.
    pub channels: Vec<String>,
    pub clip: Clip,
    /// A seed for noise generators, fixed per clip name.
    pub seed: u64,
    /// How the clip reaches the bus: a destination channel (`pan`), or a
    /// matrix, or neither when the layouts are the same.
    pub route: Route,
}

impl ClipSpec {
    /// The file as the recipe names it, relative to the project directory
    /// (or absolute): what keys and the engine see, so that they do not
    /// depend on the directory sndtrk runs in. [`ClipSpec::file`] is the
    /// path to open.
    pub fn declared_file(&self) -> Option<&Path> {
        match &self.source {
            AudioSource::File { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// How audio of one layout reaches another.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Direct,
    /// A mono source into one channel (index) of the destination.
    Pan(usize),
    /// A matrix: `rows[output][input]`.
    Matrix {
        name: String,
        rows: Vec<Vec<f32>>,
    },
}

/// `timeline`: the start and length of the programme.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineStage {
    pub clips: Vec<ClipSpec>,
}

/// `bus:NAME`
#[derive(Debug, Clone, PartialEq)]
pub struct BusStage {
    pub id: String,
    pub name: String,
    pub channels: Vec<String>,
    pub clips: Vec<(ClipSpec, f64)>,
    /// Sub-buses: (stage id, gain in dB, route).
    pub buses: Vec<(String, f64, Route)>,
}

/// `target:NAME`
#[derive(Debug, Clone, PartialEq)]
pub struct TargetStage {
    pub id: String,
    pub name: String,
    /// The buses summed (stage ids), each with its route to the target layout.
    pub from: Vec<(String, Route)>,
    pub layout: String,
    pub channels: Vec<String>,
    pub mask: Option<u32>,
    pub format: Format,
    pub spec: Option<SpecLimits>,
    pub normalize: bool,
    pub limiter: bool,
    /// Buses or stems whose sum gates dialogue loudness: stage ids.
    pub dialogue: Vec<String>,
    /// `out/NAME.wav`
    pub output: PathBuf,
}

/// The measurable rules of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecLimits {
    pub name: String,
    pub loudness: Option<LoudnessTarget>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
}

/// `album:NAME/NN`
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumTrackStage {
    pub id: String,
    pub album: String,
    /// The album's title, e.g. `Night Harbor (Original Motion Picture Soundtrack)`.
    pub album_title: String,
    pub number: usize,
    pub title: String,
    pub clip: ClipSpec,
    pub channels: Vec<String>,
    pub mask: Option<u32>,
    pub format: Format,
    /// `out/ALBUM/NN Title.wav`
    pub output: PathBuf,
}

/// Lowers a model that resolved without errors.
pub fn lower(model: &Model, recipe_dir: &Path) -> RenderPlan {
    let project = model.project.as_ref();
    let sample_rate = project.map_or(48_000, |project| project.sample_rate);
    let mut stages = Vec::new();
    let mut timeline = Vec::new();
    let lowerer = Lowerer { model, recipe_dir };
    for stem in &model.stems {
        if let Some(clip) = lowerer.clip(&format!("stem:{}", stem.name.name), &stem.clip, None) {
            timeline.push(clip);
        }
    }
    for cue in &model.cues {
        if let Some(clip) = lowerer.clip(&format!("cue:{}", cue.id.name), &cue.clip, None) {
            timeline.push(clip);
        }
    }
    stages.push(StageSpec::Timeline(TimelineStage { clips: timeline }));
    for index in bus_order(model) {
        stages.push(StageSpec::Bus(lowerer.bus(index)));
    }
    for target in &model.targets {
        if let Some(stage) = lowerer.target(target) {
            stages.push(StageSpec::Target(stage));
        }
    }
    for album in &model.albums {
        for (position, track) in album.tracks.iter().enumerate() {
            if let Some(stage) = lowerer.album_track(album, position, track) {
                stages.push(StageSpec::AlbumTrack(stage));
            }
        }
    }
    RenderPlan {
        title: project
            .map(|project| project.title.clone())
            .unwrap_or_default(),
        sample_rate,
        frame_rate: project.map_or(FrameRate::F24, |project| project.frame_rate),
        picture_start: project.map_or(
            Timecode {
                hours: 0,
                minutes: 0,
                seconds: 0,
                frames: 0,
                drop_frame: false,
            },
            |project| project.picture_start,
        ),
        stages,
    }
}

/// Buses with sub-buses first (the resolver has rejected cycles).
fn bus_order(model: &Model) -> Vec<usize> {
    fn visit(model: &Model, bus: usize, done: &mut Vec<bool>, order: &mut Vec<usize>) {
        if done[bus] {
            return;
        }
        done[bus] = true;
        for member in &model.buses[bus].members {
            if let Some(MemberRef::Bus(inner)) = member.target {
                visit(model, inner, done, order);
            }
        }
        order.push(bus);
    }
    let mut done = vec![false; model.buses.len()];
    let mut order = Vec::new();
    for bus in 0..model.buses.len() {
        visit(model, bus, &mut done, &mut order);
    }
    order
}

/// A fixed seed per clip name (FNV-1a), so noise is reproducible and two
/// noise stems are not the same noise.
fn seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Lowerer<'a> {
    model: &'a Model,
    recipe_dir: &'a Path,
}

impl Lowerer<'_> {
    fn channels(&self, layout: &str) -> Vec<String> {
        self.model
            .layouts
            .get(layout)
            .map(|layout| {
                layout
                    .channels
                    .iter()
                    .map(|channel| channel.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The clip's own layout: declared, or 2.0 for a cue, 1.0 for a panned stem.
    fn clip_layout(&self, clip: &Clip) -> String {
        match &clip.layout {
            Some(layout) => layout.name.clone(),
            None if clip.pan.is_some() => "1.0".to_owned(),
            None => "2.0".to_owned(),
        }
    }

    fn route(&self, from: &str, to: &str, pan: Option<&Named>) -> Option<Route> {
        if let Some(pan) = pan {
            let channels = self.channels(to);
            return channels
                .iter()
                .position(|channel| *channel == pan.name)
                .map(Route::Pan);
        }
        match conversion(self.model, from, to)? {
            None => Some(Route::Direct),
            Some(name) => self.matrix(name),
        }
    }

    fn matrix(&self, name: &str) -> Option<Route> {
        let downmix = self.model.downmixes.get(name)?;
        let inputs = self.channels(&downmix.from.as_ref()?.name);
        let outputs = self.channels(&downmix.to.as_ref()?.name);
        let rows = outputs
            .iter()
            .map(|output| {
                let mut row = vec![0.0f32; inputs.len()];
                for matrix_row in downmix.rows.iter().filter(|row| row.output.name == *output) {
                    for (input, gain) in &matrix_row.inputs {
                        if let Some(index) =
                            inputs.iter().position(|channel| *channel == input.name)
                        {
                            row[index] += *gain as f32;
                        }
                    }
                }
                row
            })
            .collect();
        Some(Route::Matrix {
            name: name.to_owned(),
            rows,
        })
    }

    fn clip(&self, name: &str, clip: &Clip, destination: Option<&str>) -> Option<ClipSpec> {
        let source = clip.audio.as_ref()?.value.clone();
        let layout = self.clip_layout(clip);
        let route = match destination {
            Some(destination) => self.route(&layout, destination, clip.pan.as_ref())?,
            None => Route::Direct,
        };
        let file = match &source {
            AudioSource::File { path, .. } => Some(self.recipe_dir.join(path)),
            _ => None,
        };
        Some(ClipSpec {
            name: name.to_owned(),
            file,
            channels: self.channels(&layout),
            clip: clip.clone(),
            seed: seed(name),
            route,
            source,
        })
    }

    fn bus(&self, index: usize) -> BusStage {
        let bus = &self.model.buses[index];
        let layout = bus.layout.name.as_str();
        let mut clips = Vec::new();
        let mut buses = Vec::new();
        for member in &bus.members {
            match member.target {
                Some(MemberRef::Stem(stem)) => {
                    let stem = &self.model.stems[stem];
                    if let Some(clip) = self.clip(
                        &format!("stem:{}", stem.name.name),
                        &stem.clip,
                        Some(layout),
                    ) {
                        clips.push((clip, member.gain_db));
                    }
                }
                Some(MemberRef::Cue(cue)) => {
                    let cue = &self.model.cues[cue];
                    if let Some(clip) =
                        self.clip(&format!("cue:{}", cue.id.name), &cue.clip, Some(layout))
                    {
                        clips.push((clip, member.gain_db));
                    }
                }
                Some(MemberRef::AllCues) => {
                    for cue in &self.model.cues {
                        if let Some(clip) =
                            self.clip(&format!("cue:{}", cue.id.name), &cue.clip, Some(layout))
                        {
                            clips.push((clip, member.gain_db));
                        }
                    }
                }
                Some(MemberRef::Bus(inner)) => {
                    let inner = &self.model.buses[inner];
                    if let Some(route) = self.route(&inner.layout.name, layout, None) {
                        buses.push((format!("bus:{}", inner.name.name), member.gain_db, route));
                    }
                }
                None => {}
            }
        }
        BusStage {
            id: format!("bus:{}", bus.name.name),
            name: bus.name.name.clone(),
            channels: self.channels(layout),
            clips,
            buses,
        }
    }

    fn target(&self, target: &crate::model::Target) -> Option<TargetStage> {
        let layout = target.layout.as_ref()?.name.clone();
        let mut from = Vec::new();
        for name in &target.from {
            let bus = self.model.buses.get(&name.name)?;
            let route = match &target.downmix {
                Some(downmix) => self.matrix(&downmix.name)?,
                None => self.route(&bus.layout.name, &layout, None)?,
            };
            from.push((format!("bus:{}", bus.name.name), route));
        }
        let spec = target
            .spec
            .as_ref()
            .and_then(|spec| self.model.specs.get(&spec.name));
        let dialogue_gated = spec
            .and_then(|spec| spec.loudness)
            .is_some_and(|loudness| loudness.gate == crate::model::LoudnessGate::Dialogue);
        let dialogue = if !target.dialogue_gate.is_empty() {
            target
                .dialogue_gate
                .iter()
                .filter_map(|name| {
                    self.model
                        .buses
                        .get(&name.name)
                        .map(|bus| format!("bus:{}", bus.name.name))
                })
                .collect()
        } else if dialogue_gated {
            self.dialogue_buses(&target.from)
        } else {
            Vec::new()
        };
        Some(TargetStage {
            id: format!("target:{}", target.name.name),
            name: target.name.name.clone(),
            from,
            channels: self.channels(&layout),
            mask: self
                .model
                .layouts
                .get(&layout)
                .and_then(|layout| layout.mask),
            layout,
            format: target.format?,
            spec: spec.map(|spec| SpecLimits {
                name: spec.name.name.clone(),
                loudness: spec.loudness,
                true_peak_dbtp: spec.true_peak_dbtp.map(|peak| peak.value),
                sample_peak_dbfs: spec.sample_peak_dbfs.map(|peak| peak.value),
            }),
            normalize: target.normalize,
            limiter: target.limiter || spec.is_some_and(|spec| spec.limiter),
            dialogue,
            output: PathBuf::from(format!("{}.wav", target.name.name)),
        })
    }

    /// The buses under `from` that hold dialogue stems directly: the
    /// default gate of a dialogue-gated spec.
    fn dialogue_buses(&self, from: &[Named]) -> Vec<String> {
        let mut found = Vec::new();
        let mut pending: Vec<usize> = from
            .iter()
            .filter_map(|name| self.model.buses.index(&name.name))
            .collect();
        let mut seen = vec![false; self.model.buses.len()];
        while let Some(bus) = pending.pop() {
            if std::mem::replace(&mut seen[bus], true) {
                continue;
            }
            let bus = &self.model.buses[bus];
            let mut has_dialogue = false;
            for member in &bus.members {
                match member.target {
                    Some(MemberRef::Stem(stem)) if self.model.stems[stem].is_dialogue() => {
                        has_dialogue = true
                    }
                    Some(MemberRef::Bus(inner)) => pending.push(inner),
                    _ => {}
                }
            }
            if has_dialogue {
                found.push(format!("bus:{}", bus.name.name));
            }
        }
        found.sort();
        found
    }

    fn album_track(
        &self,
        album: &crate::model::Album,
        position: usize,
        track: &Named,
    ) -> Option<AlbumTrackStage> {
        let cue = self.model.cues.get(&track.name)?;
        let number = position + 1;
        let layout = album
            .spec
            .as_ref()
            .and_then(|spec| self.model.specs.get(&spec.name))
            .and_then(|spec| spec.layouts.first())
            .map_or_else(|| "2.0".to_owned(), |layout| layout.name.clone());
        let clip = self.clip(&format!("cue:{}", cue.id.name), &cue.clip, Some(&layout))?;
        let title = sanitize(&cue.title);
        Some(AlbumTrackStage {
            id: format!("album:{}/{number:02}", album.name.name),
            album: album.name.name.clone(),
            album_title: album.title.clone(),
            number,
            title: cue.title.clone(),
            clip,
            channels: self.channels(&layout),
            mask: self
                .model
                .layouts
                .get(&layout)
                .and_then(|layout| layout.mask),
            format: album.format?,
            output: PathBuf::from(&album.name.name).join(format!("{number:02} {title}.wav")),
        })
    }
}

/// A title made safe as a file name on every common file system.
fn sanitize(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|character| match character {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            character if character.is_control() => '_',
            character => character,
        })
        .collect();
    let trimmed = cleaned.trim().trim_end_matches('.');
    if trimmed.is_empty() {
        "untitled".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::resolve_text;

    fn example() -> RenderPlan {
        let text = include_str!("../../examples/night-harbor/soundtrack.sndtrk");
        let resolved = resolve_text("soundtrack.sndtrk", None, text);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        lower(&resolved.model, Path::new("."))
    }

    #[test]
    fn stage_ids_are_stable_and_readable() {
        let ids: Vec<String> = example()
            .stages
            .iter()
            .map(|stage| stage.id().to_owned())
            .collect();
        assert_eq!(
            ids,
            [
                "timeline",
                "bus:DX",
                "bus:MX",
                "bus:FX",
                "bus:PM",
                "target:print_master",
                "target:stereo",
                "target:broadcast",
                "target:me",
                "album:ost/01",
                "album:ost/02"
            ]
        );
    }

    // The stdlib writes BS.775's coefficient as printed, 0.7071.
    #[allow(clippy::approx_constant)]
    #[test]
    fn routes_follow_the_layouts() {
        let plan = example();
        let StageSpec::Bus(dx) = &plan.stages[1] else {
            panic!()
        };
        // dx is mono panned to C (index 2 of L R C LFE Ls Rs); the pop too.
        assert_eq!(dx.clips[0].0.route, Route::Pan(2));
        let StageSpec::Bus(fx) = &plan.stages[3] else {
            panic!()
        };
        // foley is 2.0 into a 5.1 bus through the stdlib's stereo51 matrix.
        let foley = &fx.clips[1].0;
        assert_eq!(foley.name, "stem:foley");
        assert!(matches!(&foley.route, Route::Matrix { name, .. } if name == "stereo51"));
        let StageSpec::Target(stereo) = &plan.stages[6] else {
            panic!()
        };
        let Route::Matrix { name, rows } = &stereo.from[0].1 else {
            panic!()
        };
        assert_eq!(name, "loro");
        assert_eq!(rows[0], [1.0, 0.0, 0.7071, 0.0, 0.7071, 0.0]);
        assert_eq!(rows[1], [0.0, 1.0, 0.7071, 0.0, 0.0, 0.7071]);
        assert_eq!(stereo.output, PathBuf::from("stereo.wav"));
    }

    #[test]
    fn album_tracks_are_numbered_files() {
        let plan = example();
        let StageSpec::AlbumTrack(track) = &plan.stages[10] else {
            panic!()
        };
        assert_eq!(track.output, PathBuf::from("ost/02 Ocean Drive.wav"));
        assert_eq!(track.format.sample_rate, 44_100);
        assert_eq!(sanitize("a/b: c?"), "a_b_ c_");
        assert_eq!(sanitize(" .. "), "untitled");
    }

    #[test]
    fn noise_seeds_differ_per_clip_and_are_fixed() {
        assert_ne!(seed("stem:fx"), seed("stem:amb"));
        assert_eq!(seed("stem:fx"), seed("stem:fx"));
    }
}
