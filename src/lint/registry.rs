//! The registry of lint rules: every rule with its code, in code order.

use crate::{
    diagnostic::{Diagnostic, Severity},
    lint::{rules, Checker},
};

/// One lint rule.
#[derive(Debug)]
pub struct Rule {
    /// The stable code, such as `R002`.
    pub code: &'static str,
    /// A kebab-case name, such as `song-without-master`.
    pub name: &'static str,
    /// The severity unless a `lint` block says otherwise.
    pub default_severity: Severity,
    /// One sentence: what fires it.
    pub summary: &'static str,
    /// The rule's doc comment (markdown): what it checks, why, an example.
    pub doc: &'static str,
    /// Finds the rule's diagnostics in a model.
    pub check: fn(&Checker<'_>, &mut Vec<Diagnostic>),
}

impl Rule {
    /// The doc comment as plain text, without the leading space of each line.
    pub fn help_text(&self) -> String {
        let mut text: String = self
            .doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n");
        text.truncate(text.trim_end().len());
        text
    }
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &rules::r001_song_without_sync::RULE,
    &rules::r002_song_without_master::RULE,
    &rules::r003_album_song_without_album_licence::RULE,
    &rules::r004_licence_media::RULE,
    &rules::r005_licence_territory::RULE,
    &rules::r006_licence_term::RULE,
    &rules::r007_licence_not_executed::RULE,
    &rules::r008_licence_for_unused_cue::RULE,
    &rules::r009_song_on_score_album::RULE,
    &rules::c001_writer_shares::RULE,
    &rules::c002_publisher_shares::RULE,
    &rules::c003_missing_usage::RULE,
    &rules::c004_recording_codes::RULE,
    &rules::c005_missing_society::RULE,
    &rules::d001_target_breaks_spec::RULE,
    &rules::d002_dialogue_in_me::RULE,
    &rules::d003_file_contradicts_recipe::RULE,
    &rules::d005_unused::RULE,
    &rules::d006_album_breaks_spec::RULE,
    &rules::d008_unmatched_stem::RULE,
    &rules::d009_trim_or_fade_past_the_end::RULE,
    &rules::d010_clip_not_as_written::RULE,
];

/// Codes that are documented but checked elsewhere, after a build (D004:
/// measured loudness; D007: clipping); a `lint` block may configure them.
pub const RESERVED: &[&str] = &[
    crate::diagnostic::codes::D004.code,
    crate::diagnostic::codes::D007.code,
];

/// The rule with `code`, if any.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.code == code)
}
