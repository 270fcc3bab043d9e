//! The `stem` declaration: a role and a clip.

use crate::{
    model::{Named, Stem},
    resolve::{interpret::Interpreter, props::Props},
    syntax::ast::Declaration,
};

pub(super) const STEM: &[&str] = &[
    "role", "layout", "pan", "file", "tone", "noise", "silence", "at", "gain", "fade", "trim",
];

/// The roles a stem may have.
pub const ROLES: &[&str] = &[
    "dialogue", "adr", "foley", "effects", "ambience", "music", "sync", "walla", "other",
];

impl Interpreter<'_> {
    pub(super) fn stem(&mut self, declaration: &Declaration, name: Named) -> Stem {
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
}
