//! R009 `song-on-score-album`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::AlbumKind};

declare_rule! {
    /// ## What it checks
    /// An album of `kind score` with a `track` that is a song.
    ///
    /// ## Why
    /// An "Original Motion Picture Score" album holds only the score composed
    /// for the film; licensed songs belong on a `kind soundtrack` album.
    ///
    /// ## Example
    /// ```text
    /// album score "Night Harbor (Original Motion Picture Score)" {
    ///     kind score
    ///     track 2M3      // R009: 2M3 is a song
    /// }
    /// ```
    pub static RULE {
        code: R009,
        name: "song-on-score-album",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for album in &model.albums {
        let Some(kind) = album.kind else {
            continue;
        };
        if kind.value != AlbumKind::Score {
            continue;
        }
        for track in &album.tracks {
            if !model
                .cues
                .get(&track.cue.name)
                .is_some_and(|cue| cue.is_song())
            {
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "score album `{}` holds song {}",
                        album.name.name, track.cue.name
                    ),
                )
                .at(track.cue.span, "a song")
                .related(kind.span, "a score album")
                .help(format!(
                    "remove track {} or make the album `kind soundtrack`",
                    track.cue.name
                )),
            );
        }
    }
}
