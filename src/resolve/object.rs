//! The `object` declaration: a Dolby Atmos audio object, a mono clip (as a
//! stem's: file or generator, `at`, gain, fades, trims) with a room-centric
//! position, fixed (`position X Y Z`) or moving (`path [TC X Y Z, TC jump
//! X Y Z, …]`).
//!
//! Coordinates are checked here (X and Y from -1 to 1, Z from 0 to 1, the
//! Dolby Atmos Master ADM Profile's room), and a path's times: each later
//! than the one before, none before the clip's `at` or after its `to`.
//! Whether the file is mono, and whether a path runs past the file's end,
//! needs the file: see [`crate::lint::scene`].

use crate::{
    diagnostic::Diagnostic,
    model::{Named, Object, PathPoint, Placement, Spanned, Timecode},
    resolve::{args::Args, interpret::Interpreter, props::Props, stem::ROLES},
    syntax::ast::{Argument, Declaration, Property, Value},
    syntax::span::Span,
};

/// E0360: a coordinate outside the room.
pub const OUTSIDE_ROOM: &str = crate::diagnostic::codes::E0360.code;
/// E0361: both `position` and `path`, or neither.
pub const POSITION_OR_PATH: &str = crate::diagnostic::codes::E0361.code;
/// E0362: a path whose times do not increase.
pub const PATH_ORDER: &str = crate::diagnostic::codes::E0362.code;
/// E0363: a path point outside the object's clip.
pub const PATH_OUTSIDE_CLIP: &str = crate::diagnostic::codes::E0363.code;

/// E0371: an object that plays a cue and gives its own audio too.
pub const CUE_OBJECT: &str = crate::diagnostic::codes::E0371.code;

pub(super) const OBJECT: &[&str] = &[
    "role", "file", "tone", "noise", "silence", "at", "gain", "fade", "trim", "position", "path",
    "cue",
];

/// What an object that plays a cue takes from the cue.
const FROM_THE_CUE: &[&str] = &[
    "file", "tone", "noise", "silence", "at", "gain", "fade", "trim",
];

/// What a path's item is.
const PATH_ITEM: &str =
    "a timecode and X Y Z, such as `01:00:02:00 -0.5 1 0`, or `01:00:02:00 jump 0.5 1 0`";

impl Interpreter<'_> {
    pub(super) fn object(&mut self, declaration: &Declaration, name: Named) -> Object {
        let mut props = Props::new(declaration, OBJECT);
        let role = props.read("role", self.diagnostics, |args| args.choice(ROLES));
        let role = props.require(role, "role", "role effects", self.diagnostics);
        let cue = props.read("cue", self.diagnostics, |args| {
            args.word("the cue the object plays, such as `1M3`")
        });
        if let Some(cue) = &cue {
            for property in declaration.body.properties() {
                let keyword = property.keyword.text.as_str();
                if FROM_THE_CUE.contains(&keyword) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            CUE_OBJECT,
                            format!(
                                "object `{}` plays cue `{}` and has {} `{keyword}` of its own",
                                name.name,
                                cue.name,
                                if keyword.starts_with(['a', 'e', 'i', 'o', 'u']) {
                                    "an"
                                } else {
                                    "a"
                                }
                            ),
                        )
                        .at(property.keyword.span, "the cue's to give")
                        .related(cue.span, "the cue it plays")
                        .help("an object that plays a cue takes its audio, placement, gain, fades and trims from the cue: set them there"),
                    );
                }
            }
        }
        let mut clip = self.clip(declaration, &mut props);
        clip.layout = Some(Named {
            name: "1.0".to_owned(),
            span: name.span,
        });
        if cue.is_none()
            && clip.audio.is_none()
            && !["file", "tone", "noise", "silence"]
                .iter()
                .any(|keyword| props.has(keyword))
        {
            props.require(
                None::<()>,
                "file",
                "file \"objects/NAME.wav\"",
                self.diagnostics,
            );
        }
        let position = props.one("position", self.diagnostics);
        let path = props.one("path", self.diagnostics);
        // A cue's object counts its path from the picture start until the
        // cue is known ([`link_cues`] moves it to the cue's start).
        let (start, until) = match cue {
            Some(_) => (None, None),
            None => (clip.at().map(|at| at.value), clip.until()),
        };
        let points = match (position, path) {
            (Some(position), Some(path)) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        POSITION_OR_PATH,
                        format!("object `{}` has both a `position` and a `path`", name.name),
                    )
                    .at(path.keyword.span, "a path")
                    .related(position.keyword.span, "and a position")
                    .help("keep `position X Y Z` for an object that stands still, or `path [TC X Y Z, …]` for one that moves"),
                );
                Vec::new()
            }
            (Some(position), None) => self.position(position).into_iter().collect(),
            (None, Some(path)) => self.path(path, start, until),
            (None, None) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        POSITION_OR_PATH,
                        format!("object `{}` has no position", name.name),
                    )
                    .at(name.span, "where is it?")
                    .help("add `position X Y Z` (X left -1 to right 1, Y back -1 to front 1, Z floor 0 to ceiling 1), or `path [TC X Y Z, …]`"),
                );
                Vec::new()
            }
        };
        props.finish(self.diagnostics);
        Object {
            role: role.unwrap_or(Named {
                name: "other".to_owned(),
                span: name.span,
            }),
            name,
            clip,
            path: points,
            cue,
            span: declaration.span,
        }
    }

    /// `position X Y Z`: one point, at the clip's start.
    fn position(&mut self, property: &Property) -> Option<PathPoint> {
        let mut args = Args::new(property, self.diagnostics);
        let [x, y, z] = coordinates(&mut args)?;
        args.finish();
        Some(PathPoint {
            offset: 0,
            x,
            y,
            z,
            jump: false,
            span: property.span,
        })
    }

    /// `path [TC X Y Z, TC jump X Y Z, …]`: the points in time order, their
    /// offsets counted from the clip's start (`start`; the picture start
    /// without an `at`). Every malformed item is reported; then the path
    /// is empty.
    fn path(
        &mut self,
        property: &Property,
        start: Option<Placement>,
        until: Option<Spanned<Timecode>>,
    ) -> Vec<PathPoint> {
        let mut args = Args::new(property, self.diagnostics);
        let Some(list) =
            args.list("a list of points such as `[01:00:00:00 0 1 0, 01:00:04:00 1 1 0]`")
        else {
            return Vec::new();
        };
        args.finish();
        let Value::List(items) = &list.value else {
            return Vec::new();
        };
        if items.is_empty() {
            let mut args = Args::new(property, self.diagnostics);
            let _: Option<()> = args.out_of_range(
                list.span,
                "the path has no points".to_owned(),
                "write one `TC X Y Z` item per point, or use `position X Y Z`",
            );
            return Vec::new();
        }
        let start = match start {
            Some(Placement::Timecode(timecode)) => timecode,
            Some(Placement::Bext) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        PATH_OUTSIDE_CLIP,
                        "a path's times need the clip's start as a timecode",
                    )
                    .at(property.keyword.span, "times from where?")
                    .help("write `at HH:MM:SS:FF` in place of `at bext`, or `position X Y Z`"),
                );
                return Vec::new();
            }
            None => self.picture_start,
        };
        let rate = self.frame_rate;
        let sample_rate = self.sample_rate;
        let start_frame = start.frame_count(rate);
        let mut points: Vec<(PathPoint, Span)> = Vec::new();
        let mut good = true;
        for item in items {
            let Some((timecode, point)) = self.path_item(property, item) else {
                good = false;
                continue;
            };
            let frame = timecode.value.frame_count(rate);
            if frame < start_frame {
                good = false;
                self.diagnostics.push(
                    Diagnostic::error(
                        PATH_OUTSIDE_CLIP,
                        format!(
                            "the path is at {} before the object starts at {start}",
                            timecode.value
                        ),
                    )
                    .at(timecode.span, "before the clip")
                    .help("a path runs from the object's `at` on; start it there or later"),
                );
                continue;
            }
            if let Some(until) = until.filter(|until| frame > until.value.frame_count(rate)) {
                good = false;
                self.diagnostics.push(
                    Diagnostic::error(
                        PATH_OUTSIDE_CLIP,
                        format!(
                            "the path is at {} after the object ends at {}",
                            timecode.value, until.value
                        ),
                    )
                    .at(timecode.span, "after the clip")
                    .related(until.span, "the object ends here")
                    .help("end the path at the object's `to` or earlier"),
                );
                continue;
            }
            if let Some((previous, previous_span)) = points.last() {
                let offset = rate.frame_to_samples(frame - start_frame, sample_rate);
                if offset <= previous.offset {
                    good = false;
                    self.diagnostics.push(
                        Diagnostic::error(
                            PATH_ORDER,
                            format!("the path's times do not increase at {}", timecode.value),
                        )
                        .at(timecode.span, "not after the point before")
                        .related(*previous_span, "the point before")
                        .help("write the points in time order, each later than the one before"),
                    );
                    continue;
                }
            }
            let offset = rate.frame_to_samples(frame - start_frame, sample_rate);
            points.push((PathPoint { offset, ..point }, timecode.span));
        }
        if good {
            points.into_iter().map(|(point, _)| point).collect()
        } else {
            Vec::new()
        }
    }

    /// One path item: `TC [jump] X Y Z`.
    fn path_item(
        &mut self,
        property: &Property,
        item: &crate::syntax::ast::Item,
    ) -> Option<(Spanned<Timecode>, PathPoint)> {
        let item_property = Property {
            keyword: property.keyword.clone(),
            arguments: item.values.clone(),
            span: item.span,
        };
        let mut args = Args::new(&item_property, self.diagnostics);
        let timecode = match args.peek() {
            Some(Argument {
                value: Value::Timecode(_),
                ..
            }) => args.timecode()?,
            Some(argument) => return args.wrong(argument, PATH_ITEM),
            None => return args.missing(PATH_ITEM),
        };
        let jump = args.eat("jump").is_some();
        let [x, y, z] = coordinates(&mut args)?;
        args.finish();
        let timecode = self.check_timecode(timecode)?;
        Some((
            timecode,
            PathPoint {
                offset: 0,
                x,
                y,
                z,
                jump,
                span: item.span,
            },
        ))
    }
}

/// X Y Z, each a plain number in the room: X and Y from -1 to 1, Z from 0
/// to 1 (E0360 otherwise).
fn coordinates(args: &mut Args<'_, '_>) -> Option<[f64; 3]> {
    let mut values = [0.0; 3];
    for (index, axis) in ["X", "Y", "Z"].into_iter().enumerate() {
        let value = args.number(&format!("the {axis} coordinate, a number such as `0.5`"))?;
        let (low, high) = if axis == "Z" { (0.0, 1.0) } else { (-1.0, 1.0) };
        if !(low..=high).contains(&value.value) {
            let what = match axis {
                "X" => "X runs from -1 (left) to 1 (right)",
                "Y" => "Y runs from -1 (back) to 1 (front)",
                _ => "Z runs from 0 (floor) to 1 (ceiling)",
            };
            args.diagnostics.push(
                Diagnostic::error(
                    OUTSIDE_ROOM,
                    format!("{axis} {} is outside the room", value.value),
                )
                .at(value.span, format!("from {low} to {high}"))
                .help(format!("{what}; write a value in that range")),
            );
            return None;
        }
        values[index] = value.value;
    }
    Some(values)
}

/// Gives each object that plays a cue (`cue 1M3`) the cue's clip (its
/// audio, uses, gain, fades and trims, heard in mono) and counts its path
/// from the cue's start, once every declaration is known: an unknown cue is
/// E0204 (or E0205), a cue that is not mono E0367, a path point before the
/// cue starts E0363.
pub(super) fn link_cues(
    model: &mut crate::model::Model,
    suggestions: &crate::resolve::references::Suggestions,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (frame_rate, sample_rate, picture_start) = match &model.project {
        Some(project) => (
            project.frame_rate,
            project.sample_rate,
            project.picture_start,
        ),
        None => (crate::model::FrameRate::F24, 48_000, Timecode::ZERO),
    };
    let mut linked = Vec::new();
    for (index, object) in model.objects.iter().enumerate() {
        let Some(name) = &object.cue else {
            continue;
        };
        let Some(cue) = model.cues.get(&name.name) else {
            diagnostics.push(crate::resolve::references::not_found(
                model,
                suggestions,
                "cue",
                name,
                model.cues.names(),
                "declare the cue with `cue ID \"Title\" { … }`",
            ));
            continue;
        };
        if let Some(layout) = cue
            .clip
            .layout
            .as_ref()
            .filter(|layout| layout.name != "1.0")
        {
            diagnostics.push(
                Diagnostic::error(
                    crate::diagnostic::codes::E0367.code,
                    format!(
                        "object `{}` plays cue `{}`, whose layout is {}",
                        object.name.name, name.name, layout.name
                    ),
                )
                .at(name.span, "not a mono cue")
                .related(layout.span, "its layout")
                .help("an object is mono: play a mono cue (a stem of the score, `layout 1.0`)"),
            );
            continue;
        }
        let start = match cue.clip.at().map(|at| at.value) {
            Some(Placement::Timecode(timecode)) => timecode,
            Some(Placement::Bext) if object.path.len() > 1 => {
                diagnostics.push(
                    Diagnostic::error(
                        PATH_OUTSIDE_CLIP,
                        "a path's times need the clip's start as a timecode",
                    )
                    .at(name.span, "a cue placed `at bext`")
                    .help("place the cue with `at HH:MM:SS:FF`, or give the object a `position`"),
                );
                continue;
            }
            _ => picture_start,
        };
        let shift = frame_rate.frame_to_samples(
            start
                .frame_count(frame_rate)
                .saturating_sub(picture_start.frame_count(frame_rate)),
            sample_rate,
        );
        let moving = object.path.len() > 1;
        let mut path = Vec::with_capacity(object.path.len());
        let mut good = true;
        for point in &object.path {
            match point.offset.checked_sub(shift) {
                Some(offset) => path.push(PathPoint { offset, ..*point }),
                None if !moving => path.push(PathPoint {
                    offset: 0,
                    ..*point
                }),
                None => {
                    good = false;
                    diagnostics.push(
                        Diagnostic::error(
                            PATH_OUTSIDE_CLIP,
                            format!(
                                "the path of object `{}` starts before cue `{}` at {start}",
                                object.name.name, name.name
                            ),
                        )
                        .at(point.span, "before the cue")
                        .related(name.span, "the cue it plays")
                        .help("a path runs from the cue's `at` on; start it there or later"),
                    );
                }
            }
        }
        let mut clip = cue.clip.clone();
        clip.layout = object.clip.layout.clone();
        linked.push((index, clip, if good { path } else { Vec::new() }));
    }
    for (index, clip, path) in linked {
        if let Some(object) = model.objects.iter_mut().nth(index) {
            object.clip = clip;
            object.path = path;
        }
    }
}
