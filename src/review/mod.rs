//! `sndtrk diff`: what a change to a project does, for code review.
//!
//! Two sides, each a git revision or the working tree
//! ([`checkout::Checkout`]), are read whole ([`side::Side`]) and compared
//! three ways: the deliverables whose rendered bytes would differ, by their
//! stage keys, and why ([`deliverables`]); the cue uses added, removed,
//! moved or edited ([`cues`]); the clearances that change ([`rights`]);
//! the diagnostics brought and fixed
//! ([`findings`]). The renderers in [`render`] print the comparison for
//! people, scripts and pull-request comments.

pub mod checkout;
pub mod cues;
pub mod declarations;
pub mod deliverables;
pub mod error;
pub mod findings;
pub mod render;
pub mod rights;
pub mod side;

use std::path::Path;

use crate::{diagnostic::Diagnostic, syntax::source::Sources};

pub use error::ReviewError;

/// The comparison of two sides.
pub struct Review {
    pub base: side::Side,
    pub head: side::Side,
    pub deliverables: Vec<deliverables::DeliverableChange>,
    pub cues: Vec<cues::CueChange>,
    pub rights: Vec<rights::RightsChange>,
}

impl Review {
    /// Compares the project at `project` at revision `base` with `head` (a
    /// revision, or the working tree when `None`). `shown` is how the
    /// command line names the project directory.
    pub fn of(
        project: &Path,
        shown: Option<&Path>,
        base: &str,
        head: Option<&str>,
    ) -> Result<Self, ReviewError> {
        let base = checkout::Checkout::revision(project, base)?;
        let head = match head {
            Some(revision) => checkout::Checkout::revision(project, revision)?,
            None => checkout::Checkout::working_tree(project),
        };
        // The project's own stat cache, read only: files a build hashed
        // are not read again.
        let (stats, _) = crate::engine::fingerprint::StatCache::load(
            &project.join(".sndtrk").join("stat-cache"),
        );
        let stats = std::sync::Arc::new(stats);
        Ok(Self::between(
            side::Side::load(base, shown, &stats),
            side::Side::load(head, shown, &stats),
        ))
    }

    /// Compares two sides already read.
    pub fn between(base: side::Side, head: side::Side) -> Self {
        let changed = declarations::changed(&base.declarations, &head.declarations);
        let deliverables = deliverables::compare(&base, &head, &changed);
        let cues = cues::compare(&base.cue_sheet, &head.cue_sheet, &changed);
        let rights = rights::compare(&base.rights, &head.rights);
        Self {
            base,
            head,
            deliverables,
            cues,
            rights,
        }
    }

    /// The diagnostics at the head that the base does not have.
    pub fn new_diagnostics(&self) -> Vec<(&Sources, &Diagnostic)> {
        findings::only_in(&self.head, &self.base)
            .into_iter()
            .map(|diagnostic| (&self.head.sources, diagnostic))
            .collect()
    }

    /// The diagnostics of the base that the head no longer has.
    pub fn fixed_diagnostics(&self) -> Vec<(&Sources, &Diagnostic)> {
        findings::only_in(&self.base, &self.head)
            .into_iter()
            .map(|diagnostic| (&self.base.sources, diagnostic))
            .collect()
    }

    /// The base as named on the command line.
    pub fn base_name(&self) -> &str {
        self.base
            .checkout
            .revision
            .as_deref()
            .unwrap_or("working tree")
    }

    /// The head as named on the command line, or `working tree`.
    pub fn head_name(&self) -> &str {
        self.head
            .checkout
            .revision
            .as_deref()
            .unwrap_or("working tree")
    }
}
