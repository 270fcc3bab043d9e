//! The `cue` declaration: a clip with its cue-sheet details (type, source,
//! usage, writers, publishers, artist, label, ISRC, ISWC).

use crate::{
    model::{Cue, CueType, Named, Spanned},
    resolve::{interpret::Interpreter, party::party, props::Props},
    syntax::ast::Declaration,
};

pub(super) const CUE: &[&str] = &[
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

/// Cue sheet usage codes.
pub const USAGES: &[&str] = &["BI", "BV", "VI", "VV", "MT", "ET"];

impl Interpreter<'_> {
    pub(super) fn cue(&mut self, declaration: &Declaration, id: Named) -> Cue {
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
}
