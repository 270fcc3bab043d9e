//! The `album` declaration: kind, tracks (each the cue's whole recording,
//! or `edit film` the film's edit of it), format, spec, release date and
//! due date.

use crate::{
    model::{Album, AlbumKind, AlbumTrack, Named, Spanned, TrackEdit},
    resolve::{format::format, interpret::Interpreter, props::Props},
    syntax::ast::Declaration,
};

pub(super) const ALBUM: &[&str] = &["kind", "track", "format", "spec", "release", "due"];

impl Interpreter<'_> {
    pub(super) fn album(&mut self, declaration: &Declaration, name: Named) -> Album {
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
        let tracks = props.read_all("track", d, |args| {
            let cue = args.word("a cue such as `1M1`")?;
            let edit = if args.eat("edit").is_some() {
                let word = args.choice(&["album", "film"])?;
                if word.name == "film" {
                    TrackEdit::Film
                } else {
                    TrackEdit::Album
                }
            } else {
                TrackEdit::Album
            };
            Some(AlbumTrack { cue, edit })
        });
        let format = props.read("format", d, format);
        // An album without a format would render nothing: it is required.
        let format = props.require(format, "format", "format wav 44.1kHz 16bit", d);
        let spec = props.read("spec", d, |args| {
            args.word("a delivery spec such as `album.cd`")
        });
        let release = props.read("release", d, |args| args.date());
        let due = props.read("due", d, |args| args.date());
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
            due,
            span: declaration.span,
        }
    }
}
