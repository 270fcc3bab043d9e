//! Interpreting declarations, property by property, into model items.

use crate::{
    diagnostic::Diagnostic,
    model::{
        Album, AlbumKind, AudioSource, Bus, BusMember, Clip, Coverage, Cue, CueType, Downmix,
        FadeCurve, Format, FrameRate, Layout, License, LicenseKind, LicenseStatus, LintLevel,
        LintSetting, LoudnessGate, LoudnessTarget, MatrixRow, Model, Named, NoiseColor, Party,
        Project, Spanned, Spec, Stem, Table, Target, Term,
    },
    resolve::{
        args::{layout_name, Args, BAD_TIMECODE, WRONG_ARGUMENT},
        imports::Loaded,
        props::Props,
    },
    syntax::ast::{Argument, Declaration, DeclarationKind, Timecode, Value},
    syntax::span::Span,
    syntax::unit::Dimension,
};

/// E0201: two declarations of one kind share a name.
pub const DUPLICATE: &str = crate::diagnostic::codes::E0201.code;
/// E0207: a second `project` declaration.
pub const SECOND_PROJECT: &str = crate::diagnostic::codes::E0207.code;
/// E0208: a recipe with stems, cues, targets or albums but no `project`.
pub const MISSING_PROJECT: &str = crate::diagnostic::codes::E0208.code;
/// E0310: a stem or cue with two audio sources.
pub const TWO_SOURCES: &str = crate::diagnostic::codes::E0310.code;

const PROJECT: &[&str] = &["frame_rate", "sample_rate", "picture_start", "release"];
const CLIP: &[&str] = &[
    "layout", "pan", "file", "tone", "noise", "silence", "at", "gain", "fade", "trim",
];
const STEM: &[&str] = &[
    "role", "layout", "pan", "file", "tone", "noise", "silence", "at", "gain", "fade", "trim",
];
const CUE: &[&str] = &[
    "type",
    "source",
    "usage",
    "layout",
    "pan",
    "file",
    "tone",
    "noise",
    "silence",
    "at",
    "gain",
    "fade",
    "trim",
    "writer",
    "publisher",
    "artist",
    "label",
    "isrc",
    "iswc",
];
const LICENSE: &[&str] = &[
    "kind",
    "cue",
    "licensor",
    "territory",
    "media",
    "term",
    "status",
];
const TARGET: &[&str] = &[
    "kind",
    "from",
    "layout",
    "format",
    "spec",
    "media",
    "territory",
    "release",
    "normalize",
    "limiter",
    "dialogue_gate",
];
const ALBUM: &[&str] = &["kind", "track", "format", "spec", "release"];
const SPEC: &[&str] = &[
    "kind",
    "layout",
    "rate",
    "depth",
    "loudness",
    "true_peak",
    "sample_peak",
    "lra",
    "limiter",
];
const LAYOUT: &[&str] = &["channels", "mask"];
const DOWNMIX: &[&str] = &["from", "matrix"];
const LINT: &[&str] = &["deny", "warn", "allow"];

/// The roles a stem may have.
pub const ROLES: &[&str] = &[
    "dialogue", "adr", "foley", "effects", "ambience", "music", "sync", "walla", "other",
];
/// Cue sheet usage codes.
pub const USAGES: &[&str] = &["BI", "BV", "VI", "VV", "MT", "ET"];
/// Media a deliverable is released in and a licence may cover.
pub const MEDIA: &[&str] = &[
    "theatrical",
    "streaming",
    "broadcast",
    "home_video",
    "airline",
    "festival",
    "online",
];

/// Interprets every declaration of every loaded file into `model`.
pub fn declarations(model: &mut Model, diagnostics: &mut Vec<Diagnostic>, files: &[Loaded]) {
    let names = files
        .iter()
        .flat_map(|loaded| &loaded.file.declarations)
        .filter_map(|declaration| declaration.name.as_ref())
        .map(|name| name.text.clone())
        .collect();
    let mut interpreter = Interpreter {
        frame_rate: FrameRate::F24,
        sample_rate: 48_000,
        names,
        diagnostics,
    };
    // The project comes first: timecodes are checked against its frame rate.
    for loaded in files {
        for declaration in &loaded.file.declarations {
            if declaration.kind != DeclarationKind::Project {
                continue;
            }
            match &model.project {
                Some(first) => interpreter.diagnostics.push(
                    Diagnostic::error(SECOND_PROJECT, "a second `project` declaration")
                        .at(declaration.keyword, "second project")
                        .related(first.span, "the project is declared here")
                        .help("a project has one `project` declaration, in its soundtrack.sndtrk"),
                ),
                None if !loaded.is_root => interpreter.diagnostics.push(
                    Diagnostic::error(SECOND_PROJECT, "an imported file declares a `project`")
                        .at(declaration.keyword, "in an imported file")
                        .help("declare the project in the root recipe only"),
                ),
                None => {
                    let split = interpreter.split(declaration);
                    model.project = interpreter.project(split.as_ref().unwrap_or(declaration));
                }
            }
        }
    }
    if let Some(project) = &model.project {
        interpreter.frame_rate = project.frame_rate;
        interpreter.sample_rate = project.sample_rate;
    }
    for loaded in files {
        for declaration in &loaded.file.declarations {
            let split = interpreter.split(declaration);
            let declaration = split.as_ref().unwrap_or(declaration);
            let before = interpreter.diagnostics.len();
            interpreter.declaration(model, declaration);
            if interpreter.diagnostics[before..]
                .iter()
                .any(Diagnostic::is_error)
            {
                model.rejected.push(declaration.span);
            }
        }
    }
    let needs_project = !model.stems.is_empty()
        || !model.cues.is_empty()
        || !model.targets.is_empty()
        || !model.albums.is_empty();
    if model.project.is_none() && needs_project {
        if let Some(root) = files.iter().find(|loaded| loaded.is_root) {
            let first = root
                .file
                .declarations
                .iter()
                .find(|declaration| declaration.kind != DeclarationKind::Import)
                .map(|declaration| declaration.keyword);
            let mut diagnostic =
                Diagnostic::error(MISSING_PROJECT, "this recipe has no `project` declaration")
                    .help("add `project \"Title\" { frame_rate 24 sample_rate 48kHz }`");
            if let Some(span) = first {
                diagnostic = diagnostic.at(span, "stems, cues and targets need a project");
            }
            interpreter.diagnostics.push(diagnostic);
        }
    }
}

struct Interpreter<'d> {
    frame_rate: FrameRate,
    /// Every declared name, in every loaded file: values, never misspelt
    /// property keywords.
    names: std::collections::HashSet<String>,
    /// The project's sample rate: a tone must lie below half of it.
    sample_rate: u32,
    diagnostics: &'d mut Vec<Diagnostic>,
}

fn insert<T>(
    table: &mut Table<T>,
    diagnostics: &mut Vec<Diagnostic>,
    kind: DeclarationKind,
    name: &Named,
    item: T,
    spans: impl Fn(&T) -> Span,
) {
    if let Err(existing) = table.insert(&name.name, item) {
        let first = spans(&table[existing]);
        diagnostics.push(
            Diagnostic::error(
                DUPLICATE,
                format!("{kind} `{}` is declared twice", name.name),
            )
            .at(name.span, "declared again here")
            .related(first, "first declared here")
            .help(format!("rename one of them; {kind} names are unique")),
        );
    }
}

fn named(name: &crate::syntax::ast::Name) -> Named {
    Named {
        name: name.text.clone(),
        span: name.span,
    }
}

/// The properties a kind of declaration takes.
fn allowed(kind: DeclarationKind) -> &'static [&'static str] {
    match kind {
        DeclarationKind::Project => PROJECT,
        DeclarationKind::Stem => STEM,
        DeclarationKind::Cue => CUE,
        DeclarationKind::License => LICENSE,
        DeclarationKind::Target => TARGET,
        DeclarationKind::Album => ALBUM,
        DeclarationKind::Spec => SPEC,
        DeclarationKind::Layout => LAYOUT,
        DeclarationKind::Downmix => DOWNMIX,
        DeclarationKind::Lint => LINT,
        DeclarationKind::Import | DeclarationKind::Bus => &[],
    }
}

impl Interpreter<'_> {
    /// The declaration with misspelt property keywords split off (see
    /// [`crate::resolve::props::split_misspelt`]), or `None` if it has none.
    fn split(&self, declaration: &Declaration) -> Option<Declaration> {
        crate::resolve::props::split_misspelt(declaration, allowed(declaration.kind), &self.names)
    }

    fn declaration(&mut self, model: &mut Model, declaration: &Declaration) {
        let Some(name) = declaration.name.as_ref().map(named) else {
            if declaration.kind == DeclarationKind::Lint {
                let settings = self.lint(declaration);
                model.lint.extend(settings);
            }
            return;
        };
        let kind = declaration.kind;
        match kind {
            DeclarationKind::Project | DeclarationKind::Import | DeclarationKind::Lint => {}
            DeclarationKind::Stem => {
                let stem = self.stem(declaration, name.clone());
                insert(
                    &mut model.stems,
                    self.diagnostics,
                    kind,
                    &name,
                    stem,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Cue => {
                let cue = self.cue(declaration, name.clone());
                insert(
                    &mut model.cues,
                    self.diagnostics,
                    kind,
                    &name,
                    cue,
                    |item| item.id.span,
                );
            }
            DeclarationKind::License => {
                let license = self.license(declaration, name.clone());
                insert(
                    &mut model.licenses,
                    self.diagnostics,
                    kind,
                    &name,
                    license,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Bus => {
                let bus = self.bus(declaration, name.clone());
                insert(
                    &mut model.buses,
                    self.diagnostics,
                    kind,
                    &name,
                    bus,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Target => {
                let target = self.target(declaration, name.clone());
                insert(
                    &mut model.targets,
                    self.diagnostics,
                    kind,
                    &name,
                    target,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Album => {
                let album = self.album(declaration, name.clone());
                insert(
                    &mut model.albums,
                    self.diagnostics,
                    kind,
                    &name,
                    album,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Spec => {
                let spec = self.spec(declaration, name.clone());
                insert(
                    &mut model.specs,
                    self.diagnostics,
                    kind,
                    &name,
                    spec,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Layout => {
                let layout = self.layout(declaration, name.clone());
                insert(
                    &mut model.layouts,
                    self.diagnostics,
                    kind,
                    &name,
                    layout,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Downmix => {
                let downmix = self.downmix(declaration, name.clone());
                insert(
                    &mut model.downmixes,
                    self.diagnostics,
                    kind,
                    &name,
                    downmix,
                    |item| item.name.span,
                );
            }
        }
    }

    fn project(&mut self, declaration: &Declaration) -> Option<Project> {
        let d = &mut *self.diagnostics;
        let mut props = Props::new(declaration, PROJECT);
        let frame_rate = props.read("frame_rate", d, |args| {
            let rate = args.number("a frame rate such as `24` or `23.976`")?;
            let millis = (rate.value * 1000.0).round();
            let exact = (rate.value * 1000.0 - millis).abs() < 1e-6;
            let frame_rate = match millis as i64 {
                23_976 if exact => FrameRate::F23_976,
                // 23.98 is how 23.976 is often rounded (Pro Tools says so).
                23_980 if exact => FrameRate::F23_976,
                24_000 if exact => FrameRate::F24,
                25_000 if exact => FrameRate::F25,
                29_970 if exact => FrameRate::F29_97,
                30_000 if exact => FrameRate::F30,
                _ => {
                    return args.out_of_range(
                        rate.span,
                        format!("{} is not a frame rate sndtrk knows", rate.value),
                        "write one of 23.976 (or 23.98), 24, 25, 29.97 or 30",
                    )
                }
            };
            Some(frame_rate)
        });
        let frame_rate = props.require(frame_rate, "frame_rate", "frame_rate 24", d);
        let sample_rate = props.read("sample_rate", d, |args| sample_rate(args));
        let sample_rate = props.require(sample_rate, "sample_rate", "sample_rate 48kHz", d);
        let title = declaration
            .title
            .as_ref()
            .map(|title| title.value.clone())
            .unwrap_or_default();
        let release = props.read("release", d, |args| args.date());
        let picture_start = props.one("picture_start", d).cloned();
        props.finish(d);
        let frame_rate = frame_rate.unwrap_or(FrameRate::F24);
        self.frame_rate = frame_rate;
        let picture_start = picture_start
            .and_then(|property| {
                let mut args = Args::new(&property, self.diagnostics);
                let timecode = args.timecode();
                if timecode.is_some() {
                    args.finish();
                }
                timecode
            })
            .and_then(|timecode| self.check_timecode(timecode))
            .map_or(
                Timecode {
                    hours: 0,
                    minutes: 0,
                    seconds: 0,
                    frames: 0,
                    drop_frame: false,
                },
                |timecode| timecode.value,
            );
        Some(Project {
            title,
            frame_rate,
            sample_rate: sample_rate.map_or(48_000, |rate| rate.value),
            picture_start,
            release,
            span: declaration.span,
        })
    }

    /// Checks a timecode against the project's frame rate.
    fn check_timecode(&mut self, timecode: Spanned<Timecode>) -> Option<Spanned<Timecode>> {
        let Spanned { value: tc, span } = timecode;
        let nominal = self.frame_rate.nominal();
        let rate = if tc.drop_frame && self.frame_rate.allows_drop_frame() {
            format!("{} drop-frame", self.frame_rate.describe())
        } else {
            self.frame_rate.describe().to_owned()
        };
        let problem = if tc.hours > 23 {
            Some(format!("hour {} does not exist (00 to 23)", tc.hours))
        } else if tc.minutes > 59 {
            Some(format!("minute {} does not exist (00 to 59)", tc.minutes))
        } else if tc.seconds > 59 {
            Some(format!("second {} does not exist (00 to 59)", tc.seconds))
        } else if tc.frames >= nominal {
            Some(format!(
                "frame {} does not exist at {rate} (frames 00 to {:02})",
                tc.frames,
                nominal - 1
            ))
        } else if tc.drop_frame && !self.frame_rate.allows_drop_frame() {
            Some(format!(
                "drop-frame timecode (`;`) exists only at 29.97 fps, not at {rate}"
            ))
        } else if tc.drop_frame {
            (tc.seconds == 0 && tc.minutes % 10 != 0 && tc.frames < 2).then(|| {
                format!(
                    "frame {:02} is dropped at the start of minute {:02} at {rate}",
                    tc.frames, tc.minutes
                )
            })
        } else {
            None
        };
        match problem {
            None => Some(timecode),
            Some(message) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        BAD_TIMECODE,
                        format!("`{tc}` is not a valid timecode: {message}"),
                    )
                    .at(span, "invalid timecode")
                    .help(format!(
                        "write HH:MM:SS:FF; at {} the frames run from 00 to {:02}",
                        self.frame_rate.describe(),
                        nominal - 1
                    )),
                );
                None
            }
        }
    }

    fn clip(&mut self, declaration: &Declaration, props: &mut Props<'_>) -> Clip {
        let mut sources = Vec::new();
        for keyword in ["file", "tone", "noise", "silence"] {
            if let Some(property) = props.one(keyword, self.diagnostics) {
                sources.push(property);
            }
        }
        if let [first, second, ..] = sources.as_slice() {
            self.diagnostics.push(
                Diagnostic::error(
                    TWO_SOURCES,
                    format!("a {} has one audio source", declaration.kind),
                )
                .at(second.keyword.span, "second source")
                .related(first.keyword.span, "first source")
                .help("keep one of `file`, `tone`, `noise` and `silence`"),
            );
        }
        let frame_rate = self.frame_rate;
        let audio = sources.first().and_then(|property| {
            let mut args = Args::new(property, self.diagnostics);
            let audio = audio_source(&mut args, property.keyword.text.as_str(), self.sample_rate);
            if audio.is_some() {
                args.finish();
            }
            audio.map(|value| Spanned {
                value,
                span: property.span,
            })
        });
        let _ = frame_rate;
        let d = &mut *self.diagnostics;
        let layout = props.read("layout", d, |args| args.layout());
        let pan = props.read("pan", d, |args| args.word("a channel such as `C`"));
        let gain_db = props
            .read("gain", d, |args| gain(args))
            .map_or(0.0, |gain| gain.value);
        let placement = props.one("at", d).cloned();
        let fade = props.read("fade", d, |args| {
            let mut fade = (None, None, FadeCurve::EqualPower);
            let mut any = false;
            loop {
                if args.eat("in").is_some() {
                    fade.0 = Some(args.duration()?.value);
                } else if args.eat("out").is_some() {
                    fade.1 = Some(args.duration()?.value);
                } else if args.eat("linear").is_some() {
                    fade.2 = FadeCurve::Linear;
                } else if args.eat("equal_power").is_some() {
                    fade.2 = FadeCurve::EqualPower;
                } else if any {
                    return Some(fade);
                } else {
                    return match args.peek() {
                        Some(argument) => args.wrong(argument, "`in DURATION` or `out DURATION`"),
                        None => args.missing("`in DURATION` or `out DURATION`"),
                    };
                }
                any = true;
            }
        });
        let trim = props.read("trim", d, |args| {
            let mut trim = (None, None);
            let mut any = false;
            loop {
                if args.eat("head").is_some() {
                    trim.0 = Some(args.duration()?.value);
                } else if args.eat("tail").is_some() {
                    trim.1 = Some(args.duration()?.value);
                } else if any {
                    return Some(trim);
                } else {
                    return match args.peek() {
                        Some(argument) => {
                            args.wrong(argument, "`head DURATION` or `tail DURATION`")
                        }
                        None => args.missing("`head DURATION` or `tail DURATION`"),
                    };
                }
                any = true;
            }
        });
        let (at, until) = match placement {
            Some(property) => {
                let mut args = Args::new(&property, self.diagnostics);
                let at = args.timecode();
                let until = if at.is_some() && args.eat("to").is_some() {
                    args.timecode()
                } else {
                    None
                };
                if at.is_some() {
                    args.finish();
                }
                let at = at.and_then(|timecode| self.check_timecode(timecode));
                let until = until.and_then(|timecode| self.check_timecode(timecode));
                if let (Some(start), Some(end)) = (at, until) {
                    if frames(end.value, self.frame_rate) <= frames(start.value, self.frame_rate) {
                        self.diagnostics.push(
                            Diagnostic::error(
                                crate::resolve::OUT_OF_RANGE,
                                format!(
                                    "the placement ends at {} before it starts at {}",
                                    end.value, start.value
                                ),
                            )
                            .at(end.span, "ends before the start")
                            .help("write `at START to END` with END after START"),
                        );
                    }
                }
                (at, until)
            }
            None => (None, None),
        };
        let (fade_in, fade_out, fade_curve) = fade.unwrap_or((None, None, FadeCurve::EqualPower));
        let (trim_head, trim_tail) = trim.unwrap_or((None, None));
        Clip {
            audio,
            layout,
            at,
            until,
            gain_db,
            pan,
            fade_in,
            fade_out,
            fade_curve,
            trim_head,
            trim_tail,
        }
    }

    fn stem(&mut self, declaration: &Declaration, name: Named) -> Stem {
        let mut props = Props::new(declaration, STEM);
        let role = props.read("role", self.diagnostics, |args| args.choice(ROLES));
        let role = props.require(role, "role", "role effects", self.diagnostics);
        let clip = self.clip(declaration, &mut props);
        if clip.audio.is_none()
            && !["file", "tone", "noise", "silence"]
                .iter()
                .any(|keyword| props.has(keyword))
        {
            props.require(
                None::<()>,
                "file",
                "file \"stems/NAME.wav\"",
                self.diagnostics,
            );
        }
        if clip.layout.is_none() && !props.has("layout") {
            props.require(None::<()>, "layout", "layout 5.1", self.diagnostics);
        }
        props.finish(self.diagnostics);
        Stem {
            role: role.unwrap_or(Named {
                name: "other".to_owned(),
                span: name.span,
            }),
            name,
            clip,
            span: declaration.span,
        }
    }

    fn cue(&mut self, declaration: &Declaration, id: Named) -> Cue {
        let mut props = Props::new(declaration, CUE);
        let d = &mut *self.diagnostics;
        let cue_type = props.read("type", d, |args| {
            let word = args.choice(&["score", "song"])?;
            let value = if word.name == "song" {
                CueType::Song
            } else {
                CueType::Score
            };
            Some(Spanned {
                value,
                span: word.span,
            })
        });
        let source = props.read("source", d, |args| {
            args.choice(&["diegetic", "non-diegetic"])
        });
        let usage = props.read("usage", d, |args| {
            args.choice_explained(
                USAGES,
                Some("the usage codes are BI (background instrumental), BV (background vocal), VI (visual instrumental), VV (visual vocal), MT (main title) and ET (end title)"),
            )
        });
        let writers = props.read_all("writer", d, party);
        let publishers = props.read_all("publisher", d, party);
        let artist = props.read("artist", d, |args| args.text("the artist's name in quotes"));
        let label = props.read("label", d, |args| args.text("the record label in quotes"));
        let isrc = props.read("isrc", d, |args| {
            args.text("an ISRC in quotes such as \"USRC17607839\"")
        });
        let iswc = props.read("iswc", d, |args| {
            args.text("an ISWC in quotes such as \"T-034524680-1\"")
        });
        let clip = self.clip(declaration, &mut props);
        props.finish(self.diagnostics);
        Cue {
            title: declaration
                .title
                .as_ref()
                .map(|title| title.value.clone())
                .unwrap_or_default(),
            id,
            cue_type,
            source,
            usage,
            clip,
            writers,
            publishers,
            artist,
            label,
            isrc,
            iswc,
            span: declaration.span,
        }
    }

    fn license(&mut self, declaration: &Declaration, name: Named) -> License {
        let mut props = Props::new(declaration, LICENSE);
        let d = &mut *self.diagnostics;
        let kind = props.read("kind", d, |args| {
            let word = args.choice(&["sync", "master", "album"])?;
            let value = match word.name.as_str() {
                "sync" => LicenseKind::Sync,
                "master" => LicenseKind::Master,
                _ => LicenseKind::Album,
            };
            Some(Spanned {
                value,
                span: word.span,
            })
        });
        let kind = props.require(kind, "kind", "kind sync", d);
        let cue = props.read("cue", d, |args| {
            args.word("the cue it covers, such as `1M1`")
        });
        let cue = props.require(cue, "cue", "cue 1M1", d);
        let licensor = props.read("licensor", d, |args| {
            args.text("the licensor's name in quotes")
        });
        let territory = props.read("territory", d, |args| {
            coverage(args, "world", "territories such as `world` or `[GB, DE]`")
        });
        let media = props.read("media", d, |args| {
            coverage(
                args,
                "all",
                "media such as `all` or `[streaming, broadcast]`",
            )
        });
        let term = props.read("term", d, |args| {
            let start = args.date()?;
            args.expect("to")?;
            let end = if args.eat("perpetuity").is_some() {
                None
            } else {
                Some(args.date()?)
            };
            if let Some(end) = end {
                if end.value < start.value {
                    return args.out_of_range(
                        end.span,
                        format!(
                            "the term ends on {} before it starts on {}",
                            end.value, start.value
                        ),
                        "write `term START to END` with END after START, or `to perpetuity`",
                    );
                }
            }
            Some(Term {
                start: start.value,
                end: end.map(|end| end.value),
                span: args.property_span(),
            })
        });
        let status = props.read("status", d, |args| {
            let word = args.choice(&["quoted", "pending", "executed"])?;
            let value = match word.name.as_str() {
                "quoted" => LicenseStatus::Quoted,
                "pending" => LicenseStatus::Pending,
                _ => LicenseStatus::Executed,
            };
            Some(Spanned {
                value,
                span: word.span,
            })
        });
        let status = props.require(status, "status", "status executed", d);
        props.finish(d);
        License {
            name,
            kind,
            cue,
            licensor,
            territory,
            media,
            term,
            status,
            span: declaration.span,
        }
    }

    fn bus(&mut self, declaration: &Declaration, name: Named) -> Bus {
        let members = match &declaration.body {
            crate::syntax::ast::Body::Members { members, .. } => members
                .iter()
                .map(|member| {
                    let gain_db = member
                        .gain
                        .as_ref()
                        .and_then(|argument| match &argument.value {
                            Value::Quantity {
                                value,
                                unit: crate::syntax::unit::Unit::Db,
                                ..
                            } => Some(*value),
                            Value::Misspelt {
                                value,
                                unit: crate::syntax::unit::Unit::Db,
                                ..
                            } => {
                                self.diagnostics
                                    .extend(crate::resolve::args::misspelt_unit(argument));
                                Some(*value)
                            }
                            _ => {
                                self.diagnostics.push(
                                    Diagnostic::error(
                                        WRONG_ARGUMENT,
                                        format!(
                                            "a bus member's gain is in dB, found {}",
                                            argument.value.describe()
                                        ),
                                    )
                                    .at(argument.span, "expected a gain such as `-3dB`")
                                    .help("write the member's gain in dB, such as `MX -3dB`"),
                                );
                                None
                            }
                        });
                    let gain_db = gain_db.and_then(|gain| {
                        check_gain(
                            self.diagnostics,
                            gain,
                            member.gain.as_ref().map_or(member.span, |g| g.span),
                        )
                    });
                    BusMember {
                        name: named(&member.name),
                        target: None,
                        gain_db: gain_db.unwrap_or(0.0),
                        span: member.span,
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        Bus {
            layout: declaration
                .layout
                .as_ref()
                .map_or_else(|| name.clone(), named),
            name,
            members,
            span: declaration.span,
        }
    }

    fn target(&mut self, declaration: &Declaration, name: Named) -> Target {
        let mut props = Props::new(declaration, TARGET);
        let d = &mut *self.diagnostics;
        let is_me = props
            .read("kind", d, |args| args.choice(&["mix", "me"]))
            .is_some_and(|kind| kind.name == "me");
        let from = props
            .read("from", d, |args| {
                Some(args.words("the buses it is rendered from"))
            })
            .unwrap_or_default();
        if from.is_empty() {
            props.require(None::<()>, "from", "from PM", d);
        }
        let layout = props.read("layout", d, |args| {
            let layout = args.layout()?;
            let downmix = if args.eat("downmix").is_some() {
                Some(args.word("the name of a downmix such as `loro`")?)
            } else {
                None
            };
            Some((layout, downmix))
        });
        let (layout, downmix) = match layout {
            Some((layout, downmix)) => (Some(layout), downmix),
            None => (None, None),
        };
        let format = props.read("format", d, format);
        let format = props.require(format, "format", "format wav 48kHz 24bit", d);
        let spec = props.read("spec", d, |args| {
            args.word("a delivery spec such as `netflix.stereo`")
        });
        let media = props.read("media", d, |args| {
            coverage(
                args,
                "all",
                "media such as `streaming` or `[streaming, broadcast]`",
            )
        });
        let territory = props.read("territory", d, |args| {
            coverage(args, "world", "territories such as `world` or `[GB, DE]`")
        });
        let release = props.read("release", d, |args| args.date());
        let normalize = props
            .read("normalize", d, |args| args.choice(&["on", "off"]))
            .is_none_or(|choice| choice.name == "on");
        let limiter = props
            .read("limiter", d, |args| args.choice(&["on", "off"]))
            .is_some_and(|choice| choice.name == "on");
        let dialogue_gate = props
            .read("dialogue_gate", d, |args| {
                Some(args.words("the dialogue stems or buses that gate loudness"))
            })
            .unwrap_or_default();
        props.finish(d);
        Target {
            name,
            from,
            layout,
            downmix,
            format,
            spec,
            media,
            territory,
            release,
            normalize,
            limiter,
            dialogue_gate,
            is_me,
            span: declaration.span,
        }
    }

    fn album(&mut self, declaration: &Declaration, name: Named) -> Album {
        let mut props = Props::new(declaration, ALBUM);
        let d = &mut *self.diagnostics;
        let kind = props.read("kind", d, |args| {
            let word = args.choice(&["score", "soundtrack"])?;
            let value = if word.name == "score" {
                AlbumKind::Score
            } else {
                AlbumKind::Soundtrack
            };
            Some(Spanned {
                value,
                span: word.span,
            })
        });
        let kind = props.require(kind, "kind", "kind soundtrack", d);
        let tracks = props.read_all("track", d, |args| args.word("a cue such as `1M1`"));
        let format = props.read("format", d, format);
        let spec = props.read("spec", d, |args| {
            args.word("a delivery spec such as `album.cd`")
        });
        let release = props.read("release", d, |args| args.date());
        props.finish(d);
        Album {
            title: declaration
                .title
                .as_ref()
                .map(|title| title.value.clone())
                .unwrap_or_default(),
            name,
            kind,
            tracks,
            format,
            spec,
            release,
            span: declaration.span,
        }
    }

    fn spec(&mut self, declaration: &Declaration, name: Named) -> Spec {
        let mut props = Props::new(declaration, SPEC);
        let d = &mut *self.diagnostics;
        let is_me = props
            .read("kind", d, |args| args.choice(&["mix", "me"]))
            .is_some_and(|kind| kind.name == "me");
        let layouts = props
            .read("layout", d, |args| {
                let Some(argument) = args.peek() else {
                    return args.missing("a layout such as `5.1` or a list `[2.0, 5.1]`");
                };
                if let Value::List(items) = &argument.value {
                    let argument = args.list("a list of layouts")?;
                    let _ = argument;
                    let mut layouts = Vec::new();
                    for item in items {
                        match item.values.as_slice() {
                            [single] => match layout_name(single) {
                                Some(layout) => layouts.push(layout),
                                None => {
                                    let _: Option<()> =
                                        args.wrong(single, "a layout such as `5.1`");
                                }
                            },
                            _ => {
                                let _: Option<()> =
                                    args.wrong(&item.values[0], "one layout per list item");
                            }
                        }
                    }
                    Some(layouts)
                } else {
                    Some(vec![args.layout()?])
                }
            })
            .unwrap_or_default();
        let sample_rate = props.read("rate", d, |args| sample_rate(args));
        let bits = props.read("depth", d, |args| bit_depth(args));
        let loudness = props.read("loudness", d, |args| {
            let level = args.quantity(Dimension::Loudness)?;
            if !(-70.0..=0.0).contains(&level.value) {
                return args.out_of_range(
                    level.span,
                    format!("a loudness target of {} LUFS is out of range", level.value),
                    "write a loudness between -70LUFS and 0LUFS",
                );
            }
            let mut target = LoudnessTarget {
                lufs: level.value,
                tolerance_lu: 1.0,
                gate: LoudnessGate::Programme,
                span: args.property_span(),
            };
            loop {
                if args.eat("tolerance").is_some() {
                    let tolerance = args.quantity(Dimension::LoudnessDifference)?;
                    if !(0.0..=20.0).contains(&tolerance.value) {
                        return args.out_of_range(
                            tolerance.span,
                            format!("a tolerance of {} LU is out of range", tolerance.value),
                            "write a tolerance between 0LU and 20LU",
                        );
                    }
                    target.tolerance_lu = tolerance.value;
                } else if args.eat("gate").is_some() {
                    let gate = args.choice(&["programme", "dialogue"])?;
                    target.gate = if gate.name == "dialogue" {
                        LoudnessGate::Dialogue
                    } else {
                        LoudnessGate::Programme
                    };
                } else {
                    return Some(target);
                }
            }
        });
        let true_peak = props.read("true_peak", d, |args| {
            let peak = args.quantity(Dimension::TruePeak)?;
            if !(-60.0..=3.0).contains(&peak.value) {
                return args.out_of_range(
                    peak.span,
                    format!("a true-peak ceiling of {} dBTP is out of range", peak.value),
                    "write a ceiling between -60dBTP and 3dBTP",
                );
            }
            Some(peak)
        });
        let sample_peak = props.read("sample_peak", d, |args| {
            let peak = args.quantity(Dimension::Level)?;
            if !(-60.0..=0.0).contains(&peak.value) {
                return args.out_of_range(
                    peak.span,
                    format!(
                        "a sample-peak ceiling of {} dBFS is out of range",
                        peak.value
                    ),
                    "write a ceiling between -60dBFS and 0dBFS",
                );
            }
            Some(peak)
        });
        let lra = props.read("lra", d, |args| {
            let low = args.quantity(Dimension::LoudnessDifference)?;
            args.expect("to")?;
            let high = args.quantity(Dimension::LoudnessDifference)?;
            if high.value < low.value {
                return args.out_of_range(
                    high.span,
                    "the loudness range's maximum is below its minimum".to_owned(),
                    "write `lra MIN to MAX`",
                );
            }
            Some(Spanned {
                value: (low.value, high.value),
                span: low.span.to(high.span),
            })
        });
        let limiter = props
            .read("limiter", d, |args| args.choice(&["on", "off"]))
            .is_some_and(|choice| choice.name == "on");
        props.finish(d);
        Spec {
            name,
            layouts,
            sample_rate,
            bits,
            loudness,
            true_peak_dbtp: true_peak,
            sample_peak_dbfs: sample_peak,
            lra,
            is_me,
            limiter,
            span: declaration.span,
        }
    }

    fn layout(&mut self, declaration: &Declaration, name: Named) -> Layout {
        let mut props = Props::new(declaration, LAYOUT);
        let d = &mut *self.diagnostics;
        let channels = props.read("channels", d, |args| {
            let list = args.list("a list of channels such as `[L, R]`")?;
            let Value::List(items) = &list.value else {
                return None;
            };
            let mut channels = Vec::new();
            for item in items {
                match item.values.as_slice() {
                    [Argument {
                        value: Value::Word(word),
                        span,
                    }] => {
                        if channels.iter().any(|channel: &Named| channel.name == *word) {
                            return args.out_of_range(
                                *span,
                                format!("channel `{word}` is listed twice"),
                                "list each channel once",
                            );
                        }
                        channels.push(Named {
                            name: word.clone(),
                            span: *span,
                        });
                    }
                    _ => {
                        let _: Option<()> =
                            args.wrong(&item.values[0], "a channel label such as `L`");
                    }
                }
            }
            if channels.is_empty() || channels.len() > 32 {
                return args.out_of_range(
                    list.span,
                    format!("a layout of {} channels", channels.len()),
                    "a layout has 1 to 32 channels",
                );
            }
            Some(channels)
        });
        let channels = props
            .require(channels, "channels", "channels [L, R]", d)
            .unwrap_or_default();
        let mask = props.read("mask", d, |args| {
            let mask = args.hex("a WAV channel mask such as `0x3`")?;
            let bits = mask.value.count_ones() as usize;
            if mask.value > u64::from(u32::MAX) || (!channels.is_empty() && bits != channels.len())
            {
                return args.out_of_range(
                    mask.span,
                    format!(
                        "mask {:#X} has {bits} channel bits but the layout lists {} channels",
                        mask.value,
                        channels.len()
                    ),
                    "give one mask bit per channel, in the order of the mask bits",
                );
            }
            u32::try_from(mask.value).ok()
        });
        props.finish(d);
        Layout {
            name,
            channels,
            mask,
            span: declaration.span,
        }
    }

    fn downmix(&mut self, declaration: &Declaration, name: Named) -> Downmix {
        let mut props = Props::new(declaration, DOWNMIX);
        let d = &mut *self.diagnostics;
        let layouts = props.read("from", d, |args| {
            let from = args.layout()?;
            args.expect("to")?;
            let to = args.layout()?;
            Some((from, to))
        });
        let layouts = props.require(layouts, "from", "from 5.1 to 2.0", d);
        let rows = props.read_all("matrix", d, |args| {
            let output = args.word("an output channel such as `L`")?;
            let list = args.list("the inputs and their gains, such as `[L 1.0, C 0.7071]`")?;
            let Value::List(items) = &list.value else {
                return None;
            };
            let mut inputs = Vec::new();
            for item in items {
                match item.values.as_slice() {
                    [Argument {
                        value: Value::Word(channel),
                        span,
                    }, Argument {
                        value: Value::Number { value, .. },
                        span: gain_span,
                    }] => {
                        if value.abs() > 4.0 {
                            return args.out_of_range(
                                *gain_span,
                                format!("a matrix gain of {value}"),
                                "matrix gains lie between -4 and 4",
                            );
                        }
                        inputs.push((
                            Named {
                                name: channel.clone(),
                                span: *span,
                            },
                            *value,
                        ));
                    }
                    _ => {
                        return args.wrong(
                            &item.values[0],
                            "an input channel and its gain, such as `C 0.7071`",
                        );
                    }
                }
            }
            Some(MatrixRow { output, inputs })
        });
        props.finish(d);
        let (from, to) = match layouts {
            Some((from, to)) => (Some(from), Some(to)),
            None => (None, None),
        };
        Downmix {
            name,
            from,
            to,
            rows,
            span: declaration.span,
        }
    }

    fn lint(&mut self, declaration: &Declaration) -> Vec<LintSetting> {
        let mut props = Props::new(declaration, LINT);
        let d = &mut *self.diagnostics;
        let mut settings = Vec::new();
        for (keyword, level) in [
            ("deny", LintLevel::Deny),
            ("warn", LintLevel::Warn),
            ("allow", LintLevel::Allow),
        ] {
            for codes in props.read_all(keyword, d, |args| {
                Some(args.words("lint codes such as `R007`"))
            }) {
                for code in codes {
                    settings.push(LintSetting { code, level });
                }
            }
        }
        props.finish(d);
        settings
    }
}

/// Counts frames from midnight (for ordering placements).
fn frames(timecode: Timecode, frame_rate: FrameRate) -> u64 {
    let nominal = u64::from(frame_rate.nominal());
    ((u64::from(timecode.hours) * 60 + u64::from(timecode.minutes)) * 60
        + u64::from(timecode.seconds))
        * nominal
        + u64::from(timecode.frames)
}

fn sample_rate(args: &mut Args<'_, '_>) -> Option<Spanned<u32>> {
    let rate = args.quantity(Dimension::Frequency)?;
    if rate.value.fract() != 0.0 || !(8_000.0..=384_000.0).contains(&rate.value) {
        return args.out_of_range(
            rate.span,
            format!("{} Hz is not a sample rate", rate.value),
            "write a whole number of Hz from 8kHz to 384kHz, such as `48kHz` or `44.1kHz`",
        );
    }
    Some(Spanned {
        value: rate.value as u32,
        span: rate.span,
    })
}

fn bit_depth(args: &mut Args<'_, '_>) -> Option<Spanned<u16>> {
    let bits = args.quantity(Dimension::BitDepth)?;
    if ![16.0, 24.0, 32.0].contains(&bits.value) {
        return args.out_of_range(
            bits.span,
            format!("{} bits is not a bit depth sndtrk writes", bits.value),
            "write `16bit`, `24bit` or `32bit float`",
        );
    }
    Some(Spanned {
        value: bits.value as u16,
        span: bits.span,
    })
}

/// `format wav RATE DEPTH [float]`
fn format(args: &mut Args<'_, '_>) -> Option<Format> {
    args.choice(&["wav"])?;
    let rate = sample_rate(args)?;
    let bits = bit_depth(args)?;
    let float = args.eat("float").is_some();
    if float != (bits.value == 32) {
        return args.out_of_range(
            bits.span,
            if float {
                format!("{}-bit samples are integers, not float", bits.value)
            } else {
                "32-bit samples are written as float".to_owned()
            },
            "write `16bit`, `24bit` or `32bit float`",
        );
    }
    Some(Format {
        sample_rate: rate.value,
        bits: bits.value,
        float,
        span: args.property_span(),
    })
}

fn check_gain(diagnostics: &mut Vec<Diagnostic>, gain: f64, span: Span) -> Option<f64> {
    if (-144.0..=48.0).contains(&gain) {
        return Some(gain);
    }
    diagnostics.push(
        Diagnostic::error(
            crate::resolve::OUT_OF_RANGE,
            format!("a gain of {gain} dB is out of range"),
        )
        .at(span, "out of range")
        .help("write a gain between -144dB and +48dB"),
    );
    None
}

fn gain(args: &mut Args<'_, '_>) -> Option<Spanned<f64>> {
    let gain = args.quantity(Dimension::Gain)?;
    check_gain(args.diagnostics, gain.value, gain.span).map(|value| Spanned {
        value,
        span: gain.span,
    })
}

fn level(args: &mut Args<'_, '_>) -> Option<f64> {
    let level = args.quantity(Dimension::Level)?;
    if !(-144.0..=0.0).contains(&level.value) {
        return args.out_of_range(
            level.span,
            format!("a level of {} dBFS is out of range", level.value),
            "write a level between -144dBFS and 0dBFS",
        );
    }
    Some(level.value)
}

fn generator_duration(args: &mut Args<'_, '_>) -> Option<crate::model::Duration> {
    args.expect("for")?;
    let duration = args.duration()?;
    let positive = match duration.value {
        crate::model::Duration::Seconds(value) | crate::model::Duration::Frames(value) => {
            value > 0.0
        }
    };
    let seconds = match duration.value {
        crate::model::Duration::Seconds(value) => value,
        crate::model::Duration::Frames(value) => value / 23.976,
    };
    if !positive || seconds > 24.0 * 3600.0 {
        return args.out_of_range(
            duration.span,
            "a generator runs for more than nothing and less than a day".to_owned(),
            "write a duration such as `2s` or `1f`",
        );
    }
    Some(duration.value)
}

fn audio_source(args: &mut Args<'_, '_>, keyword: &str, sample_rate: u32) -> Option<AudioSource> {
    match keyword {
        "file" => {
            if let Some(
                argument @ Argument {
                    value: Value::Word(word),
                    ..
                },
            ) = args.peek()
            {
                args.diagnostics.push(
                    Diagnostic::error(WRONG_ARGUMENT, "a file's path is written in quotes")
                        .at(argument.span, "a path without quotes")
                        .help(format!("write `file \"{word}\"`")),
                );
                return None;
            }
            let path = args.text("a WAV file's path in quotes")?;
            if path.value.is_empty() {
                return args.out_of_range(
                    path.span,
                    "the file's path is empty".to_owned(),
                    "write the WAV file's path",
                );
            }
            Some(AudioSource::File {
                path: std::path::PathBuf::from(&path.value),
                written: path.value,
            })
        }
        "tone" => {
            let frequency = args.quantity(Dimension::Frequency)?;
            if frequency.value <= 0.0 || frequency.value >= f64::from(sample_rate) / 2.0 {
                return args.out_of_range(
                    frequency.span,
                    format!("a tone of {} Hz is out of range", frequency.value),
                    "write a frequency above 0 Hz and below half the sample rate, such as `1kHz`",
                );
            }
            let level_dbfs = level(args)?;
            let duration = generator_duration(args)?;
            Some(AudioSource::Tone {
                frequency_hz: frequency.value,
                level_dbfs,
                duration,
            })
        }
        "noise" => {
            let color = args.choice(&["pink", "white", "brown"])?;
            let color = match color.name.as_str() {
                "pink" => NoiseColor::Pink,
                "white" => NoiseColor::White,
                _ => NoiseColor::Brown,
            };
            let level_dbfs = level(args)?;
            let duration = generator_duration(args)?;
            Some(AudioSource::Noise {
                color,
                level_dbfs,
                duration,
            })
        }
        _ => {
            let duration = generator_duration(args)?;
            Some(AudioSource::Silence { duration })
        }
    }
}

/// `writer "Name" [society WORD] [share N%]`
fn party(args: &mut Args<'_, '_>) -> Option<Party> {
    let name = args.text("a name in quotes")?;
    let mut party = Party {
        name: name.value,
        society: None,
        share: None,
        span: args.property_span(),
    };
    loop {
        if args.eat("society").is_some() {
            party.society = Some(args.word("a society such as `ASCAP`")?);
        } else if args.eat("share").is_some() {
            let share = args.quantity(Dimension::Share)?;
            if share.value <= 0.0 || share.value > 100.0 {
                return args.out_of_range(
                    share.span,
                    format!("a share of {}% is out of range", share.value),
                    "a share lies above 0% and at most 100%",
                );
            }
            party.share = Some(share);
        } else {
            return Some(party);
        }
    }
}

/// `world`/`all`, a single word, or a list of words.
fn coverage(
    args: &mut Args<'_, '_>,
    everything: &str,
    expected: &str,
) -> Option<Spanned<Coverage>> {
    let span = args.property_span();
    if args.eat(everything).is_some() {
        return Some(Spanned {
            value: Coverage::Everything,
            span,
        });
    }
    let words = args.words(expected);
    if words.is_empty() {
        return None;
    }
    if let Some(word) = words.iter().find(|word| word.name == everything) {
        return args.out_of_range(
            word.span,
            format!("`{everything}` in a list"),
            &format!("write `{everything}` alone, or list what is covered"),
        );
    }
    Some(Spanned {
        value: Coverage::Only(words),
        span,
    })
}

#[allow(dead_code)]
const _CLIP_PROPERTIES: &[&str] = CLIP;
