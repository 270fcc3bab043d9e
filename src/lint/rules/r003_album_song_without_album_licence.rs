//! R003 `album-song-without-album-licence`.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::clearance::{self, Context, Outcome, Requirement},
    model::LicenseKind,
};

use super::shared::{add_licence_help, not_executed_note};

declare_rule! {
    /// ## What it checks
    /// An album `track` that is a song without an executed `kind album`
    /// licence for that cue. (An executed album licence whose term misses the
    /// album's release date is reported by R006 instead.)
    ///
    /// ## Why
    /// Sync and master licences clear the song in the picture only; putting
    /// the recording on the commercial album needs album rights of its own.
    ///
    /// ## Example
    /// ```text
    /// album ost "Night Harbor (Original Motion Picture Soundtrack)" {
    ///     kind soundtrack
    ///     track 2M3          // R003: no executed album licence for 2M3
    /// }
    /// ```
    /// Add `license album_2M3 { kind album cue 2M3 … status executed }`.
    pub static RULE {
        code: R003,
        name: "album-song-without-album-licence",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for (album_index, album) in model.albums.iter().enumerate() {
        let requirement = Requirement::of(model, Context::Album(album_index));
        for track in &album.tracks {
            let Some(cue) = model.cues.get(&track.cue.name) else {
                continue;
            };
            if !cue.is_song() {
                continue;
            }
            let Outcome::Missing { unexecuted } =
                clearance::decide(model, cue, LicenseKind::Album, &requirement)
            else {
                continue;
            };
            let mut help = add_licence_help("album", &cue.id.name, &requirement);
            help.push_str(&not_executed_note(checker, &unexecuted));
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "song {} is on album `{}` without an executed album licence",
                        cue.id.name, album.name.name
                    ),
                )
                .at(track.cue.span, "a song on the album")
                .help(help),
            );
        }
    }
}
