//! The `immersive` declaration, a scene: a channel bed (a bus) and audio
//! objects, and the checks of a scene against the Dolby Atmos Master ADM
//! Profile once every name is known: the bed's layout one the profile
//! allows, at most 118 objects and 128 tracks, each object named once.

use crate::{
    diagnostic::Diagnostic,
    model::{
        scene::{BED_LAYOUTS, MAX_OBJECTS, MAX_TRACKS},
        Model, Named, Scene,
    },
    resolve::{
        interpret::Interpreter, props::Props, references::not_found, references::Suggestions,
    },
    syntax::ast::Declaration,
};

/// E0364: more than 118 objects.
pub const TOO_MANY_OBJECTS: &str = crate::diagnostic::codes::E0364.code;
/// E0365: more than 128 tracks.
pub const TOO_MANY_TRACKS: &str = crate::diagnostic::codes::E0365.code;
/// E0366: a bed layout the profile does not allow.
pub const BED_LAYOUT: &str = crate::diagnostic::codes::E0366.code;
/// E0369: an object named twice in a scene.
pub const TWICE: &str = crate::diagnostic::codes::E0369.code;
/// E0370: a scene re-rendered to a layout the BS.2127 renderer does not
/// target, or through a downmix.
pub const RERENDER: &str = crate::diagnostic::codes::E0370.code;

pub(super) const IMMERSIVE: &[&str] = &["bed", "objects"];

impl Interpreter<'_> {
    pub(super) fn immersive(&mut self, declaration: &Declaration, name: Named) -> Scene {
        let mut props = Props::new(declaration, IMMERSIVE);
        let d = &mut *self.diagnostics;
        let bed = props.read("bed", d, |args| {
            args.word("the bus that is the bed, such as `BED`")
        });
        let bed = props.require(bed, "bed", "bed BED", d);
        let listed = props
            .read("objects", d, |args| {
                Some(args.words("the scene's objects, such as `[flyby, bird]`"))
            })
            .unwrap_or_default();
        let mut objects: Vec<Named> = Vec::new();
        for object in listed {
            if let Some(first) = objects.iter().find(|first| first.name == object.name) {
                d.push(
                    Diagnostic::error(
                        TWICE,
                        format!("object `{}` is in the scene twice", object.name),
                    )
                    .at(object.span, "again here")
                    .related(first.span, "first here")
                    .help("an object is one track of the master: name it once"),
                );
                continue;
            }
            objects.push(object);
        }
        props.finish(d);
        Scene {
            name,
            bed,
            objects,
            span: declaration.span,
        }
    }
}

/// Checks every scene's references and its size and bed against the profile.
pub(super) fn check(model: &Model, suggestions: &Suggestions, diagnostics: &mut Vec<Diagnostic>) {
    for scene in &model.scenes {
        for object in &scene.objects {
            if model.objects.index(&object.name).is_none() {
                diagnostics.push(not_found(
                    model,
                    suggestions,
                    "object",
                    object,
                    model.objects.names(),
                    "declare it with `object NAME { role effects file \"mono.wav\" position X Y Z }`",
                ));
            }
        }
        if let Some(extra) = scene.objects.get(MAX_OBJECTS) {
            diagnostics.push(
                Diagnostic::error(
                    TOO_MANY_OBJECTS,
                    format!(
                        "scene `{}` has {} objects",
                        scene.name.name,
                        scene.objects.len()
                    ),
                )
                .at(extra.span, format!("object {}", MAX_OBJECTS + 1))
                .help(format!(
                    "the Dolby Atmos Master ADM Profile allows at most {MAX_OBJECTS} objects in a scene; mix some into the bed"
                )),
            );
        }
        let Some(bed) = &scene.bed else {
            continue;
        };
        let Some(bus) = model.buses.get(&bed.name) else {
            diagnostics.push(not_found(
                model,
                suggestions,
                "bus",
                bed,
                model.buses.names(),
                "declare the bed with `bus NAME 7.1.2 { … }`",
            ));
            continue;
        };
        if !BED_LAYOUTS.contains(&bus.layout.name.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    BED_LAYOUT,
                    format!(
                        "bus `{}` is {}, not a bed layout of the Dolby Atmos Master ADM Profile",
                        bus.name.name, bus.layout.name
                    ),
                )
                .at(bed.span, format!("a {} bed", bus.layout.name))
                .related(bus.layout.span, "its layout")
                .help(format!(
                    "make the bed one of {}",
                    BED_LAYOUTS
                        .iter()
                        .map(|layout| format!("`{layout}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            continue;
        }
        let bed_channels = model
            .layouts
            .get(&bus.layout.name)
            .map_or(0, |layout| layout.channels.len());
        let tracks = bed_channels + scene.objects.len();
        if tracks > MAX_TRACKS {
            let extra = scene
                .objects
                .get(MAX_TRACKS.saturating_sub(bed_channels))
                .map_or(scene.name.span, |object| object.span);
            diagnostics.push(
                Diagnostic::error(
                    TOO_MANY_TRACKS,
                    format!(
                        "scene `{}` has {tracks} tracks: {bed_channels} bed channels and {} objects",
                        scene.name.name,
                        scene.objects.len()
                    ),
                )
                .at(extra, format!("track {}", MAX_TRACKS + 1))
                .related(bed.span, format!("{bed_channels} channels"))
                .help(format!(
                    "the Dolby Atmos Master ADM Profile allows at most {MAX_TRACKS} tracks; mix some objects into the bed"
                )),
            );
        }
    }
}

/// The scene target `target` is rendered from (`from SCENE`: one name,
/// a scene's), if it is; E0369 for an ADM master that is not rendered from
/// exactly one scene.
pub(super) fn target_scene<'a>(
    model: &'a Model,
    target: &crate::model::Target,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'a Scene> {
    let scene = match target.from.as_slice() {
        [one] => model.scenes.get(&one.name),
        _ => None,
    };
    let adm = target.format.is_some_and(|format| format.adm);
    if adm && scene.is_none() {
        let at = target
            .from
            .first()
            .map_or(target.name.span, |from| from.span);
        diagnostics.push(
            Diagnostic::error(
                TWICE,
                format!(
                    "ADM master `{}` is not rendered from one immersive scene",
                    target.name.name
                ),
            )
            .at(at, "not a scene")
            .help("write `from SCENE`, naming one `immersive` declaration"),
        );
    }
    if let (Some(scene), false) = (scene, adm) {
        rerender(model, target, scene, diagnostics);
    }
    scene
}

/// E0370: a scene's re-render (`from SCENE layout L`) to a layout the
/// BS.2127 renderer targets (2.0, 5.1, 5.1.2, 7.1, 7.1.4, with their
/// channels in its order), without a downmix: the renderer places every
/// bed channel and object on the loudspeakers itself.
fn rerender(
    model: &Model,
    target: &crate::model::Target,
    scene: &Scene,
    diagnostics: &mut Vec<Diagnostic>,
) {
    use crate::audio::bs2127::TargetLayout;
    if let Some(downmix) = &target.downmix {
        diagnostics.push(
            Diagnostic::error(
                RERENDER,
                format!(
                    "scene `{}` is rendered to loudspeakers, not downmixed",
                    scene.name.name
                ),
            )
            .at(downmix.span, "a downmix of a scene")
            .help("drop the `downmix`: the scene is rendered to the target's layout by BS.2127"),
        );
    }
    let Some(layout) = &target.layout else {
        return;
    };
    let Some(declared) = model.layouts.get(&layout.name) else {
        return;
    };
    let renderer = TargetLayout::named(&layout.name);
    let channels: Vec<&str> = declared
        .channels
        .iter()
        .map(|channel| channel.name.as_str())
        .collect();
    match renderer {
        Some(renderer) if renderer.labels() == channels => {}
        Some(renderer) => diagnostics.push(
            Diagnostic::error(
                RERENDER,
                format!(
                    "layout `{}` is not the renderer's {} ({})",
                    layout.name,
                    renderer.bs2051_name(),
                    renderer.labels().join(" ")
                ),
            )
            .at(layout.span, "its channels differ")
            .help("re-render a scene to std/layouts' layout of that name"),
        ),
        None => diagnostics.push(
            Diagnostic::error(
                RERENDER,
                format!(
                    "scene `{}` cannot be rendered to {}",
                    scene.name.name, layout.name
                ),
            )
            .at(layout.span, "not a loudspeaker layout of the renderer")
            .help("re-render a scene to 2.0, 5.1, 5.1.2, 7.1 or 7.1.4"),
        ),
    }
}
