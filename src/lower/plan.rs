//! The lowered plan: every stage a project renders, in dependency order,
//! each with what it needs to render and nothing else.

use std::path::{Path, PathBuf};

use crate::{
    lower::StageId,
    model::{AudioSource, Clip, Format, FrameRate, LoudnessTarget},
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
    Resample(ResampleStage),
    Timeline(TimelineStage),
    Bus(BusStage),
    Target(TargetStage),
    Measure(MeasureStage),
    AlbumLevel(AlbumLevelStage),
    AlbumTrack(AlbumTrackStage),
    Report(ReportStage),
}

impl StageSpec {
    pub fn id(&self) -> &StageId {
        match self {
            StageSpec::Resample(stage) => &stage.id,
            StageSpec::Timeline(stage) => &stage.id,
            StageSpec::Bus(stage) => &stage.id,
            StageSpec::Target(stage) => &stage.id,
            StageSpec::Measure(stage) => &stage.id,
            StageSpec::AlbumLevel(stage) => &stage.id,
            StageSpec::AlbumTrack(stage) => &stage.id,
            StageSpec::Report(stage) => &stage.id,
        }
    }
}

/// A clip ready to render: its source, where it goes and what is done to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipSpec {
    /// `stem:dx` or `cue:1M1`; `cue:1M1@2` for a cue's second use.
    pub name: String,
    pub source: AudioSource,
    /// The files, resolved against the recipe's directory, for file
    /// sources: the one file, or a multi-mono set's in the layout's channel
    /// order.
    pub files: Vec<PathBuf>,
    /// The channel labels of the clip's own layout.
    pub channels: Vec<String>,
    /// The clip's settings, with at most one use: the one this clip plays.
    pub clip: Clip,
    /// A seed for noise generators, fixed per stem or cue (every use of
    /// it has the same).
    pub seed: u64,
    /// How the clip reaches the bus: a destination channel (`pan`), or a
    /// matrix, or neither when the layouts are the same.
    pub route: Route,
    /// The `resample:CLIP` stage whose output the clip reads instead of its
    /// files, when they are at another rate than the project's.
    pub resample: Option<StageId>,
}

impl ClipSpec {
    /// The files as the recipe names them, relative to the project
    /// directory (or absolute), in the order of [`ClipSpec::files`]: what
    /// keys and the engine see, so that they do not depend on the directory
    /// sndtrk runs in. [`ClipSpec::files`] are the paths to open.
    pub fn declared_files(&self) -> Vec<&Path> {
        match &self.source {
            AudioSource::File { path, .. } => vec![path.as_path()],
            AudioSource::MultiMono { files } => {
                let mut ordered: Vec<&Path> = self
                    .channels
                    .iter()
                    .filter_map(|channel| {
                        files
                            .iter()
                            .find(|file| file.channel.name == *channel)
                            .map(|file| file.path.as_path())
                    })
                    .collect();
                if ordered.len() != files.len() {
                    ordered = files.iter().map(|file| file.path.as_path()).collect();
                }
                ordered
            }
            _ => Vec::new(),
        }
    }
}

/// `resample:CLIP`: a clip's file source (one file, or a multi-mono set
/// interleaved) at another rate, resampled whole to the project's rate and
/// written as a 32-bit float WAV whose `bext` time reference, if the
/// source has one, is counted at the project's rate. Trims, fades and
/// placement are applied after, by the stages that read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResampleStage {
    pub id: StageId,
    /// The clip whose source is resampled (its trims and fades play no part).
    pub clip: ClipSpec,
    /// The source's rate, as its header said when the plan was made.
    pub from_rate: u32,
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
    /// An object (a mono `object:NAME` stage) rendered to the target's
    /// loudspeakers by ITU-R BS.2127 from its path, compiled to the ADM
    /// master's blocks on the programme's clock: a scene's re-render.
    Object(AdmObject),
}

/// `timeline`: the start and length of the programme.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineStage {
    /// Always [`StageId::timeline`].
    pub id: StageId,
    pub clips: Vec<ClipSpec>,
    /// The reels, in timecode order: the long play joins them.
    pub reels: Vec<ReelBounds>,
    /// The programme's `end`, in a project without reels.
    pub end: Option<Timecode>,
}

/// A reel: from the frame `start` names up to the frame `end` names.
#[derive(Debug, Clone, PartialEq)]
pub struct ReelBounds {
    pub name: String,
    pub start: Timecode,
    pub end: Timecode,
}

/// `bus:NAME`
#[derive(Debug, Clone, PartialEq)]
pub struct BusStage {
    pub id: StageId,
    pub name: String,
    pub channels: Vec<String>,
    pub clips: Vec<(ClipSpec, f64)>,
    /// Sub-buses: (stage id, gain in dB, route).
    pub buses: Vec<(StageId, f64, Route)>,
    /// The one reel rendered (a reel target's dialogue gate), else the
    /// long play.
    pub reel: Option<String>,
}

/// `target:NAME`
#[derive(Debug, Clone, PartialEq)]
pub struct TargetStage {
    pub id: StageId,
    pub name: String,
    /// The buses summed (stage ids), each with its route to the target layout.
    pub from: Vec<(StageId, Route)>,
    pub layout: String,
    pub channels: Vec<String>,
    pub mask: Option<u32>,
    pub format: Format,
    pub spec: Option<SpecLimits>,
    pub normalize: bool,
    pub limiter: bool,
    /// The stage whose output gates dialogue loudness (the target's
    /// `dialogue:NAME`), when its spec is dialogue-gated or it names a
    /// `dialogue_gate`, and there is dialogue to gate on.
    pub dialogue: Vec<StageId>,
    /// `match TARGET`: the target whose normalisation gain this one takes
    /// (the end of its chain of matches), lowered as it is lowered itself.
    pub matched: Option<Box<TargetStage>>,
    /// `reel NAME`: the one reel rendered, else the long play.
    pub reel: Option<String>,
    /// `out/NAME.wav`
    pub output: PathBuf,
    /// `format adm`: the ADM BWF master of an immersive scene, whose
    /// `from` is its bed (routed to the bed's tracks) then its objects
    /// (each to its track).
    pub adm: Option<AdmPlan>,
}

/// What an ADM master's metadata is made of, besides its audio.
#[derive(Debug, Clone, PartialEq)]
pub struct AdmPlan {
    /// The scene's name.
    pub scene: String,
    /// The bed's layout (one the profile allows).
    pub bed: String,
    /// The objects, in track order after the bed's.
    pub objects: Vec<AdmObject>,
}

/// One object of an ADM master.
#[derive(Debug, Clone, PartialEq)]
pub struct AdmObject {
    pub name: String,
    /// Where its clip starts: samples since midnight at the project's rate
    /// (its first use's `at`, or the picture start).
    pub start: u64,
    /// Its path, offsets from `start`.
    pub path: Vec<crate::model::PathPoint>,
}

impl AdmObject {
    /// The path as a key parameter (and a dither identity) reads it:
    /// `offset x y z[ jump]` per point, comma separated; where it is
    /// written in the recipe plays no part.
    pub fn path_text(&self) -> String {
        let points: Vec<String> = self
            .path
            .iter()
            .map(|point| {
                format!(
                    "{} {:?} {:?} {:?}{}",
                    point.offset,
                    point.x,
                    point.y,
                    point.z,
                    if point.jump { " jump" } else { "" }
                )
            })
            .collect();
        points.join(", ")
    }

    /// The object's path on the clock of a programme whose first sample is
    /// `programme_start` (samples since midnight at the project's rate).
    pub fn points(&self, programme_start: u64) -> Vec<crate::audio::adm::Point> {
        let start = i128::from(self.start) - i128::from(programme_start);
        self.path
            .iter()
            .map(|point| crate::audio::adm::Point {
                at: i64::try_from(start + i128::from(point.offset)).unwrap_or(i64::MAX),
                x: point.x,
                y: point.y,
                z: point.z,
                jump: point.jump,
            })
            .collect()
    }
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
    pub id: StageId,
    pub album: String,
    /// The album's title, e.g. `Night Harbor (Original Motion Picture Soundtrack)`.
    pub album_title: String,
    pub number: usize,
    pub title: String,
    pub clip: ClipSpec,
    pub channels: Vec<String>,
    pub mask: Option<u32>,
    pub format: Format,
    /// The album's level (`album-level:NAME`), when its spec sets a
    /// loudness: one gain for every track.
    pub level: Option<StageId>,
    /// `out/ALBUM/NN Title.wav`
    pub output: PathBuf,
}

/// `album-level:NAME`: the album measured as one programme (its tracks one
/// after the other, before any gain) and the one gain that brings it to its
/// spec's loudness, as JSON. Every track takes that gain, so the levels of
/// the tracks relative to each other stay as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumLevelStage {
    pub id: StageId,
    pub album: String,
    /// Every track's clip, routed to the album's layout, in track order.
    pub tracks: Vec<ClipSpec>,
    pub channels: Vec<String>,
    pub spec: SpecLimits,
    pub limiter: bool,
}

/// `measure:NAME` or `measure:NAME/NN`: a deliverable (a target or an
/// album track), measured once it is rendered; `album-measure:NAME`: an
/// album with a spec, its tracks measured one after the other as one.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureStage {
    pub id: StageId,
    /// What is measured: a target, or an album's tracks, measured one
    /// after the other as one programme.
    pub measured: Vec<StageId>,
    /// The deliverable's dialogue gate, when its spec gates on dialogue
    /// and the deliverable is at the project's rate.
    pub dialogue: Vec<StageId>,
    /// The deliverable's channel labels (they weight the loudness sum).
    pub channels: Vec<String>,
    /// The deliverable's sample rate.
    pub sample_rate: u32,
    /// An ADM master's loudness is measured as Netflix and Dolby measure
    /// it: on its scene's 5.1 re-render, made from the master's tracks
    /// (its clipping and sample peak on the tracks themselves).
    pub rerender: Option<MasterRerender>,
}

/// The re-render of an ADM master's tracks to loudspeakers: the bed by a
/// matrix, each object from its path (what a renderer of the master does).
#[derive(Debug, Clone, PartialEq)]
pub struct MasterRerender {
    /// The loudspeaker layout (`5.1`) and its channels.
    pub layout: String,
    pub channels: Vec<String>,
    /// `rows[output][track]`: the bed tracks' gains (0 for objects).
    pub bed: Vec<Vec<f32>>,
    /// Each object's track (from 0) and its placement.
    pub objects: Vec<(usize, AdmObject)>,
    /// The stages whose sum gates dialogue loudness.
    pub dialogue: Vec<StageId>,
}

/// `report:FILE`: a report of the recipe, written to `out/reports/FILE`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportStage {
    pub id: StageId,
    pub report: Report,
    /// `reports/FILE`
    pub output: PathBuf,
}

/// The reports every build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `cuesheet.csv`: the music cue sheet.
    CueSheetCsv,
    /// `cuesheet.json`: the music cue sheet.
    CueSheetJson,
    /// `rights.json`: the rights matrix.
    Rights,
}

impl Report {
    /// Every report, in the order they are written.
    pub const ALL: [Report; 3] = [Report::CueSheetCsv, Report::CueSheetJson, Report::Rights];

    /// The report's file name under `out/reports/`.
    pub fn file(self) -> &'static str {
        match self {
            Report::CueSheetCsv => "cuesheet.csv",
            Report::CueSheetJson => "cuesheet.json",
            Report::Rights => "rights.json",
        }
    }
}
