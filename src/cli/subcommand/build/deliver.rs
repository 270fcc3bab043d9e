//! The checks before a build and the delivery after it
//! ([`crate::project::deliver`] decides; this prints and asks the engine):
//!
//! 1. [`checks`] runs the rules `sndtrk check` runs and prints their
//!    diagnostics as `check` does; the blocked deliverables are left out of
//!    the build ([`build`]).
//! 2. The build renders into the store only (nothing goes to `out/` yet).
//! 3. [`finish`] judges every deliverable, puts the delivered ones in `out/`,
//!    removes the files the others left there in an earlier build, writes
//!    the reports, and prints the summary: one line per deliverable on
//!    standard error, or one JSON object on standard output after the
//!    stages' lines (`--format json`, shape in `docs/build.md`).

use serde::Serialize;

use crate::{
    cli::arguments::ReportFormat,
    cli::report::{EXIT_FAILURE, EXIT_OK},
    diagnostic::Diagnostic,
    emit::{self, json::JsonDiagnostic},
    engine::{
        graph::StageGraph,
        outcome::Status,
        progress::{Progress, Summary},
        BuildOptions, BuildReport, Delivered, Engine,
    },
    lint::clipping,
    project::{
        deliver::{judge, Checks, Judged, Judgement, Verdict},
        Project,
    },
    report::qc,
    stages::{curve::Curve, Measurement},
    syntax::{ast::Date, source::Sources},
};

/// Runs the checks of `sndtrk check` on the project and prints their
/// diagnostics on standard error, as `check` renders them.
pub(super) fn checks(project: &Project) -> Checks {
    let checks = Checks::run(project);
    for diagnostic in &checks.diagnostics {
        eprint!(
            "{}",
            emit::human::render(&project.resolved.model.sources, diagnostic)
        );
        eprintln!();
    }
    checks
}

/// Builds what `options` selects, into the store only; with `None` (all
/// that was asked for is blocked) nothing runs.
pub(super) fn build(
    engine: &mut Engine,
    graph: &StageGraph,
    selection: Option<Vec<String>>,
    options: BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildReport, crate::engine::error::EngineError> {
    let options = BuildOptions {
        materialise: false,
        ..options
    };
    match selection {
        Some(targets) => engine.build(graph, &BuildOptions { targets, ..options }, progress),
        None => {
            let summary = Summary::default();
            progress.end(&summary);
            Ok(BuildReport {
                outcomes: Vec::new(),
                failures: Vec::new(),
                summary,
            })
        }
    }
}

/// Judges and delivers every deliverable, prints the summary, and returns
/// the exit code. `after` are the diagnostics the build found from the
/// measurements already (D004), printed by the caller.
pub(super) fn finish(
    project: &Project,
    engine: &mut Engine,
    report: &BuildReport,
    checks: Checks,
    after: &[Diagnostic],
    format: ReportFormat,
    today: Date,
) -> i32 {
    let store = engine.store().clone();
    let judgement = judge(project, checks, report, after, |digest| {
        crate::project::status::read_measurement(&store, digest)
    });
    let sources = &project.resolved.model.sources;
    for diagnostic in judgement.found(after.len()) {
        eprint!("{}", emit::human::render(sources, diagnostic));
        eprintln!();
    }
    let mut failed = !report.succeeded();
    let mut removed = Vec::with_capacity(judgement.deliverables.len());
    for judged in &judgement.deliverables {
        match engine.deliver(&project.graph, &judged.deliverable.id, judged.output) {
            Ok(Delivered::Withdrawn { removed: true }) => removed.push(true),
            Ok(_) => removed.push(false),
            Err(error) => {
                // A blocked deliverable's stage may not be in this build's graph
                // selection, but it is in the graph: any error is real.
                eprintln!("{:?}", miette::Report::new(error));
                failed = true;
                removed.push(false);
            }
        }
    }
    // The reports go to `out/reports/` whenever they were written.
    for outcome in &report.outcomes {
        if outcome.kind == "report"
            && matches!(
                outcome.status,
                Status::Ran | Status::Fresh | Status::Fetched
            )
        {
            if let Err(error) = engine.deliver(&project.graph, &outcome.id, outcome.output) {
                eprintln!("{:?}", miette::Report::new(error));
                failed = true;
            }
        }
    }
    if let Err(error) = engine.save() {
        eprintln!("{:?}", miette::Report::new(error));
        failed = true;
    }
    if let Err(message) = qc_report(project, engine, &judgement, report, today) {
        eprintln!(
            "error: the QC report ({}) could not be written: {message}",
            qc::PATH
        );
        failed = true;
    }
    match format {
        ReportFormat::Human => {
            for line in human_lines(&judgement, &removed) {
                eprintln!("{line}");
            }
        }
        ReportFormat::Json => println!(
            "{}",
            json_summary(project, &judgement, &report.summary, sources)
        ),
    }
    if failed || !judgement.passed() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// Writes the QC report (`out/reports/index.html`) from this build's
/// judgement, its measurements' curves and the schedule after it.
fn qc_report(
    project: &Project,
    engine: &mut Engine,
    judgement: &Judgement,
    report: &BuildReport,
    today: Date,
) -> Result<(), String> {
    let rows = match crate::project::status::statuses_after_build(project, report, judgement) {
        Some(statuses) => crate::project::status::rows(project, &statuses, today),
        None => crate::project::status::schedule(project, Some(engine), today)
            .map_err(|error| error.to_string())?,
    };
    let store = engine.store().clone();
    let html = qc::page(
        project,
        judgement,
        report,
        |digest| {
            let bytes = std::fs::read(store.object_path(digest)).ok()?;
            Curve::from_object(&bytes)
        },
        &rows,
        today,
    )?;
    qc::write(engine.project_dir(), &html).map_err(|error| error.to_string())
}

/// One line per deliverable (`delivered out/stereo.wav`, `not delivered
/// out/pm.wav: blocked by R002; the earlier file was removed`), then the
/// count; nothing for a build without deliverables.
pub(crate) fn human_lines(judgement: &Judgement, removed: &[bool]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut delivered = 0;
    for (index, judged) in judgement.deliverables.iter().enumerate() {
        let file = judged.deliverable.file_text();
        match judged.verdict.reason() {
            None => {
                delivered += 1;
                lines.push(format!("delivered {file}"));
            }
            Some(reason) => {
                let removal = if removed.get(index).copied().unwrap_or(false) {
                    "; the earlier file was removed"
                } else {
                    ""
                };
                lines.push(format!("not delivered {file}: {reason}{removal}"));
            }
        }
    }
    let total = judgement.deliverables.len();
    if total > 0 {
        lines.push(format!(
            "{delivered} delivered, {} not delivered",
            total - delivered
        ));
    }
    lines
}

/// The summary object of `build --format json`.
#[derive(Serialize)]
struct JsonSummary<'a> {
    summary: JsonTotals,
    deliverables: Vec<JsonDeliverable<'a>>,
    /// The diagnostics that point at no deliverable.
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonTotals {
    ran: usize,
    fresh: usize,
    fetched: usize,
    failed: usize,
    skipped: usize,
    seconds: f64,
    delivered: usize,
    not_delivered: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDeliverable<'a> {
    deliverable: &'a str,
    file: String,
    delivered: bool,
    verdict: &'static str,
    reason: Option<String>,
    measurement: Option<JsonMeasurement>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonMeasurement {
    integrated_lufs: Option<f64>,
    dialogue_gated_lufs: Option<f64>,
    lra_lu: Option<f64>,
    true_peak_dbtp: Option<f64>,
    sample_peak_dbfs: Option<f64>,
    clipped_samples: u64,
    first_clip: Option<String>,
}

/// A level to two decimals, like `sndtrk measure --format json`.
fn round(value: Option<f64>) -> Option<f64> {
    value.map(|value| (value * 100.0).round() / 100.0)
}

fn json_diagnostic<'a>(sources: &Sources, diagnostic: &'a Diagnostic) -> JsonDiagnostic<'a> {
    JsonDiagnostic::of(sources, diagnostic)
}

fn json_measurement(project: &Project, measured: &Measurement) -> JsonMeasurement {
    JsonMeasurement {
        integrated_lufs: round(measured.integrated_lufs),
        dialogue_gated_lufs: round(measured.dialogue_gated_lufs),
        lra_lu: round(measured.lra_lu),
        true_peak_dbtp: round(measured.true_peak_dbtp),
        sample_peak_dbfs: round(measured.sample_peak_dbfs),
        clipped_samples: measured.clipped_samples,
        first_clip: clipping::first_clip(&project.plan, measured)
            .map(|(timecode, _)| timecode.to_string()),
    }
}

/// The summary object, on one line.
fn json_summary(
    project: &Project,
    judgement: &Judgement,
    totals: &Summary,
    sources: &Sources,
) -> String {
    let deliverables: Vec<JsonDeliverable<'_>> = judgement
        .deliverables
        .iter()
        .map(|judged: &Judged| JsonDeliverable {
            deliverable: judged.deliverable.id.as_str(),
            file: judged.deliverable.file_text(),
            delivered: judged.verdict == Verdict::Delivered,
            verdict: judged.verdict.as_str(),
            reason: judged.verdict.reason(),
            measurement: judged
                .measurement
                .as_ref()
                .map(|measured| json_measurement(project, measured)),
            diagnostics: judged
                .diagnostics
                .iter()
                .map(|&index| json_diagnostic(sources, &judgement.diagnostics[index]))
                .collect(),
        })
        .collect();
    let delivered = deliverables
        .iter()
        .filter(|deliverable| deliverable.delivered)
        .count();
    let errors = judgement
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .count();
    let summary = JsonSummary {
        summary: JsonTotals {
            ran: totals.ran,
            fresh: totals.fresh,
            fetched: totals.fetched,
            failed: totals.failed,
            skipped: totals.skipped,
            seconds: (totals.seconds * 1000.0).round() / 1000.0,
            delivered,
            not_delivered: deliverables.len() - delivered,
            errors,
            warnings: judgement.diagnostics.len() - errors,
        },
        diagnostics: judgement
            .unattached()
            .into_iter()
            .map(|diagnostic| json_diagnostic(sources, diagnostic))
            .collect(),
        deliverables,
    };
    serde_json::to_string(&summary).unwrap_or_default()
}
