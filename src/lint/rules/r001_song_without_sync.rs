//! R001 `song-without-sync`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::LicenseKind};

declare_rule! {
    /// ## What it checks
    /// A song (a cue of `type song`) that reaches a target's mix, through the
    /// target's `from` buses, nested buses or `cues`, without an executed
    /// `kind sync` licence for that cue. A licence that is `quoted` or
    /// `pending` clears nothing yet. (An executed licence that exists but does
    /// not cover the target is reported by R004, R005 or R006 instead.)
    ///
    /// One diagnostic is reported per song and target, at the target's `from`
    /// entry the song arrives through.
    ///
    /// ## Why
    /// The composition in the picture needs a synchronisation licence from its
    /// publisher; without it the film cannot be released with the song.
    ///
    /// ## Example
    /// ```text
    /// cue 2M3 "Ocean Drive" { type song … }
    /// bus MX 5.1 { cues }
    /// target stereo { from MX … }   // R001: no executed sync licence for 2M3
    /// ```
    /// Add `license sync_2M3 { kind sync cue 2M3 … status executed }` covering
    /// the target's media, territory and release date.
    pub static RULE {
        code: R001,
        name: "song-without-sync",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    super::shared::song_without(checker, LicenseKind::Sync, RULE.code, diagnostics);
}
