//! S001 `due-after-release`.

use crate::{diagnostic::Diagnostic, lint::Checker, model::Spanned, syntax::ast::Date};

declare_rule! {
    /// ## What it checks
    /// A target or album whose `due` date comes after its release date:
    /// the target's or album's own `release`, else the project's. A
    /// deliverable due on its release day is fine; one without a `due`, or
    /// in a project without a release date, asks nothing.
    ///
    /// ## Why
    /// A deliverable is owed before the film or album comes out: one due
    /// later is a typing slip in the date, or a schedule that cannot be
    /// met. The distributor's QC needs the files days or weeks ahead.
    ///
    /// ## Example
    /// ```text
    /// project "Night Harbor" { … release 2027-03-14 }
    /// target stereo {
    ///     …
    ///     due 2027-04-01             // S001: 18 days after the release
    /// }
    /// ```
    pub static RULE {
        code: S001,
        name: "due-after-release",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let project = model
        .project
        .as_ref()
        .and_then(|project| project.release)
        .map(|release| (release, "the project's"));
    for target in model.targets.iter() {
        let release = target.release.map(|release| (release, "its")).or(project);
        late(
            "target",
            &target.name.name,
            target.due,
            release,
            diagnostics,
        );
    }
    for album in model.albums.iter() {
        let release = album.release.map(|release| (release, "its")).or(project);
        late("album", &album.name.name, album.due, release, diagnostics);
    }
}

/// S001 when `due` comes after `release` (whose owner `whose` names).
fn late(
    kind: &str,
    name: &str,
    due: Option<Spanned<Date>>,
    release: Option<(Spanned<Date>, &str)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (Some(due), Some((release, whose))) = (due, release) else {
        return;
    };
    let late = release.value.days_until(due.value);
    if late <= 0 {
        return;
    }
    let days = if late == 1 { "day" } else { "days" };
    diagnostics.push(
        Diagnostic::error(
            RULE.code,
            format!(
                "{kind} `{name}` is due {}, {late} {days} after {whose} release on {}",
                due.value, release.value
            ),
        )
        .at(due.span, format!("{late} {days} after the release"))
        .related(release.span, "the release date")
        .help(format!(
            "make it due on or before {}, or move the release date",
            release.value
        )),
    );
}
