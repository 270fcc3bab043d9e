//! The QC report, `out/reports/index.html`, written by every `sndtrk
//! build` from what the build judged and measured: each deliverable's
//! format, layout, spec, measured loudness (integrated, dialogue-gated,
//! LRA), true and sample peaks, its verdict and its loudness plot
//! ([`plot`]) from the curve its measurement stored
//! ([`crate::stages::curve`]; no deliverable is read again), then the
//! schedule, the cue sheet and the rights matrix.
//!
//! The page depends only on the recipe, the build's results and the day
//! the schedule counts from (no clock time), so builds with any `-j` give
//! the same bytes.

pub mod html;
pub mod page;
pub mod plot;

use std::path::Path;

use crate::{
    engine::{key::Digest, BuildReport},
    lower::StageSpec,
    model::{Format, Model},
    project::{blocked::Subject, deliver::Judgement, Project},
    report::{cuesheet, rights, schedule::Row},
    stages::curve::Curve,
    syntax::ast::Date,
};

use page::{Deliverable, Page};
use plot::{Clock, Limits};

/// Where the report goes, under the project directory.
pub const PATH: &str = "out/reports/index.html";

/// `WAV 48 kHz 24-bit`.
fn format_text(format: Option<&Format>) -> String {
    let Some(format) = format else {
        return "–".to_owned();
    };
    let rate = f64::from(format.sample_rate) / 1000.0;
    let depth = if format.float {
        format!("{}-bit float", format.bits)
    } else {
        format!("{}-bit", format.bits)
    };
    format!("WAV {rate} kHz {depth}")
}

/// The spec's limits: loudness target and tolerance, true-peak ceiling,
/// and whether it gates on dialogue.
fn limits(model: &Model, spec: Option<&str>) -> (Limits, bool) {
    let Some(spec) = spec.and_then(|name| model.specs.get(name)) else {
        return (Limits::default(), false);
    };
    let limits = Limits {
        loudness: spec
            .loudness
            .map(|loudness| (loudness.lufs, loudness.tolerance_lu)),
        true_peak: spec.true_peak_dbtp.map(|peak| peak.value),
    };
    let gated = spec
        .loudness
        .is_some_and(|loudness| loudness.gate == crate::model::LoudnessGate::Dialogue);
    (limits, gated)
}

/// The page for `project` after a build: `judgement` its verdicts,
/// `report` its stages (for the measurement objects), `curve` reads the
/// curve of a measurement object, `rows` the schedule on `today`.
pub fn page(
    project: &Project,
    judgement: &Judgement,
    report: &BuildReport,
    curve: impl Fn(&Digest) -> Option<Curve>,
    rows: &[Row],
    today: Date,
) -> Result<String, String> {
    let model = &project.resolved.model;
    let plan = &project.plan;
    let drop_frame = plan.picture_start.drop_frame && plan.frame_rate.allows_drop_frame();
    let mut deliverables = Vec::new();
    for judged in &judgement.deliverables {
        let deliverable = &judged.deliverable;
        let stage = plan
            .stages
            .iter()
            .find(|stage| *stage.id() == deliverable.id);
        let (name, kind, title, format, layout, spec) = match (deliverable.subject, stage) {
            (Subject::Target(index), Some(StageSpec::Target(stage))) => {
                let target = &model.targets[index];
                (
                    target.name.name.clone(),
                    "target",
                    None,
                    format_text(target.format.as_ref()),
                    format!("{} ({})", stage.layout, stage.channels.join(" ")),
                    target.spec.as_ref().map(|spec| spec.name.clone()),
                )
            }
            (Subject::Track { album, .. }, Some(StageSpec::AlbumTrack(stage))) => {
                let declared = &model.albums[album];
                (
                    format!("{}/{:02}", declared.name.name, stage.number),
                    "album track",
                    Some(stage.title.clone()),
                    format_text(declared.format.as_ref()),
                    stage.channels.join(" "),
                    declared.spec.as_ref().map(|spec| spec.name.clone()),
                )
            }
            _ => continue,
        };
        let (limits, dialogue_gated) = limits(model, spec.as_deref());
        let measured = report
            .outcome(&deliverable.measure)
            .and_then(|outcome| outcome.output);
        let measurement = judged.measurement.clone();
        let sample_rate = measurement
            .as_ref()
            .map_or(plan.sample_rate, |m| m.sample_rate);
        let clock = Clock {
            frame_rate: plan.frame_rate,
            drop_frame,
            start_sample: measurement
                .as_ref()
                .and_then(|m| m.time_reference)
                .unwrap_or(0),
            sample_rate: if sample_rate == 0 {
                plan.sample_rate
            } else {
                sample_rate
            },
        };
        deliverables.push(Deliverable {
            name,
            kind,
            title,
            file: deliverable.file_text(),
            format,
            layout,
            spec,
            limits,
            dialogue_gated,
            curve: measurement.as_ref().and(measured.as_ref()).and_then(&curve),
            measurement,
            clock,
            verdict: judged
                .verdict
                .reason()
                .unwrap_or_else(|| "delivered".to_owned()),
            delivered: judged.verdict == crate::project::deliver::Verdict::Delivered,
        });
    }
    let sheet = cuesheet::cue_sheet(model).ok();
    let cues: Vec<(String, String)> = model
        .cues
        .iter()
        .map(|cue| (cue.id.name.clone(), cue.title.clone()))
        .collect();
    let matrix = rights::matrix(model);
    let title = model
        .project
        .as_ref()
        .map_or(plan.title.as_str(), |project| project.title.as_str());
    page::render(&Page {
        title,
        deliverables: &deliverables,
        schedule: rows,
        today: today.to_string(),
        cue_sheet: sheet.as_ref(),
        cues: &cues,
        rights: &matrix,
    })
}

/// Writes `html` to the report's place under `project_dir`, atomically,
/// readable by everyone (as a page a web server may serve). A report that
/// already reads so, with those permissions (a no-op build's), is left as
/// it is: no write, no sync.
pub fn write(project_dir: &Path, html: &str) -> std::io::Result<()> {
    use std::io::Write;
    let path = project_dir.join(PATH);
    if is_already(&path, html) {
        return Ok(());
    }
    let mut file = crate::engine::atomic_file::AtomicFile::create(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.file().write_all(html.as_bytes())?;
    file.commit()
}

fn is_already(path: &Path, html: &str) -> bool {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o7777 != 0o644 {
            return false;
        }
    }
    metadata.is_file()
        && metadata.len() == html.len() as u64
        && std::fs::read(path).is_ok_and(|bytes| bytes == html.as_bytes())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_same_page_is_not_written_again_and_another_one_is() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join(PATH);
        write(dir.path(), "<p>one</p>").expect("written");
        let inode = |path: &Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(path).expect("the report").ino()
        };
        let first = inode(&path);
        write(dir.path(), "<p>one</p>").expect("left");
        assert_eq!(inode(&path), first, "the same page is left in place");
        write(dir.path(), "<p>two</p>").expect("written");
        assert_ne!(inode(&path), first, "a new page replaces it atomically");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "<p>two</p>");
        // A page whose permissions were changed is written again, as 0644.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write(dir.path(), "<p>two</p>").expect("written");
        let mode = std::fs::metadata(&path)
            .expect("the report")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}
