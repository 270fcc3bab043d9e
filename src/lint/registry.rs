//! The registry of lint rules: every rule with its code, in code order.

use crate::{
    diagnostic::{Diagnostic, Severity},
    lint::{rules, Built, Checker, Scheduled},
};

/// When a rule runs, and what it reads.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// `sndtrk check`: finds the rule's diagnostics in the resolved model.
    Model(fn(&Checker<'_>, &mut Vec<Diagnostic>)),
    /// `sndtrk build`, once the build has run: finds the rule's diagnostics
    /// in what it made (such as the deliverables' measurements).
    Built(fn(&Built<'_>, &mut Vec<Diagnostic>)),
    /// `sndtrk check` on a project's recipe: finds the rule's diagnostics
    /// in the delivery schedule on the day checked (due dates and the
    /// status each deliverable's last build left).
    Schedule(fn(&Scheduled<'_>, &mut Vec<Diagnostic>)),
}

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
    /// The source file that declares the rule and holds its doc, relative
    /// to the repository (`src/lint/rules/r002_song_without_master.rs`).
    pub file: &'static str,
    /// When it runs, and the function that finds its diagnostics.
    pub check: Check,
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
    &rules::c006_overlapping_cues::RULE,
    &rules::c007_clip_cut_at_reel_end::RULE,
    &rules::d001_target_breaks_spec::RULE,
    &rules::d002_dialogue_in_me::RULE,
    &rules::d003_file_contradicts_recipe::RULE,
    &rules::d004_deliverable_outside_spec::RULE,
    &rules::d005_unused::RULE,
    &rules::d006_album_breaks_spec::RULE,
    &rules::d008_unmatched_stem::RULE,
    &rules::d009_trim_or_fade_past_the_end::RULE,
    &rules::d010_clip_not_as_written::RULE,
    &rules::s001_due_after_release::RULE,
    &rules::s002_due_soon_not_ready::RULE,
];

/// Codes checked after a build outside the registry (D007: clipping, see
/// [`crate::lint::clipping`]); a `lint` block may configure them.
pub const RESERVED: &[&str] = &[crate::diagnostic::codes::D007.code];

/// The rule with `code`, if any.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.code == code)
}
