//! The resolved model of a project: every import loaded, every reference
//! resolved, every value checked and converted to its unit.
//!
//! Items keep the spans of the declarations and properties they came from,
//! so later stages (lint rules, the build) can point diagnostics at the
//! recipe text that must change.

pub mod calendar;
pub(crate) mod clearance;
pub(crate) mod reach;
pub mod scene;
pub mod time;
pub(crate) mod timing;
pub(crate) mod wav_header;

pub use scene::{Object, PathPoint, ResolvedScene, Scene};
pub use time::{FrameRate, Timecode};

use std::collections::HashMap;

use crate::{syntax::ast::Date, syntax::source::Sources, syntax::span::Span};

/// Index of an item in one of the model's tables.
pub type Index = usize;

/// A resolved project.
#[derive(Debug, Default)]
pub struct Model {
    pub sources: Sources,
    pub project: Option<Project>,
    pub stems: Table<Stem>,
    /// `object` declarations: Dolby Atmos audio objects.
    pub objects: Table<Object>,
    /// `immersive` declarations: scenes of a bed and objects.
    pub scenes: Table<Scene>,
    pub cues: Table<Cue>,
    pub licenses: Table<License>,
    pub buses: Table<Bus>,
    pub targets: Table<Target>,
    pub reels: Table<Reel>,
    pub albums: Table<Album>,
    pub specs: Table<Spec>,
    pub layouts: Table<Layout>,
    pub downmixes: Table<Downmix>,
    pub lint: Vec<LintSetting>,
    /// The spans of declarations the resolver reported an error in (a value
    /// it rejected, an unknown property): the lints skip them, so that a
    /// rejected `usage BX` is not also reported as a missing usage code.
    pub rejected: Vec<Span>,
    /// Names that a misspelt reference was close to (`dx` for `dxx`): meant
    /// to be used, so not reported unused.
    pub meant: Vec<String>,
    /// Every target's mix ([`reach::Reach::of_all_targets`]), derived once
    /// on first use: the rules, the cue sheet, the rights matrix and the QC
    /// report all ask, and the model does not change once resolved.
    mixes: std::sync::OnceLock<Vec<reach::Reach>>,
}

/// Items of one kind in declaration order, with a name index.
#[derive(Debug)]
pub struct Table<T> {
    items: Vec<T>,
    by_name: HashMap<String, Index>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            by_name: HashMap::new(),
        }
    }
}

impl<T> Table<T> {
    /// Adds an item; returns the index of an earlier item of the same name instead.
    pub fn insert(&mut self, name: &str, item: T) -> Result<Index, Index> {
        if let Some(&existing) = self.by_name.get(name) {
            return Err(existing);
        }
        let index = self.items.len();
        self.items.push(item);
        self.by_name.insert(name.to_owned(), index);
        Ok(index)
    }

    pub fn index(&self, name: &str) -> Option<Index> {
        self.by_name.get(name).copied()
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.index(name).map(|index| &self.items[index])
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }
}

impl<T> std::ops::Index<Index> for Table<T> {
    type Output = T;
    fn index(&self, index: Index) -> &T {
        &self.items[index]
    }
}

impl<'a, T> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A name with the span where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Named {
    pub name: String,
    pub span: Span,
}

/// A value with the span of the text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// `project "Title" { … }`
#[derive(Debug, Clone)]
pub struct Project {
    pub title: String,
    pub frame_rate: FrameRate,
    pub sample_rate: u32,
    pub picture_start: Timecode,
    pub release: Option<Spanned<Date>>,
    /// `end TIMECODE`: where the programme of a project without reels
    /// ends (the frame it names is not in it).
    pub end: Option<Spanned<Timecode>>,
    /// `pan_law`: how `pan` divides a mono source between two loudspeakers.
    pub pan_law: crate::audio::pan_law::PanLaw,
    pub span: Span,
}

/// `reel NAME { start TIMECODE end TIMECODE }`: one reel of the film, from
/// the frame `start` names up to (not including) the frame `end` names.
/// The long play joins the reels in timecode order.
#[derive(Debug, Clone)]
pub struct Reel {
    pub name: Named,
    pub start: Option<Spanned<Timecode>>,
    pub end: Option<Spanned<Timecode>>,
    pub span: Span,
}

impl Reel {
    /// The reel's start and end, when both are declared.
    pub fn bounds(&self) -> Option<(Timecode, Timecode)> {
        Some((self.start?.value, self.end?.value))
    }
}

/// A duration as written: seconds, or video frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Duration {
    Seconds(f64),
    Frames(f64),
}

impl Duration {
    /// The length in samples at `rate`, rounded to the nearest sample.
    pub fn samples(self, rate: u32, frame_rate: FrameRate) -> u64 {
        let samples = match self {
            Duration::Seconds(seconds) => seconds * f64::from(rate),
            Duration::Frames(frames) => {
                let (numerator, denominator) = frame_rate.ratio();
                frames * f64::from(rate) * denominator as f64 / numerator as f64
            }
        };
        samples.round().max(0.0) as u64
    }

    pub fn seconds(self, frame_rate: FrameRate) -> f64 {
        match self {
            Duration::Seconds(seconds) => seconds,
            Duration::Frames(frames) => {
                let (numerator, denominator) = frame_rate.ratio();
                frames * denominator as f64 / numerator as f64
            }
        }
    }
}

/// Where audio comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AudioSource {
    /// A WAV file, relative to the recipe that names it.
    File {
        path: std::path::PathBuf,
        written: String,
    },
    /// One mono WAV file per channel (`file [L "DX.L.wav", R "DX.R.wav"]`),
    /// in the order written; readers put them in the layout's order.
    MultiMono {
        files: Vec<MonoFile>,
    },
    Tone {
        frequency_hz: f64,
        level_dbfs: f64,
        duration: Duration,
    },
    Noise {
        color: NoiseColor,
        level_dbfs: f64,
        duration: Duration,
    },
    Silence {
        duration: Duration,
    },
}

/// One file of a multi-mono source: the channel it carries and its path.
#[derive(Debug, Clone, PartialEq)]
pub struct MonoFile {
    /// The channel label as written (`L`, `Lfe`…).
    pub channel: Named,
    /// The path, relative to the recipe that names it.
    pub path: std::path::PathBuf,
    /// The path as written.
    pub written: String,
    /// The span of the list item (`L "DX.L.wav"`).
    pub span: Span,
}

impl AudioSource {
    /// The files the source reads, with their spans (the `file` property's
    /// for a single file, each item's for a multi-mono set), in the order
    /// written; empty for a generator.
    pub fn files(&self, span: Span) -> Vec<(&std::path::Path, &str, Span)> {
        match self {
            AudioSource::File { path, written } => vec![(path.as_path(), written.as_str(), span)],
            AudioSource::MultiMono { files } => files
                .iter()
                .map(|file| (file.path.as_path(), file.written.as_str(), file.span))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Where a clip starts: a timecode, or the `bext` time stamp of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// `at HH:MM:SS:FF`
    Timecode(Timecode),
    /// `at bext`: the file's Broadcast WAV TimeReference.
    Bext,
}

impl Placement {
    /// The timecode, for `at TIMECODE`.
    pub fn timecode(self) -> Option<Timecode> {
        match self {
            Placement::Timecode(timecode) => Some(timecode),
            Placement::Bext => None,
        }
    }
}

impl std::fmt::Display for Placement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Placement::Timecode(timecode) => write!(f, "{timecode}"),
            Placement::Bext => f.write_str("bext"),
        }
    }
}

/// A `bext` TimeReference, counted at `file_rate`, as samples since
/// midnight at `project_rate`: `reference · project_rate / file_rate` in
/// exact integer arithmetic (rounded down).
pub fn time_reference_at(reference: u64, file_rate: u32, project_rate: u32) -> u64 {
    if file_rate == project_rate || file_rate == 0 {
        return reference;
    }
    let scaled = u128::from(reference) * u128::from(project_rate) / u128::from(file_rate);
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

/// The spectrum of a noise generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoiseColor {
    White,
    Pink,
    Brown,
}

/// How a fade's gain moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FadeCurve {
    Linear,
    EqualPower,
}

/// One use of a clip in the picture: one `at START [to END]` property. A
/// clip with several `at` properties plays once at each (a cue's reprise),
/// each use with the clip's trims, fades and gain, its own `to` bounding
/// that use only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Use {
    /// `at START` or `at bext`.
    pub at: Spanned<Placement>,
    /// `to END`, when the use is cut short.
    pub until: Option<Spanned<Timecode>>,
    /// The whole `at … [to …]` property.
    pub span: Span,
}

/// Placement and processing shared by stems and cues.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    pub audio: Option<Spanned<AudioSource>>,
    pub layout: Option<Named>,
    /// Its uses, in the order written; none when it has no `at` (it then
    /// plays once, from `picture_start`).
    pub uses: Vec<Use>,
    pub gain_db: f64,
    pub pan: Option<Pan>,
    pub fade_in: Option<Duration>,
    pub fade_out: Option<Duration>,
    pub fade_curve: FadeCurve,
    pub trim_head: Option<Duration>,
    pub trim_tail: Option<Duration>,
}

impl Clip {
    /// The first use's `at`: where a clip with one use plays.
    pub fn at(&self) -> Option<Spanned<Placement>> {
        self.uses.first().map(|first| first.at)
    }

    /// The first use's `to`.
    pub fn until(&self) -> Option<Spanned<Timecode>> {
        self.uses.first().and_then(|first| first.until)
    }

    /// The clip as heard at each of its uses: a copy holding that one use,
    /// with its number from 1; one copy without a use when it has none.
    pub fn each_use(&self) -> Vec<(usize, Clip)> {
        if self.uses.is_empty() {
            return vec![(1, self.clone())];
        }
        self.uses
            .iter()
            .enumerate()
            .map(|(index, one)| {
                let mut clip = self.clone();
                clip.uses = vec![*one];
                (index + 1, clip)
            })
            .collect()
    }
}

/// Where `pan` places a mono source.
#[derive(Debug, Clone, PartialEq)]
pub enum Pan {
    /// `pan C`: a loudspeaker channel, by its name.
    Channel(Named),
    /// `pan 30deg`: an azimuth in degrees (ITU-R BS.2051: 0 front centre,
    /// positive to the left).
    Azimuth(Spanned<f64>),
}

impl Pan {
    /// The span of the pan's argument.
    pub fn span(&self) -> Span {
        match self {
            Pan::Channel(channel) => channel.span,
            Pan::Azimuth(azimuth) => azimuth.span,
        }
    }

    /// The pan as written: `C` or `30deg`.
    pub fn describe(&self) -> String {
        match self {
            Pan::Channel(channel) => channel.name.clone(),
            Pan::Azimuth(azimuth) => format!("{}deg", azimuth.value),
        }
    }
}

/// `stem NAME { … }`
#[derive(Debug, Clone)]
pub struct Stem {
    pub name: Named,
    pub role: Named,
    pub clip: Clip,
    pub span: Span,
}

impl Stem {
    /// Whether the stem carries dialogue (role `dialogue` or `adr`).
    pub fn is_dialogue(&self) -> bool {
        matches!(self.role.name.as_str(), "dialogue" | "adr")
    }
}

/// Score or song.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CueType {
    Score,
    Song,
}

/// A writer or publisher on a cue sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    pub name: String,
    pub society: Option<Named>,
    pub share: Option<Spanned<f64>>,
    pub span: Span,
}

/// `cue ID "Title" { … }`
#[derive(Debug, Clone)]
pub struct Cue {
    pub id: Named,
    pub title: String,
    pub cue_type: Option<Spanned<CueType>>,
    /// `diegetic` or `non-diegetic`.
    pub source: Option<Named>,
    pub usage: Option<Named>,
    pub clip: Clip,
    pub writers: Vec<Party>,
    pub publishers: Vec<Party>,
    pub artist: Option<Spanned<String>>,
    pub label: Option<Spanned<String>>,
    pub isrc: Option<Spanned<String>>,
    pub iswc: Option<Spanned<String>>,
    pub span: Span,
}

impl Cue {
    pub fn is_song(&self) -> bool {
        matches!(
            self.cue_type,
            Some(Spanned {
                value: CueType::Song,
                ..
            })
        )
    }
}

/// What a licence clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseKind {
    Sync,
    Master,
    Album,
}

/// Where a licence is in its negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseStatus {
    Quoted,
    Pending,
    Executed,
}

/// `world`/`all`, or the listed territories or media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    Everything,
    Only(Vec<Named>),
}

impl Coverage {
    pub fn covers(&self, item: &str) -> bool {
        match self {
            Coverage::Everything => true,
            Coverage::Only(items) => items.iter().any(|named| named.name == item),
        }
    }
}

/// A licence term; `end` is `None` for perpetuity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub start: Date,
    pub end: Option<Date>,
    pub span: Span,
}

impl Term {
    pub fn includes(&self, date: Date) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }
}

/// `license NAME { … }`
#[derive(Debug, Clone)]
pub struct License {
    pub name: Named,
    pub kind: Option<Spanned<LicenseKind>>,
    pub cue: Option<Named>,
    pub licensor: Option<Spanned<String>>,
    pub territory: Option<Spanned<Coverage>>,
    pub media: Option<Spanned<Coverage>>,
    pub term: Option<Term>,
    pub status: Option<Spanned<LicenseStatus>>,
    pub span: Span,
}

/// What a bus member names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberRef {
    Stem(Index),
    Cue(Index),
    Bus(Index),
    /// `cues`: every cue.
    AllCues,
}

/// One member of a bus with its gain.
#[derive(Debug, Clone, PartialEq)]
pub struct BusMember {
    pub name: Named,
    /// `None` where the name did not resolve (a diagnostic was reported).
    pub target: Option<MemberRef>,
    pub gain_db: f64,
    /// `downmix NAME`: the downmix from the member's layout to the bus's,
    /// in place of the pair's default.
    pub downmix: Option<Named>,
    pub span: Span,
}

/// `bus NAME LAYOUT { … }`
#[derive(Debug, Clone)]
pub struct Bus {
    pub name: Named,
    pub layout: Named,
    pub members: Vec<BusMember>,
    pub span: Span,
}

/// A container, sample rate and bit depth: `format wav 48kHz 24bit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// `format adm …`: an ADM BWF master of an immersive scene (a bed and
    /// objects, with `chna` and `axml` chunks), not a channel-based WAV.
    pub adm: bool,
    pub sample_rate: u32,
    pub bits: u16,
    pub float: bool,
    pub span: Span,
}

/// `target NAME { … }`
#[derive(Debug, Clone)]
pub struct Target {
    pub name: Named,
    pub from: Vec<Named>,
    pub layout: Option<Named>,
    pub downmix: Option<Named>,
    pub format: Option<Format>,
    pub spec: Option<Named>,
    pub media: Option<Spanned<Coverage>>,
    pub territory: Option<Spanned<Coverage>>,
    pub release: Option<Spanned<Date>>,
    /// `due DATE`: when the deliverable is owed (`sndtrk schedule`).
    pub due: Option<Spanned<Date>>,
    pub normalize: bool,
    pub limiter: bool,
    /// The stems or buses whose activity gates dialogue loudness (empty:
    /// every dialogue and ADR stem that reaches the target).
    pub dialogue_gate: Vec<Named>,
    /// `match TARGET`: the target whose normalisation gain this one takes.
    pub matches: Option<Named>,
    /// `reel NAME`: the one reel the target renders (else the long play).
    pub reel: Option<Named>,
    /// Declared as music and effects (`kind me`).
    pub is_me: bool,
    pub span: Span,
}

/// Score-only or soundtrack album.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlbumKind {
    Score,
    Soundtrack,
}

/// `album NAME "Title" { … }`
#[derive(Debug, Clone)]
pub struct Album {
    pub name: Named,
    pub title: String,
    pub kind: Option<Spanned<AlbumKind>>,
    pub tracks: Vec<AlbumTrack>,
    pub format: Option<Format>,
    pub spec: Option<Named>,
    pub release: Option<Spanned<Date>>,
    /// `due DATE`: when the album is owed (`sndtrk schedule`).
    pub due: Option<Spanned<Date>>,
    pub span: Span,
}

/// `track CUE [edit film|album]`: one track of an album.
#[derive(Debug, Clone)]
pub struct AlbumTrack {
    /// The cue.
    pub cue: Named,
    /// Which version of the cue the track is.
    pub edit: TrackEdit,
}

/// The version of a cue an album track is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackEdit {
    /// The cue's whole recording (the default): without the film's trims,
    /// `to`, fades and gain.
    Album,
    /// The cue as the film plays it: its trims, `to`, fades and gain.
    Film,
}

/// Which loudness a spec measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoudnessGate {
    /// BS.1770-4 full programme.
    Programme,
    /// Measured where dialogue is active.
    Dialogue,
}

/// An integrated loudness target with its tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessTarget {
    pub lufs: f64,
    pub tolerance_lu: f64,
    pub gate: LoudnessGate,
    pub span: Span,
}

/// `spec NAME { … }`: delivery rules.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: Named,
    pub layouts: Vec<Named>,
    pub sample_rate: Option<Spanned<u32>>,
    pub bits: Option<Spanned<u16>>,
    pub loudness: Option<LoudnessTarget>,
    pub true_peak_dbtp: Option<Spanned<f64>>,
    pub sample_peak_dbfs: Option<Spanned<f64>>,
    pub lra: Option<Spanned<(f64, f64)>>,
    /// A spec for music and effects (no dialogue).
    pub is_me: bool,
    pub limiter: bool,
    pub span: Span,
}

/// `layout NAME { channels [...] mask 0x… }`
#[derive(Debug, Clone)]
pub struct Layout {
    pub name: Named,
    pub channels: Vec<Named>,
    pub mask: Option<u32>,
    pub span: Span,
}

/// One output row of a downmix matrix: output channel ← Σ gain · input.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    pub output: Named,
    pub inputs: Vec<(Named, f64)>,
}

/// `downmix NAME { from A to B [default] matrix OUT [IN k, …] … }`
#[derive(Debug, Clone)]
pub struct Downmix {
    pub name: Named,
    pub from: Option<Named>,
    pub to: Option<Named>,
    pub rows: Vec<MatrixRow>,
    /// `default`: the downmix for its pair of layouts where several are
    /// declared (the span of the keyword).
    pub default: Option<Span>,
    pub span: Span,
}

/// A lint severity override from a `lint { … }` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSetting {
    pub code: Named,
    pub level: LintLevel,
}

/// What a `lint` block does to a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LintLevel {
    Deny,
    Warn,
    Allow,
}
