//! Which deliverables a build delivers, and why the others are not: the
//! checks `sndtrk check` runs, before the build, and the measurements,
//! after it.
//!
//! A deliverable is one file in `out/`: a target (`out/NAME.wav`) or an
//! album track (`out/ALBUM/NN Title.wav`). Its verdict, in this order:
//!
//! 1. **blocked**: an error of the checks points at it
//!    ([`crate::project::blocked`]; an error at an album or one of its
//!    tracks blocks the whole album, which is released as one). It is not
//!    rendered.
//! 2. **failed**: its stage or its measurement failed, or did not run
//!    because an input failed.
//! 3. **rejected**: it rendered, but an error of the checks that need the
//!    rendered audio points at it: D004 (loudness or true peak outside its
//!    spec, at the target) or D007 (it clips, at the target or the track).
//!    These concern that one file: a clipped album track rejects that
//!    track only.
//! 4. **delivered** otherwise.
//!
//! Warnings block and reject nothing. The build command puts the delivered
//! files in `out/` and removes the others' files left there by an earlier
//! build ([`crate::engine::Engine::deliver`]).

use std::path::{Path, PathBuf};

use crate::{
    diagnostic::Diagnostic,
    engine::{
        key::Digest,
        outcome::{StageOutcome, Status},
        BuildReport,
    },
    lint::{self, clipping, config::Settings, suppression::Suppressions, Checker},
    lower::{RenderPlan, StageId, StageSpec},
    model::Model,
    project::{
        blocked::{points_at, Subject},
        Project,
    },
    stages::Measurement,
};

/// One file a build can deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Deliverable {
    /// `target:NAME` or `album:NAME/NN`.
    pub id: StageId,
    /// The stage that measures it: `measure:NAME` or `measure:NAME/NN`.
    pub measure: StageId,
    /// Its file, relative to the project directory (`out/stereo.wav`).
    pub file: PathBuf,
    /// What it is in the model.
    pub subject: Subject,
}

impl Deliverable {
    /// Whether a diagnostic pointing at `subject` is about this
    /// deliverable; with `whole_album`, one at an album track is about every
    /// track of its album.
    fn is_about(&self, subject: Subject, whole_album: bool) -> bool {
        match (self.subject, subject) {
            (Subject::Target(mine), Subject::Target(theirs)) => mine == theirs,
            (Subject::Track { album, .. }, Subject::Album(theirs)) => album == theirs,
            (
                Subject::Track { album, position },
                Subject::Track {
                    album: theirs,
                    position: at,
                },
            ) => album == theirs && (whole_album || position == at),
            _ => false,
        }
    }

    /// The file's path as reports print it (`out/ost/01 Theme.wav`).
    pub fn file_text(&self) -> String {
        self.file.to_string_lossy().replace('\\', "/")
    }
}

/// Every deliverable of `plan`, in the plan's order.
pub fn deliverables(model: &Model, plan: &RenderPlan) -> Vec<Deliverable> {
    plan.stages
        .iter()
        .filter_map(|stage| {
            let (subject, output) = match stage {
                StageSpec::Target(target) => (
                    Subject::Target(model.targets.index(&target.name)?),
                    &target.output,
                ),
                StageSpec::AlbumTrack(track) => (
                    Subject::Track {
                        album: model.albums.index(&track.album)?,
                        position: track.number.checked_sub(1)?,
                    },
                    &track.output,
                ),
                _ => return None,
            };
            let id = stage.id().clone();
            Some(Deliverable {
                measure: id.measured_by()?,
                id,
                file: Path::new("out").join(output),
                subject,
            })
        })
        .collect()
}

/// The checks of `sndtrk check` on a project, with the deliverables each
/// error blocks.
#[derive(Debug)]
pub struct Checks {
    /// Every diagnostic of the lint rules, with the recipe's `lint`
    /// severities and inline suppressions applied (as `sndtrk check`
    /// reports them), sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Every deliverable of the project.
    pub deliverables: Vec<Deliverable>,
    /// For each deliverable, the indexes into `diagnostics` of those that
    /// point at it (warnings too; one at an album track points at that
    /// track).
    pointing: Vec<Vec<usize>>,
    /// For each deliverable, the indexes into `diagnostics` of the errors
    /// that block it (one at an album track blocks the whole album).
    blocking: Vec<Vec<usize>>,
}

impl Checks {
    /// Runs the lint rules on `project`'s model.
    pub fn run(project: &Project) -> Checks {
        let model = &project.resolved.model;
        let checker = Checker::new(model);
        let diagnostics = lint::check_with(&checker);
        let deliverables = deliverables(model, &project.plan);
        let mut pointing = vec![Vec::new(); deliverables.len()];
        let mut blocking = vec![Vec::new(); deliverables.len()];
        for (index, diagnostic) in diagnostics.iter().enumerate() {
            for subject in points_at(&checker, diagnostic) {
                for (at, deliverable) in deliverables.iter().enumerate() {
                    if deliverable.is_about(subject, false) && !pointing[at].contains(&index) {
                        pointing[at].push(index);
                    }
                    if diagnostic.is_error()
                        && deliverable.is_about(subject, true)
                        && !blocking[at].contains(&index)
                    {
                        blocking[at].push(index);
                    }
                }
            }
        }
        Checks {
            diagnostics,
            deliverables,
            pointing,
            blocking,
        }
    }

    /// The codes of the errors that block deliverable `index`, each once,
    /// in order; empty when nothing blocks it.
    pub fn blocked_by(&self, index: usize) -> Vec<&'static str> {
        let mut codes = Vec::new();
        for &diagnostic in &self.blocking[index] {
            let code = self.diagnostics[diagnostic].code;
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    /// The stage ids to build: `named` (the stage ids a command line named,
    /// empty for all), each deliverable with its measurement, and without
    /// the blocked deliverables and their measurements. `Some(empty)`
    /// builds everything (nothing is blocked); `None` builds nothing (all
    /// that was asked for is blocked).
    pub fn selection(&self, plan: &RenderPlan, named: &[String]) -> Option<Vec<String>> {
        let blocked: Vec<&Deliverable> = self
            .deliverables
            .iter()
            .enumerate()
            .filter(|(index, _)| !self.blocked_by(*index).is_empty())
            .map(|(_, deliverable)| deliverable)
            .collect();
        if blocked.is_empty() && named.is_empty() {
            return Some(Vec::new());
        }
        let mut ids: Vec<String> = if named.is_empty() {
            // What nothing else reads; the engine adds what they need.
            plan.stages
                .iter()
                .filter(|stage| {
                    matches!(
                        stage,
                        StageSpec::Target(_)
                            | StageSpec::Measure(_)
                            | StageSpec::AlbumTrack(_)
                            | StageSpec::Report(_)
                    )
                })
                .map(|stage| stage.id().to_string())
                .collect()
        } else {
            named.to_vec()
        };
        for deliverable in &self.deliverables {
            let measure = deliverable.measure.to_string();
            if ids.iter().any(|id| *id == *deliverable.id) && !ids.contains(&measure) {
                ids.push(measure);
            }
        }
        ids.retain(|id| {
            !blocked.iter().any(|deliverable| {
                deliverable.id == id.as_str() || deliverable.measure == id.as_str()
            })
        });
        (!ids.is_empty()).then_some(ids)
    }
}

/// A deliverable's fate in one build.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// It is in `out/`.
    Delivered,
    /// Errors of these codes point at it: it was not rendered.
    Blocked(Vec<&'static str>),
    /// Its stage or its measurement failed or was skipped: why, on one line.
    Failed(String),
    /// It rendered, but errors of these codes (D004, D007) point at it.
    Rejected(Vec<&'static str>),
}

impl Verdict {
    /// The word JSON reports give it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Delivered => "delivered",
            Verdict::Blocked(_) => "blocked",
            Verdict::Failed(_) => "failed",
            Verdict::Rejected(_) => "rejected",
        }
    }

    /// Why it was not delivered (`blocked by R001, R002`), or `None`.
    pub fn reason(&self) -> Option<String> {
        match self {
            Verdict::Delivered => None,
            Verdict::Blocked(codes) => Some(format!("blocked by {}", codes.join(", "))),
            Verdict::Failed(why) => Some(why.clone()),
            Verdict::Rejected(codes) => Some(format!("fails {}", codes.join(", "))),
        }
    }
}

/// One deliverable of a build, judged.
#[derive(Debug, Clone)]
pub struct Judged {
    pub deliverable: Deliverable,
    pub verdict: Verdict,
    /// Its measurement, when it was measured.
    pub measurement: Option<Measurement>,
    /// The output object to put in `out/` (when delivered).
    pub output: Option<Digest>,
    /// The indexes into [`Judgement::diagnostics`] of those that point at
    /// it, and of the errors that block it.
    pub diagnostics: Vec<usize>,
}

/// The verdicts of one build.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// The checks' diagnostics, then those after the build (D004 as given,
    /// D007 found here), in that order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many of `diagnostics` the checks gave (the rest came after the build).
    pub checked: usize,
    /// Every deliverable of this build and every blocked one, in the plan's
    /// order.
    pub deliverables: Vec<Judged>,
}

impl Judgement {
    /// The D007 diagnostics (and any other this judgement found after the
    /// build itself), for the caller to print.
    pub fn found(&self, given: usize) -> &[Diagnostic] {
        &self.diagnostics[(self.checked + given).min(self.diagnostics.len())..]
    }

    /// The diagnostics that point at no deliverable of this build.
    pub fn unattached(&self) -> Vec<&Diagnostic> {
        (0..self.diagnostics.len())
            .filter(|index| {
                !self
                    .deliverables
                    .iter()
                    .any(|judged| judged.diagnostics.contains(index))
            })
            .map(|index| &self.diagnostics[index])
            .collect()
    }

    /// Whether everything passed: no error anywhere, every deliverable delivered.
    pub fn passed(&self) -> bool {
        self.diagnostics
            .iter()
            .all(|diagnostic| !diagnostic.is_error())
            && self
                .deliverables
                .iter()
                .all(|judged| judged.verdict == Verdict::Delivered)
    }
}

/// Judges every deliverable of `report` (and every blocked one): `after`
/// are the diagnostics the build found from the measurements already (D004),
/// with their configured severities; `measured` reads a measurement
/// object. D007 is checked here, with the recipe's `lint` severity and
/// inline suppressions.
pub fn judge(
    project: &Project,
    checks: Checks,
    report: &BuildReport,
    after: &[Diagnostic],
    measured: impl Fn(&Digest) -> Option<Measurement>,
) -> Judgement {
    let model = &project.resolved.model;
    // Only the diagnostics after the build need it (to say what they point
    // at), and most builds have none.
    let checker = std::cell::OnceCell::new();
    let (settings, _) = Settings::from_model(model);
    let (suppressions, _) = Suppressions::scan(model);
    let checked = checks.diagnostics.len();
    let mut diagnostics = checks.diagnostics.clone();
    diagnostics.extend(after.iter().cloned());
    let mut judged = Vec::new();
    for (index, deliverable) in checks.deliverables.iter().enumerate() {
        // What the checks found about it, and what blocks it.
        let mut pointing = checks.pointing[index].clone();
        for &blocking in &checks.blocking[index] {
            if !pointing.contains(&blocking) {
                pointing.push(blocking);
            }
        }
        let checked_here = pointing.len();
        let blocked = checks.blocked_by(index);
        let outcome = report.outcome(&deliverable.id);
        if blocked.is_empty() && outcome.is_none() {
            continue;
        }
        let mut judged_one = Judged {
            deliverable: deliverable.clone(),
            verdict: Verdict::Blocked(blocked.clone()),
            measurement: None,
            output: None,
            diagnostics: Vec::new(),
        };
        if let (true, Some(outcome)) = (blocked.is_empty(), outcome) {
            let measure = report.outcome(&deliverable.measure);
            judged_one.verdict = match rendered(deliverable, outcome, measure) {
                Err(why) => Verdict::Failed(why),
                Ok(object) => match measured(&object) {
                    None => Verdict::Failed(format!(
                        "the measurement of {} cannot be read",
                        deliverable.id
                    )),
                    Some(measurement) => {
                        for found in
                            clipping::check(model, &project.plan, &deliverable.id, &measurement)
                        {
                            let Some(severity) = settings.severity_of(found.code, found.severity)
                            else {
                                continue;
                            };
                            let found = found.with_severity(severity);
                            if !suppressions.silences(&found) {
                                pointing.push(diagnostics.len());
                                diagnostics.push(found);
                            }
                        }
                        for (offset, diagnostic) in after.iter().enumerate() {
                            let checker = checker.get_or_init(|| Checker::new(model));
                            let about = points_at(checker, diagnostic)
                                .into_iter()
                                .any(|subject| deliverable.is_about(subject, false));
                            if about {
                                pointing.push(checked + offset);
                            }
                        }
                        judged_one.measurement = Some(measurement);
                        let mut codes = Vec::new();
                        for &at in &pointing[checked_here..] {
                            let diagnostic = &diagnostics[at];
                            if diagnostic.is_error() && !codes.contains(&diagnostic.code) {
                                codes.push(diagnostic.code);
                            }
                        }
                        if codes.is_empty() {
                            judged_one.output = outcome.output;
                            Verdict::Delivered
                        } else {
                            Verdict::Rejected(codes)
                        }
                    }
                },
            };
        }
        pointing.sort_unstable();
        pointing.dedup();
        judged_one.diagnostics = pointing;
        judged.push(judged_one);
    }
    Judgement {
        diagnostics,
        checked,
        deliverables: judged,
    }
}

/// The measurement object of a deliverable whose stage and measurement
/// both succeeded, else why not (on one line).
fn rendered(
    deliverable: &Deliverable,
    outcome: &StageOutcome,
    measure: Option<&StageOutcome>,
) -> Result<Digest, String> {
    let ok = |outcome: &StageOutcome| {
        matches!(
            outcome.status,
            Status::Ran | Status::Fresh | Status::Fetched
        )
    };
    if !ok(outcome) || outcome.output.is_none() {
        return Err(match outcome.status {
            Status::Skipped => outcome.reason.to_string(),
            _ => format!("{} failed", deliverable.id),
        });
    }
    let Some(measure) = measure else {
        return Err(format!("{} was not measured", deliverable.id));
    };
    match (ok(measure), measure.output) {
        (true, Some(object)) => Ok(object),
        _ if measure.status == Status::Skipped => Err(measure.reason.to_string()),
        _ => Err(format!("{} failed", deliverable.measure)),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::{
        engine::{graph::StageGraph, outcome::Reason, progress::Summary},
        lower::lower,
        resolve::resolve_text,
        stages::stages,
    };

    /// `clean` and `loud` hear score only; `song` hears an unlicensed
    /// song, which is also track 2 of the album.
    const RECIPE: &str = r#"import "std/layouts"
project "T" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
cue 1M1 "Score" { type score usage BI tone 220Hz -30dBFS for 1s at 01:00:00:00
    writer "A" society ASCAP share 100% publisher "P" society ASCAP share 100% }
cue 2M3 "Song" { type song usage VV tone 440Hz -30dBFS for 1s at 01:00:00:00 isrc "USRC17607839"
    writer "A" society ASCAP share 100% publisher "P" society ASCAP share 100% }
bus SCORE 2.0 { 1M1 }
bus SONG 2.0 { 2M3 }
target clean { from SCORE layout 2.0 format wav 48kHz 24bit }
target loud { from SCORE layout 2.0 format wav 48kHz 24bit }
target song { from SONG layout 2.0 format wav 48kHz 24bit }
album ost "OST" { kind soundtrack track 1M1 track 2M3 format wav 44.1kHz 16bit }
"#;

    fn load(recipe: &str) -> Project {
        let resolved = resolve_text("soundtrack.sndtrk", None, recipe);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let plan = lower(&resolved.model, Path::new("."));
        let graph = StageGraph::new(stages(&plan, &resolved.model).unwrap()).unwrap();
        Project {
            resolved,
            plan,
            graph,
        }
    }

    fn outcome(id: &str, status: Status, object: u8) -> StageOutcome {
        StageOutcome {
            id: id.to_owned(),
            kind: id.split(':').next().unwrap_or_default().to_owned(),
            status,
            reason: match status {
                Status::Skipped => Reason::InputFailed("bus:SCORE".into()),
                Status::Failed => Reason::Error("boom".into()),
                _ => Reason::UpToDate,
            },
            seconds: 0.0,
            key: None,
            output: (status != Status::Failed && status != Status::Skipped)
                .then(|| Digest::of(&[object])),
            materialised: None,
            led_by: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn deliverables_are_the_targets_and_album_tracks_with_their_files() {
        let project = load(RECIPE);
        let found: Vec<(String, String, String)> =
            deliverables(&project.resolved.model, &project.plan)
                .into_iter()
                .map(|d| (d.id.to_string(), d.measure.to_string(), d.file_text()))
                .collect();
        let expected = [
            ("target:clean", "measure:clean", "out/clean.wav"),
            ("target:loud", "measure:loud", "out/loud.wav"),
            ("target:song", "measure:song", "out/song.wav"),
            ("album:ost/01", "measure:ost/01", "out/ost/01 Score.wav"),
            ("album:ost/02", "measure:ost/02", "out/ost/02 Song.wav"),
        ]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
        assert_eq!(found, expected);
    }

    #[test]
    fn blocked_deliverables_are_left_out_of_the_build() {
        let project = load(RECIPE);
        let checks = Checks::run(&project);
        // R001 and R002 block `song`; R003 (at track 2) the whole album.
        let blocked: Vec<Vec<&str>> = (0..checks.deliverables.len())
            .map(|index| checks.blocked_by(index))
            .collect();
        assert_eq!(
            blocked,
            [
                vec![],
                vec![],
                vec!["R001", "R002"],
                vec!["R003"],
                vec!["R003"]
            ]
        );
        let all = checks.selection(&project.plan, &[]).unwrap();
        for id in ["target:clean", "measure:loud", "report:rights.json"] {
            assert!(all.iter().any(|chosen| chosen == id), "{id} in {all:?}");
        }
        for id in [
            "target:song",
            "measure:song",
            "album:ost/01",
            "measure:ost/02",
        ] {
            assert!(!all.iter().any(|chosen| chosen == id), "{id} in {all:?}");
        }
        // A deliverable named alone brings its measurement.
        let named = checks
            .selection(&project.plan, &["target:clean".to_owned()])
            .unwrap();
        assert_eq!(named, ["target:clean", "measure:clean"]);
        // Only blocked ones named: nothing to build.
        assert_eq!(
            checks.selection(&project.plan, &["target:song".to_owned()]),
            None
        );
        // Nothing blocked and nothing named: everything (the engine's empty list).
        let licensed = load(&RECIPE.replace("type song", "type score"));
        assert_eq!(
            Checks::run(&licensed).selection(&licensed.plan, &[]),
            Some(Vec::new())
        );
    }

    #[test]
    fn each_deliverable_is_judged_on_its_checks_outcome_and_measurement() {
        let project = load(&format!("{RECIPE}\nlint {{ warn R002 }}\n"));
        let checks = Checks::run(&project);
        let report = BuildReport {
            outcomes: vec![
                outcome("target:clean", Status::Fresh, 1),
                outcome("measure:clean", Status::Ran, 2),
                outcome("target:loud", Status::Ran, 3),
                outcome("measure:loud", Status::Ran, 4),
            ],
            failures: Vec::new(),
            summary: Summary::default(),
        };
        let clean = Measurement {
            true_peak_dbtp: Some(-3.0),
            sample_rate: 48_000,
            ..Measurement::default()
        };
        let loud = Measurement {
            true_peak_dbtp: Some(6.0),
            clipped_samples: 12,
            first_clip_frame: Some(0),
            time_reference: Some(3600 * 48_000),
            ..clean.clone()
        };
        let judgement = judge(&project, checks, &report, &[], |digest| {
            if *digest == Digest::of(&[2]) {
                Some(clean.clone())
            } else if *digest == Digest::of(&[4]) {
                Some(loud.clone())
            } else {
                None
            }
        });
        let verdicts: Vec<(&str, Verdict)> = judgement
            .deliverables
            .iter()
            .map(|judged| (judged.deliverable.id.as_str(), judged.verdict.clone()))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("target:clean", Verdict::Delivered),
                ("target:loud", Verdict::Rejected(vec!["D007"])),
                // R002 is only a warning here.
                ("target:song", Verdict::Blocked(vec!["R001"])),
                ("album:ost/01", Verdict::Blocked(vec!["R003"])),
                ("album:ost/02", Verdict::Blocked(vec!["R003"])),
            ]
        );
        assert_eq!(judgement.deliverables[0].output, Some(Digest::of(&[1])));
        assert_eq!(judgement.deliverables[1].output, None);
        let d007 = judgement.found(0);
        assert_eq!(d007.len(), 1);
        assert_eq!(
            d007[0].message,
            "target `loud` clips: 12 samples at full scale, the first at 01:00:00:00"
        );
        assert!(!judgement.passed());
        // Track 1 carries R003 (which blocks it) but not track 2's warnings.
        let codes = |index: usize| -> Vec<&str> {
            judgement.deliverables[index]
                .diagnostics
                .iter()
                .map(|&at| judgement.diagnostics[at].code)
                .collect()
        };
        assert_eq!(codes(2), ["R001", "R002"]);
        assert_eq!(codes(3), ["R003"]);
        assert_eq!(codes(1), ["D007"]);
    }

    #[test]
    fn a_failed_stage_or_measurement_fails_its_deliverable() {
        let project = load(&RECIPE.replace("type song", "type score"));
        let report = BuildReport {
            outcomes: vec![
                outcome("target:clean", Status::Failed, 1),
                outcome("measure:clean", Status::Skipped, 0),
                outcome("target:loud", Status::Ran, 3),
                outcome("measure:loud", Status::Failed, 0),
                outcome("target:song", Status::Skipped, 0),
                outcome("album:ost/01", Status::Ran, 5),
                outcome("measure:ost/01", Status::Ran, 6),
            ],
            failures: Vec::new(),
            summary: Summary::default(),
        };
        let judgement = judge(&project, Checks::run(&project), &report, &[], |_| None);
        let reasons: Vec<(&str, Option<String>)> = judgement
            .deliverables
            .iter()
            .map(|judged| (judged.deliverable.id.as_str(), judged.verdict.reason()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("target:clean", Some("target:clean failed".to_owned())),
                ("target:loud", Some("measure:loud failed".to_owned())),
                ("target:song", Some("input bus:SCORE failed".to_owned())),
                (
                    "album:ost/01",
                    Some("the measurement of album:ost/01 cannot be read".to_owned())
                ),
            ]
        );
    }
}
