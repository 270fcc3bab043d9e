//! Interpreting declarations, property by property, into model items.
//!
//! The driver: the project first, then every other declaration, each
//! dispatched by its kind to the file that reads that kind.

use crate::{
    diagnostic::Diagnostic,
    model::{FrameRate, Model, Named, Table, Timecode},
    resolve::{
        album::ALBUM,
        cue::CUE,
        imports::Loaded,
        layout::{DOWNMIX, LAYOUT},
        license::LICENSE,
        lint_block::LINT,
        object::OBJECT,
        project::PROJECT,
        reel::REEL,
        scene::IMMERSIVE,
        spec::SPEC,
        stem::STEM,
        target::TARGET,
    },
    syntax::ast::{Declaration, DeclarationKind},
    syntax::span::Span,
};

/// E0201: two declarations of one kind share a name.
pub const DUPLICATE: &str = crate::diagnostic::codes::E0201.code;
/// E0207: a second `project` declaration.
pub const SECOND_PROJECT: &str = crate::diagnostic::codes::E0207.code;
/// E0208: a recipe with stems, cues, targets or albums but no `project`.
pub const MISSING_PROJECT: &str = crate::diagnostic::codes::E0208.code;

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
        picture_start: Timecode::ZERO,
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
        interpreter.picture_start = project.picture_start;
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

pub(super) struct Interpreter<'d> {
    pub(super) frame_rate: FrameRate,
    /// Every declared name, in every loaded file: values, never misspelt
    /// property keywords.
    pub(super) names: std::collections::HashSet<String>,
    /// The project's sample rate: a tone must lie below half of it.
    pub(super) sample_rate: u32,
    /// The project's picture start: where a clip without `at` plays.
    pub(super) picture_start: Timecode,
    pub(super) diagnostics: &'d mut Vec<Diagnostic>,
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

pub(super) fn named(name: &crate::syntax::ast::Name) -> Named {
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
        DeclarationKind::Object => OBJECT,
        DeclarationKind::Immersive => IMMERSIVE,
        DeclarationKind::Cue => CUE,
        DeclarationKind::License => LICENSE,
        DeclarationKind::Target => TARGET,
        DeclarationKind::Reel => REEL,
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
            DeclarationKind::Object => {
                let object = self.object(declaration, name.clone());
                insert(
                    &mut model.objects,
                    self.diagnostics,
                    kind,
                    &name,
                    object,
                    |item| item.name.span,
                );
            }
            DeclarationKind::Immersive => {
                let scene = self.immersive(declaration, name.clone());
                insert(
                    &mut model.scenes,
                    self.diagnostics,
                    kind,
                    &name,
                    scene,
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
            DeclarationKind::Reel => {
                let reel = self.reel(declaration, name.clone());
                insert(
                    &mut model.reels,
                    self.diagnostics,
                    kind,
                    &name,
                    reel,
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
}
