//! Lowering: a resolved [`Model`] to the stages that render it.
//!
//! Stages, by id:
//! - `resample:CLIP`: a stem's or cue's file source at another rate than
//!   the project's, resampled to it (the only stages whose existence
//!   depends on what a file's header says, given by [`lower_with_rates`]);
//! - `timeline`: the programme's start and length, from every placement and
//!   every source's length (it reads WAV headers, so it is a stage: its
//!   output changes only when a placement or a source's length does, and
//!   early cutoff stops the rebuild there);
//! - `bus:NAME`: the sum of a bus's stems and cues, placed on the timeline,
//!   and of its sub-buses;
//! - `target:NAME`: a deliverable, converted to its layout, normalised to
//!   its spec, dithered and encoded;
//! - `measure:NAME`: a target, measured as delivered (loudness, peaks and
//!   clipped samples; dialogue-gated too when its spec is);
//! - `album:NAME/NN`: one album track: its cue alone, resampled and encoded;
//! - `measure:NAME/NN`: an album track, measured as delivered;
//! - `report:FILE`: the cue sheet and the rights matrix.
//!
//! This is the one place that decides which stages exist; ids are typed
//! ([`StageId`]). Lowering is pure: it computes no audio and reads no file.

mod plan;
mod stage_id;

use std::path::{Path, PathBuf};

pub use plan::{
    AdmObject, AdmPlan, AlbumLevelStage, AlbumTrackStage, BusStage, ClipSpec, MasterRerender,
    MeasureStage, ReelBounds, RenderPlan, Report, ReportStage, ResampleStage, Route, SpecLimits,
    StageSpec, TargetStage, TimelineStage,
};
pub use stage_id::{Renders, StageId};

use crate::{
    model::{
        Album, AlbumTrack, Clip, Cue, FrameRate, LoudnessGate, MemberRef, Model, Pan, Target,
        TrackEdit,
    },
    resolve::{
        levels,
        pan::{placement, project_law, Placement},
        references::{album_conversion, album_layout, conversion},
    },
    syntax::ast::Timecode,
};

/// Lowers a model that resolved without errors, taking every file to be at
/// the project's rate (see [`lower_with_rates`]).
pub fn lower(model: &Model, recipe_dir: &Path) -> RenderPlan {
    lower_with_rates(model, recipe_dir, &|_| None)
}

/// Lowers a model that resolved without errors. `rate_of` tells the sample
/// rate of a file (resolved against `recipe_dir`) as its header says, if it
/// can be read: a clip whose file (a multi-mono set's first) is at another
/// rate than the project's gets a `resample:CLIP` stage. Lowering itself
/// reads no file.
pub fn lower_with_rates(
    model: &Model,
    recipe_dir: &Path,
    rate_of: &dyn Fn(&Path) -> Option<u32>,
) -> RenderPlan {
    let project = model.project.as_ref();
    let sample_rate = project.map_or(48_000, |project| project.sample_rate);
    let mut stages = Vec::new();
    let mut timeline = Vec::new();
    let mut lowerer = Lowerer {
        model,
        recipe_dir,
        resampled: Vec::new(),
    };
    let named_clips = model
        .stems
        .iter()
        .map(|stem| (stem_clip(stem), &stem.clip))
        .chain(model.cues.iter().map(|cue| (cue_clip(cue), &cue.clip)))
        .chain(
            scened_objects(model)
                .into_iter()
                .map(|object| (object_clip(object), &object.clip)),
        );
    for (name, clip) in named_clips {
        let Some(audio) = &clip.audio else {
            continue;
        };
        let first = audio.value.files(audio.span).first().map(|file| file.0);
        let rate = first.and_then(|path| rate_of(&recipe_dir.join(path)));
        if let Some(rate) = rate.filter(|rate| *rate != sample_rate) {
            lowerer.resampled.push((name, rate));
        }
    }
    for (name, from_rate) in &lowerer.resampled {
        let clip = match name.split_once(':') {
            Some(("stem", stem)) => model.stems.get(stem).map(|stem| &stem.clip),
            Some(("object", object)) => model.objects.get(object).map(|object| &object.clip),
            Some((_, cue)) => model.cues.get(cue).map(|cue| &cue.clip),
            None => None,
        };
        if let Some(clip) = clip.and_then(|clip| lowerer.clip(name, clip, None)) {
            stages.push(StageSpec::Resample(ResampleStage {
                id: StageId::resample(name),
                clip,
                from_rate: *from_rate,
            }));
        }
    }
    let lowerer = lowerer;
    for stem in &model.stems {
        timeline.extend(lowerer.uses(&stem_clip(stem), &stem.clip, None));
    }
    for cue in &model.cues {
        timeline.extend(lowerer.uses(&cue_clip(cue), &cue.clip, None));
    }
    let scened = scened_objects(model);
    for object in &scened {
        timeline.extend(lowerer.uses(&object_clip(object), &object.clip, None));
    }
    stages.push(StageSpec::Timeline(TimelineStage {
        id: StageId::timeline(),
        clips: timeline,
        reels: reels(model),
        end: project.and_then(|project| project.end).map(|end| end.value),
    }));
    for index in bus_order(model) {
        stages.push(StageSpec::Bus(lowerer.bus(index)));
    }
    for object in &scened {
        stages.push(StageSpec::Bus(lowerer.object(object)));
    }
    for target in &model.targets {
        if let Some(gate) = lowerer.dialogue_gate(target) {
            stages.push(StageSpec::Bus(gate));
        }
        if let Some(stage) = lowerer.matched_target(target) {
            // Every deliverable is measured once rendered: against its spec
            // (D004), and for clipping whether it has a spec or not (D007).
            let measure = MeasureStage {
                id: StageId::measurement(&stage.name),
                measured: vec![stage.id.clone()],
                // An ADM master's tracks are no loudspeaker feeds: measured
                // (for clipping) as channels without positions.
                channels: match &stage.adm {
                    Some(_) => (1..=stage.channels.len())
                        .map(|track| format!("Ch{track}"))
                        .collect(),
                    None => stage.channels.clone(),
                },
                sample_rate: stage.format.sample_rate,
                dialogue: measured_gate(&stage, sample_rate),
                rerender: master_rerender(&stage),
            };
            stages.push(StageSpec::Target(stage));
            stages.push(StageSpec::Measure(measure));
        }
    }
    for album in &model.albums {
        let level = lowerer.album_level(album);
        let mut tracks = Vec::new();
        let mut measures = Vec::new();
        for (position, track) in album.tracks.iter().enumerate() {
            if let Some(mut stage) = lowerer.album_track(album, position, track) {
                stage.level = level.as_ref().map(|level| level.id.clone());
                measures.push(MeasureStage {
                    id: StageId::track_measurement(&stage.album, stage.number),
                    measured: vec![stage.id.clone()],
                    channels: stage.channels.clone(),
                    sample_rate: stage.format.sample_rate,
                    dialogue: Vec::new(),
                    rerender: None,
                });
                tracks.push(stage);
            }
        }
        // An album with a spec is measured as one once its tracks are
        // rendered.
        let measure = album.spec.as_ref().and_then(|_| {
            let first = tracks.first()?;
            Some(MeasureStage {
                id: StageId::album_measurement(&album.name.name),
                measured: tracks.iter().map(|track| track.id.clone()).collect(),
                dialogue: Vec::new(),
                channels: first.channels.clone(),
                sample_rate: first.format.sample_rate,
                rerender: None,
            })
        });
        stages.extend(level.map(StageSpec::AlbumLevel));
        for (track, measured) in tracks.into_iter().zip(measures) {
            stages.push(StageSpec::AlbumTrack(track));
            stages.push(StageSpec::Measure(measured));
        }
        stages.extend(measure.map(StageSpec::Measure));
    }
    for report in Report::ALL {
        stages.push(StageSpec::Report(ReportStage {
            id: StageId::report(report.file()),
            report,
            output: Path::new("reports").join(report.file()),
        }));
    }
    RenderPlan {
        title: project
            .map(|project| project.title.clone())
            .unwrap_or_default(),
        sample_rate,
        frame_rate: project.map_or(FrameRate::F24, |project| project.frame_rate),
        picture_start: project.map_or(Timecode::ZERO, |project| project.picture_start),
        stages,
    }
}

/// How an ADM master is measured for loudness: on the re-render of its
/// scene whose level it takes (its implied 5.1, or the re-render it
/// `match`es), rebuilt from the master's own tracks: the bed's tracks by
/// their gains into the re-render's loudspeakers, each object's track from
/// its path.
fn master_rerender(stage: &TargetStage) -> Option<MasterRerender> {
    let adm = stage.adm.as_ref()?;
    let level = stage
        .matched
        .as_deref()
        .filter(|level| level.adm.is_none())?;
    // A re-render of the master's own scene: its bed and objects.
    let same = |(a, _): &(StageId, Route), (b, _): &(StageId, Route)| a == b;
    if level.from.len() != stage.from.len()
        || !level.from.iter().zip(&stage.from).all(|(a, b)| same(a, b))
    {
        return None;
    }
    let renderer = crate::audio::bs2127::TargetLayout::named(&level.layout)?;
    let bed = crate::audio::adm::bed::bed(&adm.bed)?;
    let tracks = bed.len() + adm.objects.len();
    let rows = bed_gains(renderer, bed)?
        .into_iter()
        .map(|mut row| {
            row.resize(tracks, 0.0);
            row
        })
        .collect();
    Some(MasterRerender {
        layout: level.layout.clone(),
        channels: level.channels.clone(),
        bed: rows,
        objects: (bed.len()..).zip(adm.objects.iter().cloned()).collect(),
        dialogue: level.dialogue.clone(),
    })
}

/// Each bed channel's ITU-R BS.2127 DirectSpeakers gains into `renderer`,
/// at the position the master writes for it: `rows[output][channel]`, the
/// channels in the bed's (the master's track) order.
fn bed_gains(
    renderer: crate::audio::bs2127::TargetLayout,
    bed: &[crate::audio::adm::bed::BedChannel],
) -> Option<Vec<Vec<f32>>> {
    use crate::audio::bs2127::{bed_channel_gains, BedChannel, Position};
    let mut rows = vec![vec![0.0f32; bed.len()]; renderer.channels()];
    for (index, channel) in bed.iter().enumerate() {
        let speaker = BedChannel::new(
            channel.speaker,
            Position::new(channel.x, channel.y, channel.z),
        );
        let gains = bed_channel_gains(renderer, &speaker).ok()?;
        for (row, gain) in rows.iter_mut().zip(gains) {
            row[index] = gain as f32;
        }
    }
    Some(rows)
}

/// The dialogue buses a target's measurement gates its loudness on: those
/// its normaliser gates on, when its spec's loudness is dialogue-gated and
/// it is delivered at the project's rate `project_rate` (the buses run at
/// that rate; a resampled deliverable is measured over the whole programme
/// only).
fn measured_gate(target: &TargetStage, project_rate: u32) -> Vec<StageId> {
    let gated = target
        .spec
        .as_ref()
        .and_then(|spec| spec.loudness)
        .is_some_and(|loudness| loudness.gate == crate::model::LoudnessGate::Dialogue);
    if gated && target.format.sample_rate == project_rate {
        target.dialogue.clone()
    } else {
        Vec::new()
    }
}

/// The reels, in timecode order (the resolver has rejected overlaps).
fn reels(model: &Model) -> Vec<ReelBounds> {
    let mut reels: Vec<ReelBounds> = model
        .reels
        .iter()
        .filter_map(|reel| {
            let (start, end) = reel.bounds()?;
            Some(ReelBounds {
                name: reel.name.name.clone(),
                start,
                end,
            })
        })
        .collect();
    let rate = model
        .project
        .as_ref()
        .map_or(FrameRate::F24, |project| project.frame_rate);
    reels.sort_by_key(|reel| (reel.start.frame_count(rate), reel.name.clone()));
    reels
}

/// The objects some scene plays, each once, in declaration order (an
/// object no scene names renders nothing).
fn scened_objects(model: &Model) -> Vec<&crate::model::Object> {
    model
        .objects
        .iter()
        .filter(|object| {
            model.scenes.iter().any(|scene| {
                scene
                    .objects
                    .iter()
                    .any(|named| named.name == object.name.name)
            })
        })
        .collect()
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

/// A stem's clip name, `stem:NAME`: how keys, seeds and messages know it.
fn stem_clip(stem: &crate::model::Stem) -> String {
    format!("stem:{}", stem.name.name)
}

/// An object's clip name, `object:NAME`.
fn object_clip(object: &crate::model::Object) -> String {
    format!("object:{}", object.name.name)
}

/// A cue's clip name, `cue:ID`.
fn cue_clip(cue: &crate::model::Cue) -> String {
    format!("cue:{}", cue.id.name)
}

/// A fixed seed per clip name (FNV-1a), so noise is reproducible and two
/// noise stems are not the same noise.
fn seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A stem or a bus that gates dialogue loudness (model indices).
#[derive(Debug, Clone, Copy)]
enum GateMember {
    Stem(usize),
    Bus(usize),
    /// A scene's dialogue object (its `object:NAME` stage), by index.
    Object(usize),
}

struct Lowerer<'a> {
    model: &'a Model,
    recipe_dir: &'a Path,
    /// The clips whose files are at another rate than the project's, with
    /// that rate: each has a `resample:CLIP` stage.
    resampled: Vec<(String, u32)>,
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

    fn route(&self, from: &str, to: &str, pan: Option<&Pan>) -> Option<Route> {
        if let Some(pan) = pan {
            return self.pan(pan, to);
        }
        match conversion(self.model, from, to)? {
            None => Some(Route::Direct),
            Some(name) => self.matrix(name),
        }
    }

    /// A mono source panned into layout `to`: a channel alone
    /// ([`Route::Pan`], as a pan to one channel always was), or a
    /// one-input matrix named after the pan (`pan C`, `pan 30deg`) with
    /// each loudspeaker's gain at the project's pan law.
    fn pan(&self, pan: &Pan, to: &str) -> Option<Route> {
        let channels = self.channels(to);
        match placement(&channels, pan, project_law(self.model)).ok()? {
            Placement::Channel(index) => Some(Route::Pan(index)),
            Placement::Gains(gains) => {
                let mut rows = vec![vec![0.0f32]; channels.len()];
                for (index, gain) in gains {
                    if let Some(row) = rows.get_mut(index) {
                        row[0] += gain as f32;
                    }
                }
                Some(Route::Matrix {
                    name: format!("pan {}", pan.describe()),
                    rows,
                })
            }
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

    /// One clip per use of `clip` ([`Clip::each_use`]): the first named
    /// `name`, the others `name@2`, `name@3`, …, all with the seed of
    /// `name`, so that every use of a noise plays the same noise.
    fn uses(&self, name: &str, clip: &Clip, destination: Option<&str>) -> Vec<ClipSpec> {
        clip.each_use()
            .into_iter()
            .filter_map(|(number, one)| {
                let mut spec = self.clip(name, &one, destination)?;
                if number > 1 {
                    spec.name = format!("{name}@{number}");
                }
                Some(spec)
            })
            .collect()
    }

    fn clip(&self, name: &str, clip: &Clip, destination: Option<&str>) -> Option<ClipSpec> {
        let source = clip.audio.as_ref()?.value.clone();
        let layout = self.clip_layout(clip);
        let route = match destination {
            Some(destination) => self.route(&layout, destination, clip.pan.as_ref())?,
            None => Route::Direct,
        };
        let mut spec = ClipSpec {
            name: name.to_owned(),
            files: Vec::new(),
            channels: self.channels(&layout),
            clip: clip.clone(),
            seed: seed(name),
            route,
            source,
            resample: None,
        };
        spec.files = spec
            .declared_files()
            .into_iter()
            .map(|path| self.recipe_dir.join(path))
            .collect();
        if self.resampled.iter().any(|(clip, _)| clip == name) {
            spec.resample = Some(StageId::resample(name));
        }
        Some(spec)
    }

    /// A stem or cue as a member of a bus of layout `layout`: routed
    /// through the member's `downmix` when it names one from the clip's
    /// layout, else by [`Lowerer::route`] (its pan, or the pair's default).
    fn member_clip(
        &self,
        name: &str,
        clip: &Clip,
        layout: &str,
        downmix: Option<&str>,
    ) -> Option<ClipSpec> {
        let named = downmix.and_then(|name| {
            let declared = self.model.downmixes.get(name)?;
            let from = declared.from.as_ref()?;
            (from.name == self.clip_layout(clip)).then_some(name)
        });
        match named {
            Some(downmix) => {
                let mut spec = self.clip(name, clip, None)?;
                spec.route = self.matrix(downmix)?;
                Some(spec)
            }
            None => self.clip(name, clip, Some(layout)),
        }
    }

    /// Every use of a bus member's clip ([`Lowerer::uses`]), routed to the
    /// bus's `layout` as [`Lowerer::member_clip`] routes it.
    fn member_uses(
        &self,
        name: &str,
        clip: &Clip,
        layout: &str,
        downmix: Option<&str>,
    ) -> Vec<ClipSpec> {
        clip.each_use()
            .into_iter()
            .filter_map(|(number, one)| {
                let mut spec = self.member_clip(name, &one, layout, downmix)?;
                if number > 1 {
                    spec.name = format!("{name}@{number}");
                }
                Some(spec)
            })
            .collect()
    }

    fn bus(&self, index: usize) -> BusStage {
        let bus = &self.model.buses[index];
        let layout = bus.layout.name.as_str();
        let mut clips = Vec::new();
        let mut buses = Vec::new();
        for member in &bus.members {
            let downmix = member.downmix.as_ref().map(|name| name.name.as_str());
            match member.target {
                Some(MemberRef::Stem(stem)) => {
                    let stem = &self.model.stems[stem];
                    for clip in self.member_uses(&stem_clip(stem), &stem.clip, layout, downmix) {
                        clips.push((clip, member.gain_db));
                    }
                }
                Some(MemberRef::Cue(cue)) => {
                    let cue = &self.model.cues[cue];
                    for clip in self.member_uses(&cue_clip(cue), &cue.clip, layout, downmix) {
                        clips.push((clip, member.gain_db));
                    }
                }
                Some(MemberRef::AllCues) => {
                    for cue in &self.model.cues {
                        for clip in self.member_uses(&cue_clip(cue), &cue.clip, layout, downmix) {
                            clips.push((clip, member.gain_db));
                        }
                    }
                }
                Some(MemberRef::Bus(inner)) => {
                    let inner = &self.model.buses[inner];
                    let route = match downmix {
                        Some(name) => self.matrix(name),
                        None => self.route(&inner.layout.name, layout, None),
                    };
                    if let Some(route) = route {
                        buses.push((StageId::bus(&inner.name.name), member.gain_db, route));
                    }
                }
                None => {}
            }
        }
        BusStage {
            id: StageId::bus(&bus.name.name),
            name: bus.name.name.clone(),
            channels: self.channels(layout),
            clips,
            buses,
            reel: None,
        }
    }

    fn target(&self, target: &Target) -> Option<TargetStage> {
        if target.format.is_some_and(|format| format.adm) {
            return self.adm_target(target);
        }
        let layout = target.layout.as_ref()?.name.clone();
        if let [one] = target.from.as_slice() {
            if let Some(scene) = self.model.scene(&one.name) {
                return self.scene_target(target, &scene, layout);
            }
        }
        let mut from = Vec::new();
        for name in &target.from {
            let bus = self.model.buses.get(&name.name)?;
            let route = match &target.downmix {
                Some(downmix) => self.matrix(&downmix.name)?,
                None => self.route(&bus.layout.name, &layout, None)?,
            };
            from.push((StageId::bus(&bus.name.name), route));
        }
        self.loudspeaker_target(target, from, layout)
    }

    /// A deliverable on loudspeakers of `layout` rendered from `from`, with
    /// the target's spec, normalisation, dialogue gate, reel and output.
    fn loudspeaker_target(
        &self,
        target: &Target,
        from: Vec<(StageId, Route)>,
        layout: String,
    ) -> Option<TargetStage> {
        let spec = target
            .spec
            .as_ref()
            .and_then(|spec| self.model.specs.get(&spec.name));
        let dialogue = if self.gate_members(target).is_empty() {
            Vec::new()
        } else {
            vec![StageId::dialogue_gate(&target.name.name)]
        };
        Some(TargetStage {
            id: StageId::target(&target.name.name),
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
            spec: spec.map(spec_limits),
            normalize: target.normalize,
            limiter: target.limiter || spec.is_some_and(|spec| spec.limiter),
            dialogue,
            matched: None,
            reel: target.reel.as_ref().map(|reel| reel.name.clone()),
            output: PathBuf::from(format!("{}.wav", target.name.name)),
            adm: None,
        })
    }

    /// `object:NAME`: an object's clip alone, mono, on the timeline.
    fn object(&self, object: &crate::model::Object) -> BusStage {
        let name = object_clip(object);
        let clips = self
            .uses(&name, &object.clip, None)
            .into_iter()
            .map(|mut clip| {
                if clip.channels.is_empty() {
                    clip.channels = vec!["C".to_owned()];
                }
                (clip, 0.0)
            })
            .collect();
        BusStage {
            id: StageId::object(&object.name.name),
            name: object.name.name.clone(),
            channels: vec!["C".to_owned()],
            clips,
            buses: Vec::new(),
            reel: None,
        }
    }

    /// An ADM master (`format adm`) of the scene its `from` names: the bed
    /// bus routed to the profile's track order, then each object to its
    /// own track.
    fn adm_target(&self, target: &Target) -> Option<TargetStage> {
        let format = target.format?;
        let from = target.from.first()?;
        let scene = self.model.scene(&from.name)?;
        let bus = scene.bed_bus();
        let bed = crate::audio::adm::bed::bed(&bus.layout.name)?;
        let bus_channels = self.channels(&bus.layout.name);
        let objects: Vec<&crate::model::Object> = scene.objects().collect();
        let tracks = bed.len() + objects.len();
        let mut channels: Vec<String> =
            bed.iter().map(|channel| channel.label.to_owned()).collect();
        channels.extend(
            objects
                .iter()
                .map(|object| format!("object:{}", object.name.name)),
        );
        let mut bed_rows = vec![vec![0.0f32; bus_channels.len()]; tracks];
        for (track, channel) in bed.iter().enumerate() {
            let input = bus_channels
                .iter()
                .position(|label| label == channel.label)?;
            bed_rows[track][input] = 1.0;
        }
        let mut routes = vec![(
            StageId::bus(&bus.name.name),
            Route::Matrix {
                name: format!("{} bed", bus.layout.name),
                rows: bed_rows,
            },
        )];
        let mut planned = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            let mut rows = vec![vec![0.0f32]; tracks];
            rows[bed.len() + index][0] = 1.0;
            routes.push((
                StageId::object(&object.name.name),
                Route::Matrix {
                    name: format!("track {}", bed.len() + index + 1),
                    rows,
                },
            ));
            planned.push(self.adm_object(object));
        }
        let spec = target
            .spec
            .as_ref()
            .and_then(|spec| self.model.specs.get(&spec.name));
        Some(TargetStage {
            id: StageId::target(&target.name.name),
            name: target.name.name.clone(),
            from: routes,
            layout: format!("ADM {}", bus.layout.name),
            channels,
            mask: Some(0),
            format,
            spec: spec.map(spec_limits),
            normalize: target.normalize,
            limiter: target.limiter || spec.is_some_and(|spec| spec.limiter),
            dialogue: Vec::new(),
            matched: None,
            reel: target.reel.as_ref().map(|reel| reel.name.clone()),
            output: PathBuf::from(format!("{}.wav", target.name.name)),
            adm: Some(AdmPlan {
                scene: scene.scene.name.name.clone(),
                bed: bus.layout.name.clone(),
                objects: planned,
            }),
        })
    }

    /// An object as a master or a re-render places it: where its clip
    /// starts (samples since midnight: its first `at`, or the picture
    /// start) and its path from there.
    fn adm_object(&self, object: &crate::model::Object) -> AdmObject {
        let project = self.model.project.as_ref();
        let rate = project.map_or(48_000, |project| project.sample_rate);
        let frame_rate = project.map_or(FrameRate::F24, |project| project.frame_rate);
        let picture_start = project.map(|project| project.picture_start);
        let start = object
            .clip
            .at()
            .and_then(|at| at.value.timecode())
            .or(picture_start)
            .map_or(0, |timecode| {
                frame_rate.frame_to_samples(timecode.frame_count(frame_rate), rate)
            });
        AdmObject {
            name: object.name.name.clone(),
            start,
            path: object.path.clone(),
        }
    }

    /// A scene re-rendered to loudspeakers (`from SCENE layout 7.1.4`), by
    /// ITU-R BS.2127 as a renderer of the scene's ADM master would: the
    /// bed bus by each channel's DirectSpeakers gains, at the position the
    /// master gives the channel (a matrix), then each object from its path
    /// ([`Route::Object`], placed when the target renders). The layout is
    /// one the renderer targets, its channels in the renderer's order (the
    /// resolver says so with E0370 otherwise).
    fn scene_target(
        &self,
        target: &Target,
        scene: &crate::model::ResolvedScene<'_>,
        layout: String,
    ) -> Option<TargetStage> {
        let renderer = crate::audio::bs2127::TargetLayout::named(&layout)?;
        if self.channels(&layout) != renderer.labels() || target.downmix.is_some() {
            return None;
        }
        let bus = scene.bed_bus();
        let bed = crate::audio::adm::bed::bed(&bus.layout.name)?;
        let gains = bed_gains(renderer, bed)?;
        // The bus's channels, each found in the bed by its label.
        let mut inputs = Vec::new();
        for label in self.channels(&bus.layout.name) {
            inputs.push(bed.iter().position(|channel| channel.label == label)?);
        }
        let rows = gains
            .iter()
            .map(|row| inputs.iter().map(|&channel| row[channel]).collect())
            .collect();
        let mut from = vec![(
            StageId::bus(&bus.name.name),
            Route::Matrix {
                name: format!("{} bed to {layout}", bus.layout.name),
                rows,
            },
        )];
        for object in scene.objects() {
            from.push((
                StageId::object(&object.name.name),
                Route::Object(self.adm_object(object)),
            ));
        }
        self.loudspeaker_target(target, from, layout)
    }

    /// What an ADM master normalised to a spec takes its gain from: its
    /// scene's 5.1 re-render, with its spec, measured as Netflix measures
    /// it.
    fn master_level(&self, master: &Target) -> Option<TargetStage> {
        let from = master.from.first()?;
        let scene = self.model.scene(&from.name)?;
        let mut level = self.scene_target(master, &scene, "5.1".to_owned())?;
        level.name = format!("{} (5.1 re-render)", master.name.name);
        Some(level)
    }

    /// The target, with the target it `match`es (the end of its chain)
    /// lowered into it.
    fn matched_target(&self, target: &Target) -> Option<TargetStage> {
        let mut stage = self.target(target)?;
        if target.matches.is_some() {
            let level = levels::level_source(self.model, target)?;
            let mut matched = self.target(level)?;
            // A master's level is its 5.1 re-render's.
            if matched.adm.is_some() {
                matched = self.master_level(level)?;
            }
            stage.matched = Some(Box::new(matched));
        } else if stage.adm.is_some() && crate::stages::output::normalization(&stage).is_some() {
            stage.matched = Some(Box::new(self.master_level(target)?));
        }
        Some(stage)
    }

    /// `dialogue:NAME`: the mono sum of what gates target `target`'s
    /// dialogue loudness, if anything does.
    fn dialogue_gate(&self, target: &Target) -> Option<BusStage> {
        let members = self.gate_members(target);
        if members.is_empty() {
            return None;
        }
        let channels = self.channels("1.0");
        let to_mono = |inputs: usize| Route::Matrix {
            name: "dialogue".to_owned(),
            rows: vec![vec![1.0; inputs]],
        };
        let mut clips = Vec::new();
        let mut buses = Vec::new();
        for (member, gain) in members {
            match member {
                GateMember::Stem(stem) => {
                    let stem = &self.model.stems[stem];
                    for mut clip in self.uses(&stem_clip(stem), &stem.clip, None) {
                        clip.route = to_mono(clip.channels.len());
                        clips.push((clip, gain));
                    }
                }
                GateMember::Bus(bus) => {
                    let bus = &self.model.buses[bus];
                    let inputs = self.channels(&bus.layout.name).len();
                    buses.push((StageId::bus(&bus.name.name), gain, to_mono(inputs)));
                }
                GateMember::Object(object) => {
                    let object = &self.model.objects[object];
                    buses.push((StageId::object(&object.name.name), gain, Route::Direct));
                }
            }
        }
        Some(BusStage {
            id: StageId::dialogue_gate(&target.name.name),
            name: format!("dialogue of {}", target.name.name),
            channels,
            clips,
            buses,
            // The gate runs beside what it gates: the target's reel.
            reel: target.reel.as_ref().map(|reel| reel.name.clone()),
        })
    }

    /// What gates `target`'s dialogue loudness, each with its gain in dB:
    /// the stems and buses its `dialogue_gate` names; otherwise, for a
    /// dialogue-gated spec, every dialogue or ADR stem that reaches the
    /// target through its buses, once per path, at the gain of the path.
    fn gate_members(&self, target: &Target) -> Vec<(GateMember, f64)> {
        let model = self.model;
        if !target.dialogue_gate.is_empty() {
            return target
                .dialogue_gate
                .iter()
                .filter_map(|name| {
                    model
                        .stems
                        .index(&name.name)
                        .map(GateMember::Stem)
                        .or_else(|| model.buses.index(&name.name).map(GateMember::Bus))
                        .map(|member| (member, 0.0))
                })
                .collect();
        }
        let gated = target
            .spec
            .as_ref()
            .and_then(|spec| model.specs.get(&spec.name))
            .and_then(|spec| spec.loudness)
            .is_some_and(|loudness| loudness.gate == LoudnessGate::Dialogue);
        if !gated {
            return Vec::new();
        }
        fn visit(
            model: &Model,
            bus: usize,
            gain: f64,
            depth: usize,
            found: &mut Vec<(GateMember, f64)>,
        ) {
            // The resolver rejects bus cycles; the depth bound keeps a
            // model that slipped through from recursing for ever.
            if depth > model.buses.len() {
                return;
            }
            for member in &model.buses[bus].members {
                match member.target {
                    Some(MemberRef::Stem(stem)) if model.stems[stem].is_dialogue() => {
                        found.push((GateMember::Stem(stem), gain + member.gain_db));
                    }
                    Some(MemberRef::Bus(inner)) => {
                        visit(model, inner, gain + member.gain_db, depth + 1, found)
                    }
                    _ => {}
                }
            }
        }
        let mut found = Vec::new();
        for name in &target.from {
            if let Some(bus) = model.buses.index(&name.name) {
                visit(model, bus, 0.0, 0, &mut found);
            } else if let Some(scene) = model.scene(&name.name) {
                // A scene's dialogue: its bed's, and its dialogue objects.
                visit(model, scene.bed, 0.0, 0, &mut found);
                for object in scene.objects().filter(|object| object.is_dialogue()) {
                    if let Some(index) = model.objects.index(&object.name.name) {
                        found.push((GateMember::Object(index), 0.0));
                    }
                }
            }
        }
        found
    }

    fn album_track(
        &self,
        album: &Album,
        position: usize,
        track: &AlbumTrack,
    ) -> Option<AlbumTrackStage> {
        let cue = self.model.cues.get(&track.cue.name)?;
        let number = position + 1;
        let layout = album_layout(self.model, album);
        let clip = self.album_clip(cue, track.edit, layout)?;
        let title = sanitize(&cue.title);
        Some(AlbumTrackStage {
            id: StageId::track(&album.name.name, number),
            album: album.name.name.clone(),
            album_title: album.title.clone(),
            number,
            title: cue.title.clone(),
            clip,
            channels: self.channels(layout),
            mask: self
                .model
                .layouts
                .get(layout)
                .and_then(|layout| layout.mask),
            format: album.format?,
            level: None,
            output: PathBuf::from(&album.name.name).join(format!("{number:02} {title}.wav")),
        })
    }

    /// A cue as an album track, routed to the album's `layout`: its whole
    /// recording, or with `edit film` as the film plays it. A cue of
    /// another layout is folded down ([`album_conversion`]); a panned mono
    /// cue is panned into the album's layout as into a bus (`pan C` on a
    /// stereo album is a phantom centre at the project's pan law).
    fn album_clip(&self, cue: &Cue, edit: TrackEdit, layout: &str) -> Option<ClipSpec> {
        // A cue used more than once is one track: `edit film` plays its
        // first use.
        let mut clip = cue.clip.clone();
        clip.uses.truncate(1);
        if edit == TrackEdit::Album {
            clip.trim_head = None;
            clip.trim_tail = None;
            for one in &mut clip.uses {
                one.until = None;
            }
            clip.fade_in = None;
            clip.fade_out = None;
            clip.gain_db = 0.0;
        }
        let mut spec = self.clip(&cue_clip(cue), &clip, None)?;
        let from = self.clip_layout(&clip);
        spec.route = match clip.pan.as_ref().filter(|_| from == "1.0") {
            Some(pan) => self.pan(pan, layout)?,
            None => match album_conversion(self.model, &from, layout)? {
                None => Route::Direct,
                Some(name) => self.matrix(name)?,
            },
        };
        Some(spec)
    }

    /// `album-level:NAME`, when the album's spec sets a loudness: its
    /// tracks, to be measured as one.
    fn album_level(&self, album: &Album) -> Option<AlbumLevelStage> {
        let spec = self.model.specs.get(&album.spec.as_ref()?.name)?;
        spec.loudness?;
        let layout = album_layout(self.model, album);
        let tracks = album
            .tracks
            .iter()
            .filter_map(|track| {
                let cue = self.model.cues.get(&track.cue.name)?;
                self.album_clip(cue, track.edit, layout)
            })
            .collect();
        Some(AlbumLevelStage {
            id: StageId::album_level(&album.name.name),
            album: album.name.name.clone(),
            tracks,
            channels: self.channels(layout),
            spec: spec_limits(spec),
            limiter: spec.limiter,
        })
    }
}

/// The measurable rules of `spec`.
fn spec_limits(spec: &crate::model::Spec) -> SpecLimits {
    SpecLimits {
        name: spec.name.name.clone(),
        loudness: spec.loudness,
        true_peak_dbtp: spec.true_peak_dbtp.map(|peak| peak.value),
        sample_peak_dbfs: spec.sample_peak_dbfs.map(|peak| peak.value),
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

    fn stage<'a>(plan: &'a RenderPlan, id: &str) -> &'a StageSpec {
        plan.stages
            .iter()
            .find(|stage| *stage.id() == id)
            .unwrap_or_else(|| panic!("no stage {id}"))
    }

    #[test]
    fn stage_ids_are_stable_and_readable() {
        let ids: Vec<String> = example()
            .stages
            .iter()
            .map(|stage| stage.id().to_string())
            .collect();
        assert_eq!(
            ids,
            [
                "timeline",
                "bus:DX",
                "bus:MX",
                "bus:FX",
                "bus:PM",
                "dialogue:print_master",
                "target:print_master",
                "measure:print_master",
                "dialogue:stereo",
                "target:stereo",
                "measure:stereo",
                "target:broadcast",
                "measure:broadcast",
                "target:me",
                "measure:me",
                "album-level:ost",
                "album:ost/01",
                "measure:ost/01",
                "album:ost/02",
                "measure:ost/02",
                "album-measure:ost",
                "report:cuesheet.csv",
                "report:cuesheet.json",
                "report:rights.json"
            ]
        );
    }

    // The stdlib writes BS.775's coefficient as printed, 0.7071.
    #[allow(clippy::approx_constant)]
    #[test]
    fn routes_follow_the_layouts() {
        let plan = example();
        let StageSpec::Bus(dx) = stage(&plan, "bus:DX") else {
            panic!()
        };
        // dx is mono panned to C (index 2 of L R C LFE Ls Rs); the pop too.
        assert_eq!(dx.clips[0].0.route, Route::Pan(2));
        let StageSpec::Bus(fx) = stage(&plan, "bus:FX") else {
            panic!()
        };
        // foley is 2.0 into a 5.1 bus through the stdlib's stereo51 matrix.
        let foley = &fx.clips[1].0;
        assert_eq!(foley.name, "stem:foley");
        assert!(matches!(&foley.route, Route::Matrix { name, .. } if name == "stereo51"));
        let StageSpec::Target(stereo) = stage(&plan, "target:stereo") else {
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
        let StageSpec::AlbumTrack(track) = stage(&plan, "album:ost/02") else {
            panic!()
        };
        assert_eq!(track.output, PathBuf::from("ost/02 Ocean Drive.wav"));
        assert_eq!(track.format.sample_rate, 44_100);
        assert_eq!(sanitize("a/b: c?"), "a_b_ c_");
        assert_eq!(sanitize(" .. "), "untitled");
    }

    #[test]
    fn a_cue_used_twice_is_two_clips_of_one_seed_and_one_album_track() {
        let text = include_str!("../../examples/night-harbor/soundtrack.sndtrk").replace(
            "at 01:00:04:00",
            "at 01:00:04:00\n    at 01:00:40:00 to 01:00:42:00",
        );
        let resolved = resolve_text("soundtrack.sndtrk", None, &text);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        let StageSpec::Timeline(timeline) = stage(&plan, "timeline") else {
            panic!()
        };
        let uses: Vec<&ClipSpec> = timeline
            .clips
            .iter()
            .filter(|clip| clip.name.starts_with("cue:1M1"))
            .collect();
        let names: Vec<&str> = uses.iter().map(|clip| clip.name.as_str()).collect();
        assert_eq!(names, ["cue:1M1", "cue:1M1@2"]);
        assert_eq!(uses[0].seed, uses[1].seed);
        assert_eq!(uses[1].clip.uses.len(), 1);
        assert!(uses[1].clip.until().is_some());
        assert!(uses[0].clip.until().is_none());
        // Still two album tracks: the cue is one track.
        let tracks = plan
            .stages
            .iter()
            .filter(|stage| matches!(stage, StageSpec::AlbumTrack(_)))
            .count();
        assert_eq!(tracks, 2);
        let StageSpec::AlbumTrack(track) = stage(&plan, "album:ost/01") else {
            panic!()
        };
        assert_eq!(track.clip.name, "cue:1M1");
        assert_eq!(track.clip.clip.uses.len(), 1);
        assert_eq!(track.clip.clip.at(), uses[0].clip.at());
        // The example's own plan is unchanged by the other use elsewhere.
        let before = example();
        let StageSpec::Bus(dx) = stage(&before, "bus:DX") else {
            panic!()
        };
        let StageSpec::Bus(dx_after) = stage(&plan, "bus:DX") else {
            panic!()
        };
        assert_eq!(dx, dx_after);
    }

    #[test]
    fn noise_seeds_differ_per_clip_and_are_fixed() {
        assert_ne!(seed("stem:fx"), seed("stem:amb"));
        assert_eq!(seed("stem:fx"), seed("stem:fx"));
    }
}
