//! R002 `song-without-master`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::LicenseKind};

declare_rule! {
    /// ## What it checks
    /// A song (a cue of `type song`) that reaches a target's mix, through the
    /// target's `from` buses, nested buses or `cues`, without an executed
    /// `kind master` licence for that cue. A licence that is `quoted` or
    /// `pending` clears nothing yet. (An executed licence that exists but does
    /// not cover the target is reported by R004, R005 or R006 instead.)
    ///
    /// One diagnostic is reported per song and target, at the target's `from`
    /// entry the song arrives through: a song missing its master licence in
    /// four targets gives four diagnostics.
    ///
    /// ## Why
    /// The recording in the picture needs a master-use licence from the label
    /// that owns it, separately from the sync licence for the composition.
    ///
    /// ## Example
    /// ```text
    /// license sync_2M3 { kind sync cue 2M3 … status executed }
    /// target stereo { from PM … }   // R002: no executed master licence for 2M3
    /// ```
    /// Add `license master_2M3 { kind master cue 2M3 … status executed }`
    /// covering the target's media, territory and release date.
    pub static RULE {
        code: R002,
        name: "song-without-master",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    super::shared::song_without(checker, LicenseKind::Master, RULE.code, diagnostics);
}
