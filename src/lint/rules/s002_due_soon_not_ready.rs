//! S002 `due-soon-not-ready`.

use crate::{
    diagnostic::Diagnostic,
    lint::Scheduled,
    report::schedule::{Kind, Status},
};

/// How many days ahead a deliverable not ready is warned about.
pub const WITHIN_DAYS: i64 = 7;

declare_rule! {
    /// ## What it checks
    /// A target or album due within 7 days of the day checked (or already
    /// overdue) that is not ready: never built, stale (the recipe or a
    /// source changed since its last build), failing its spec, or blocked
    /// by an error. The day is today's date (UTC) unless `sndtrk check
    /// --today DATE` names another; the status is the one `sndtrk
    /// schedule` gives, from the project's last build.
    ///
    /// ## Why
    /// A deliverable that is not ready a week before it is owed needs a
    /// build, a fix or a new date now, not on the due day. Run `sndtrk
    /// build`, then `sndtrk schedule` to see where everything stands.
    ///
    /// ## Example
    /// ```text
    /// target stereo {
    ///     …
    ///     due 2027-03-01             // S002 on 2027-02-25 when stale
    /// }
    /// ```
    pub static RULE {
        code: S002,
        name: "due-soon-not-ready",
        check_schedule: check,
    }
}

fn check(scheduled: &Scheduled<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = scheduled.model;
    for row in scheduled.rows {
        let (Some(days), Some(due)) = (row.days_left, row.due) else {
            continue;
        };
        if days > WITHIN_DAYS || row.status == Status::Ready {
            continue;
        }
        let span = match row.kind {
            Kind::Target => model.targets.get(&row.deliverable).and_then(|t| t.due),
            Kind::Album => model.albums.get(&row.deliverable).and_then(|a| a.due),
        };
        let Some(span) = span.map(|due| due.span) else {
            continue;
        };
        let when = match days {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            days if days < 0 => format!("{} overdue", plural(-days)),
            days => format!("in {}", plural(days)),
        };
        let kind = row.kind.as_str();
        let name = &row.deliverable;
        let label = if days < 0 {
            when.clone()
        } else {
            format!("due {when}")
        };
        let status = row.status.as_str();
        let help = match row.status {
            Status::NotBuilt | Status::Stale => format!("run `sndtrk build {name}`"),
            Status::Failing => {
                "fix what `sndtrk build` reports against its spec, and build it again".to_owned()
            }
            Status::Blocked => "fix the errors that point at it, then build it".to_owned(),
            Status::Ready => String::new(),
        };
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                format!("{kind} `{name}` is due {due} ({when}) and is {status}"),
            )
            .at(span, label)
            .help(help),
        );
    }
}

/// `1 day`, `3 days`.
fn plural(days: i64) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}
