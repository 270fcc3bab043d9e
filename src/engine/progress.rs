//! Progress reporting for builds: a feature-independent [`Progress`] trait
//! and its reporters: one plain line per finished stage (pipes, CI), JSON
//! lines (`--format json`), and, with the `cli` feature, indicatif bars on a
//! terminal.

use std::{
    io::Write,
    sync::{Mutex, MutexGuard},
};

use serde::Serialize;

use crate::engine::outcome::{StageOutcome, Status};

/// The totals of a finished build.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub ran: usize,
    pub fresh: usize,
    /// Stages whose output came from the remote cache.
    pub fetched: usize,
    pub failed: usize,
    pub skipped: usize,
    pub seconds: f64,
}

/// Receives a build's events. Called from the scheduler thread only, but
/// must be `Sync` so one reporter can be shared.
pub trait Progress: Send + Sync {
    /// The build starts; `stages` stages are considered.
    fn begin(&self, stages: usize) {
        let _ = stages;
    }
    /// A stale stage starts running.
    fn started(&self, id: &str, kind: &str) {
        let _ = (id, kind);
    }
    /// A stage finished (ran, fresh, failed or skipped).
    fn finished(&self, outcome: &StageOutcome);
    /// The build ended.
    fn end(&self, summary: &Summary) {
        let _ = summary;
    }
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn finished(&self, _: &StageOutcome) {}
}

fn locked<W>(writer: &Mutex<W>) -> MutexGuard<'_, W> {
    writer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One line per stage that ran, failed or was skipped (fresh stages are
/// silent, like ninja), then a summary line. With `explain`, each line says
/// why the stage ran.
pub struct PlainProgress<W: Write + Send> {
    writer: Mutex<W>,
    explain: bool,
}

impl<W: Write + Send> PlainProgress<W> {
    pub fn new(writer: W, explain: bool) -> Self {
        Self {
            writer: Mutex::new(writer),
            explain,
        }
    }

    /// The writer back (for tests).
    pub fn into_inner(self) -> W {
        self.writer
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The plain line for a finished stage, or `None` for a fresh one; each
/// note the stage's run left follows on a line of its own, after the
/// stage's id (`target:pm limited: …`).
pub fn plain_line(outcome: &StageOutcome, explain: bool) -> Option<String> {
    let mut line = match outcome.status {
        Status::Fresh | Status::Stale => return None,
        Status::Ran if explain => match &outcome.led_by {
            Some(leader) => format!(
                "ran {} ({:.2}s): {}, in {leader}'s pass",
                outcome.id, outcome.seconds, outcome.reason
            ),
            None => format!(
                "ran {} ({:.2}s): {}",
                outcome.id, outcome.seconds, outcome.reason
            ),
        },
        Status::Ran => format!("ran {} ({:.2}s)", outcome.id, outcome.seconds),
        Status::Fetched if explain => format!(
            "fetched {} ({:.2}s): {}; its output is in the remote cache",
            outcome.id, outcome.seconds, outcome.reason
        ),
        Status::Fetched => format!("fetched {} ({:.2}s)", outcome.id, outcome.seconds),
        Status::Failed | Status::Skipped => {
            format!("{} {}: {}", outcome.status, outcome.id, outcome.reason)
        }
    };
    for note in &outcome.notes {
        line.push_str(&format!("\n{} {note}", outcome.id));
    }
    Some(line)
}

/// The plain summary line.
pub fn summary_line(summary: &Summary) -> String {
    let mut line = format!("{} ran", summary.ran);
    if summary.fetched > 0 {
        line.push_str(&format!(", {} fetched", summary.fetched));
    }
    line.push_str(&format!(", {} fresh", summary.fresh));
    if summary.failed > 0 {
        line.push_str(&format!(", {} failed", summary.failed));
    }
    if summary.skipped > 0 {
        line.push_str(&format!(", {} skipped", summary.skipped));
    }
    line.push_str(&format!(" in {:.2}s", summary.seconds));
    line
}

impl<W: Write + Send> Progress for PlainProgress<W> {
    fn finished(&self, outcome: &StageOutcome) {
        if let Some(line) = plain_line(outcome, self.explain) {
            let _ = writeln!(locked(&self.writer), "{line}");
        }
    }

    fn end(&self, summary: &Summary) {
        let _ = writeln!(locked(&self.writer), "{}", summary_line(summary));
    }
}

#[derive(Serialize)]
struct JsonLine<'a> {
    stage: &'a str,
    kind: &'a str,
    status: &'a str,
    reason: String,
    seconds: f64,
    output: Option<String>,
    led_by: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

/// The JSON object for one stage:
/// `{"stage","kind","status","reason","seconds","output","led_by"}`, where
/// `output` is the materialised path or the object hash (null when there is
/// none) and `led_by` the stage in whose pass it ran (null when it ran on
/// its own or did not run); then `"notes"`, the lines its run left, when
/// it left any.
pub fn json_line(outcome: &StageOutcome) -> String {
    let line = JsonLine {
        stage: &outcome.id,
        kind: &outcome.kind,
        status: outcome.status.as_str(),
        reason: outcome.reason.to_string(),
        seconds: (outcome.seconds * 1000.0).round() / 1000.0,
        output: outcome.output_text(),
        led_by: outcome.led_by.as_deref(),
        notes: &outcome.notes,
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// One JSON object per line per stage, fresh stages included.
pub struct JsonProgress<W: Write + Send> {
    writer: Mutex<W>,
}

impl<W: Write + Send> JsonProgress<W> {
    pub fn new(writer: W) -> Self {
        Self {
            writer: Mutex::new(writer),
        }
    }

    /// The writer back (for tests).
    pub fn into_inner(self) -> W {
        self.writer
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<W: Write + Send> Progress for JsonProgress<W> {
    fn finished(&self, outcome: &StageOutcome) {
        let _ = writeln!(locked(&self.writer), "{}", json_line(outcome));
    }
}

/// Progress bars on a terminal: an overall bar and a spinner per running
/// stage; finished stages print their plain line above the bars.
#[cfg(feature = "cli")]
pub struct BarProgress {
    bars: indicatif::MultiProgress,
    overall: indicatif::ProgressBar,
    running: Mutex<std::collections::HashMap<String, indicatif::ProgressBar>>,
    explain: bool,
}

#[cfg(feature = "cli")]
impl BarProgress {
    /// Bars drawn on standard error.
    pub fn new(explain: bool) -> Self {
        let bars = indicatif::MultiProgress::new();
        let overall = bars.add(indicatif::ProgressBar::new(0));
        overall.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} stages {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Self {
            bars,
            overall,
            running: Mutex::new(std::collections::HashMap::new()),
            explain,
        }
    }
}

#[cfg(feature = "cli")]
impl Progress for BarProgress {
    fn begin(&self, stages: usize) {
        self.overall.set_length(stages as u64);
    }

    fn started(&self, id: &str, _kind: &str) {
        let spinner = self.bars.add(indicatif::ProgressBar::new_spinner());
        spinner.set_message(id.to_owned());
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        locked(&self.running).insert(id.to_owned(), spinner);
    }

    fn finished(&self, outcome: &StageOutcome) {
        if let Some(spinner) = locked(&self.running).remove(&outcome.id) {
            spinner.finish_and_clear();
            self.bars.remove(&spinner);
        }
        if let Some(line) = plain_line(outcome, self.explain) {
            let _ = self.bars.println(line);
        }
        self.overall.inc(1);
    }

    fn end(&self, summary: &Summary) {
        self.overall.finish_and_clear();
        let _ = self.bars.println(summary_line(summary));
    }
}

/// The reporter for a human build: bars when standard error is a terminal
/// (and `CI` is not set), one plain line per stage otherwise, on standard
/// error.
#[cfg(feature = "cli")]
pub fn human(explain: bool) -> Box<dyn Progress> {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        Box::new(BarProgress::new(explain))
    } else {
        Box::new(PlainProgress::new(std::io::stderr(), explain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{engine::key::Digest, engine::outcome::Reason};

    fn outcome(id: &str, status: Status, reason: Reason) -> StageOutcome {
        StageOutcome {
            id: id.into(),
            kind: "bus".into(),
            status,
            reason,
            seconds: 0.25,
            key: None,
            output: Some(Digest::of(b"x")),
            materialised: None,
            led_by: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn plain_reporter_prints_what_ran_and_why_when_asked() {
        let mut led = outcome("target:pm", Status::Ran, Reason::New);
        led.led_by = Some("bus:PM".into());
        led.notes = vec!["limited: up to 3.2 dB of gain reduction".into()];
        let events = [
            outcome("bus:DX", Status::Fresh, Reason::UpToDate),
            outcome("bus:PM", Status::Ran, Reason::New),
            led,
            outcome(
                "target:a",
                Status::Failed,
                Reason::Error("disk full".into()),
            ),
            outcome(
                "album:b",
                Status::Skipped,
                Reason::InputFailed("target:a".into()),
            ),
        ];
        let summary = Summary {
            ran: 2,
            fresh: 1,
            fetched: 0,
            failed: 1,
            skipped: 1,
            seconds: 1.5,
        };
        for (explain, expected) in [
            (
                false,
                "ran bus:PM (0.25s)\nran target:pm (0.25s)\ntarget:pm limited: up to 3.2 dB of gain reduction\nfailed target:a: disk full\nskipped album:b: input target:a failed\n2 ran, 1 fresh, 1 failed, 1 skipped in 1.50s\n",
            ),
            (
                true,
                "ran bus:PM (0.25s): not built before\nran target:pm (0.25s): not built before, in bus:PM's pass\ntarget:pm limited: up to 3.2 dB of gain reduction\nfailed target:a: disk full\nskipped album:b: input target:a failed\n2 ran, 1 fresh, 1 failed, 1 skipped in 1.50s\n",
            ),
        ] {
            let progress = PlainProgress::new(Vec::new(), explain);
            progress.begin(5);
            for event in &events {
                progress.finished(event);
            }
            progress.end(&summary);
            assert_eq!(String::from_utf8(progress.into_inner()).unwrap(), expected);
        }
        assert_eq!(
            summary_line(&Summary {
                ran: 0,
                fresh: 7,
                fetched: 0,
                failed: 0,
                skipped: 0,
                seconds: 0.004
            }),
            "0 ran, 7 fresh in 0.00s"
        );
        assert_eq!(
            summary_line(&Summary {
                ran: 1,
                fresh: 2,
                fetched: 3,
                failed: 0,
                skipped: 0,
                seconds: 0.5
            }),
            "1 ran, 3 fetched, 2 fresh in 0.50s"
        );
        let mut fetched = outcome("bus:PM", Status::Fetched, Reason::New);
        fetched.seconds = 0.125;
        assert_eq!(
            plain_line(&fetched, true).unwrap(),
            "fetched bus:PM (0.12s): not built before; its output is in the remote cache"
        );
        assert_eq!(
            plain_line(&fetched, false).unwrap(),
            "fetched bus:PM (0.12s)"
        );
    }

    #[test]
    fn json_reporter_prints_every_stage() {
        let progress = JsonProgress::new(Vec::new());
        let mut materialised = outcome("target:stereo", Status::Ran, Reason::New);
        materialised.materialised = Some("out/stereo.wav".into());
        materialised.led_by = Some("bus:PM".into());
        materialised.notes = vec!["limited: 2 passes".into()];
        progress.finished(&outcome("bus:DX", Status::Fresh, Reason::UpToDate));
        progress.finished(&materialised);
        let mut failed = outcome(
            "bus:FX",
            Status::Failed,
            Reason::Error("bad \"wav\"".into()),
        );
        failed.output = None;
        progress.finished(&failed);
        let hex = Digest::of(b"x").to_hex();
        assert_eq!(
            String::from_utf8(progress.into_inner()).unwrap(),
            format!(
                "{{\"stage\":\"bus:DX\",\"kind\":\"bus\",\"status\":\"fresh\",\"reason\":\"up to date\",\"seconds\":0.25,\"output\":\"{hex}\",\"led_by\":null}}\n\
                 {{\"stage\":\"target:stereo\",\"kind\":\"bus\",\"status\":\"ran\",\"reason\":\"not built before\",\"seconds\":0.25,\"output\":\"out/stereo.wav\",\"led_by\":\"bus:PM\",\"notes\":[\"limited: 2 passes\"]}}\n\
                 {{\"stage\":\"bus:FX\",\"kind\":\"bus\",\"status\":\"failed\",\"reason\":\"bad \\\"wav\\\"\",\"seconds\":0.25,\"output\":null,\"led_by\":null}}\n"
            )
        );
    }
}
