//! The QC report's HTML page: a summary table of the deliverables, one
//! section per deliverable with its measurements, its verdict and its
//! loudness plot, then the schedule, the cue sheet and the rights matrix.
//! Self-contained: the style sheet and the plots are inline, and the page
//! refers to no other file or address. All recipe text is escaped.

use rayon::prelude::*;

use crate::{
    report::{
        cuesheet::{parties_text, CueSheet},
        qc::{
            html::{escape, head, id, row},
            plot::{self, Clock, Limits},
        },
        rights::RightsEntry,
        schedule::Row,
    },
    stages::{curve::Curve, Measurement},
};

const STYLE: &str = include_str!("style.css");

/// One deliverable (a target, or an album track) as the report shows it.
#[derive(Debug, Clone)]
pub struct Deliverable {
    /// `stereo`, or `ost/01` for an album track.
    pub name: String,
    /// `target` or `album track`.
    pub kind: &'static str,
    /// An album track's title.
    pub title: Option<String>,
    /// `out/stereo.wav`.
    pub file: String,
    /// `WAV 48 kHz 24-bit`.
    pub format: String,
    /// `2.0 (L R)`.
    pub layout: String,
    /// The spec's name, if it has one.
    pub spec: Option<String>,
    /// What the spec asks: loudness target and tolerance, true-peak
    /// ceiling, and whether the loudness is gated on dialogue.
    pub limits: Limits,
    pub dialogue_gated: bool,
    /// What the build measured, if it measured it.
    pub measurement: Option<Measurement>,
    pub curve: Option<Curve>,
    /// Where its timecode starts.
    pub clock: Clock,
    /// The build's verdict: `delivered`, `fails D004`, `blocked by R001` …
    pub verdict: String,
    pub delivered: bool,
}

/// Everything on the page.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The project's title.
    pub title: &'a str,
    pub deliverables: &'a [Deliverable],
    /// The schedule and the day it counts from.
    pub schedule: &'a [Row],
    pub today: String,
    /// `None` when the cue sheet could not be made (a cue file unreadable).
    pub cue_sheet: Option<&'a CueSheet>,
    /// Every cue of the recipe: (ID, title).
    pub cues: &'a [(String, String)],
    pub rights: &'a [RightsEntry],
}

/// A level to one decimal with its unit, or `–` (silence or not measured).
fn level(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(value) if value.is_finite() => format!("{value:.1} {unit}"),
        Some(_) => format!("-inf {unit}"),
        None => "–".to_owned(),
    }
}

/// The spec's verdict on the measurement: each limit it states, met or not.
fn against_spec(deliverable: &Deliverable, measured: &Measurement) -> Vec<(String, bool)> {
    let mut checks = Vec::new();
    if let Some((target, tolerance)) = deliverable.limits.loudness {
        let gated = deliverable
            .dialogue_gated
            .then_some(measured.dialogue_gated_lufs)
            .flatten();
        let (what, value) = match gated {
            Some(gated) => ("dialogue-gated loudness", Some(gated)),
            None => ("integrated loudness", measured.integrated_lufs),
        };
        let met = value.is_some_and(|value| (value - target).abs() <= tolerance + 1e-9);
        checks.push((
            format!(
                "{what} {} against {target} LUFS ±{tolerance} LU",
                level(value, "LUFS")
            ),
            met,
        ));
    }
    if let Some(ceiling) = deliverable.limits.true_peak {
        let met = measured
            .true_peak_dbtp
            .is_none_or(|peak| peak <= ceiling + 1e-9);
        checks.push((
            format!(
                "true peak {} against a ceiling of {ceiling} dBTP",
                level(measured.true_peak_dbtp, "dBTP")
            ),
            met,
        ));
    }
    checks
}

/// The whole page.
pub fn render(page: &Page<'_>) -> Result<String, String> {
    let title = escape(page.title);
    // About 15 KB a deliverable (its table rows and curves): one allocation
    // instead of a dozen doublings of a page that reaches a megabyte.
    let mut html = String::with_capacity(64 * 1024 + page.deliverables.len() * 16 * 1024);
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str(&format!("<title>QC report: {title}</title>\n"));
    html.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
    html.push_str(&format!("<header>\n<h1>{title}</h1>\n"));
    let delivered = page.deliverables.iter().filter(|d| d.delivered).count();
    html.push_str(&format!(
        "<p>QC report of the last build: {delivered} of {} deliverables delivered.</p>\n",
        page.deliverables.len()
    ));
    html.push_str("</header>\n");
    deliverables(&mut html, page)?;
    schedule(&mut html, page);
    cue_sheet(&mut html, page);
    rights(&mut html, page);
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

fn deliverables(html: &mut String, page: &Page<'_>) -> Result<(), String> {
    html.push_str(
        "<section id=\"deliverables\">\n<h2>Deliverables</h2>\n<table class=\"summary\">\n",
    );
    html.push_str(&head(&[
        "deliverable",
        "file",
        "format",
        "layout",
        "spec",
        "integrated",
        "dialogue-gated",
        "LRA",
        "true peak",
        "sample peak",
        "verdict",
    ]));
    html.push_str("<tbody>\n");
    for deliverable in page.deliverables {
        let measured = deliverable.measurement.as_ref();
        html.push_str(&row(&[
            deliverable.name.clone(),
            deliverable.file.clone(),
            deliverable.format.clone(),
            deliverable.layout.clone(),
            deliverable.spec.clone().unwrap_or_else(|| "–".to_owned()),
            level(measured.and_then(|m| m.integrated_lufs), "LUFS"),
            level(measured.and_then(|m| m.dialogue_gated_lufs), "LUFS"),
            level(measured.and_then(|m| m.lra_lu), "LU"),
            level(measured.and_then(|m| m.true_peak_dbtp), "dBTP"),
            level(measured.and_then(|m| m.sample_peak_dbfs), "dBFS"),
            deliverable.verdict.clone(),
        ]));
    }
    html.push_str("</tbody>\n</table>\n");
    // Each section (its plot, mostly) on its own, in parallel: half the
    // page's time on two cores; joined in the deliverables' order.
    let sections: Vec<Result<String, String>> = page
        .deliverables
        .par_iter()
        .map(|deliverable| {
            let mut section = String::with_capacity(16 * 1024);
            one(&mut section, deliverable).map(|()| section)
        })
        .collect();
    for section in sections {
        html.push_str(&section?);
    }
    html.push_str("</section>\n");
    Ok(())
}

/// One deliverable's section.
fn one(html: &mut String, deliverable: &Deliverable) -> Result<(), String> {
    let name = escape(&deliverable.name);
    html.push_str(&format!(
        "<article class=\"deliverable\" id=\"{}\" data-deliverable=\"{name}\">\n",
        id("d-", &deliverable.name)
    ));
    let heading = match &deliverable.title {
        Some(title) => format!("{name} <small>{}</small>", escape(title)),
        None => name.clone(),
    };
    let class = if deliverable.delivered {
        "pass"
    } else {
        "fail"
    };
    html.push_str(&format!(
        "<h3>{} {heading} <span class=\"verdict {class}\">{}</span></h3>\n",
        escape(deliverable.kind),
        escape(&deliverable.verdict)
    ));
    html.push_str("<dl>\n");
    let mut item = |term: &str, value: &str| {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(term),
            escape(value)
        ));
    };
    item("file", &deliverable.file);
    item("format", &deliverable.format);
    item("layout", &deliverable.layout);
    item("spec", deliverable.spec.as_deref().unwrap_or("none"));
    html.push_str("</dl>\n");
    let Some(measured) = &deliverable.measurement else {
        html.push_str("<p>Not measured by the last build.</p>\n</article>\n");
        return Ok(());
    };
    let checks = against_spec(deliverable, measured);
    if !checks.is_empty() {
        html.push_str("<ul class=\"spec\">\n");
        for (text, met) in &checks {
            let (class, word) = if *met {
                ("pass", "meets")
            } else {
                ("fail", "misses")
            };
            html.push_str(&format!(
                "<li><span class=\"verdict {class}\">{word}</span> {}</li>\n",
                escape(text)
            ));
        }
        html.push_str("</ul>\n");
    }
    match &deliverable.curve {
        Some(curve) if !curve.is_empty() => {
            let svg = plot::svg(curve, deliverable.limits, deliverable.clock, &name)?;
            html.push_str("<figure>\n");
            html.push_str(&svg);
            html.push_str("\n<figcaption>");
            for (colour, what) in [
                (plot::MOMENTARY, "momentary loudness"),
                (plot::SHORT_TERM, "short-term loudness"),
                (plot::TRUE_PEAK, "true peak"),
            ] {
                html.push_str(&format!(
                    "<span class=\"key\" style=\"background: rgb({}, {}, {})\"></span>{what}",
                    colour.0, colour.1, colour.2
                ));
            }
            if deliverable.limits.loudness.is_some() {
                html.push_str(" (green: the spec's target and tolerance)");
            }
            html.push_str("</figcaption>\n</figure>\n");
        }
        _ => html.push_str("<p>Too short for a loudness curve.</p>\n"),
    }
    html.push_str("</article>\n");
    Ok(())
}

fn schedule(html: &mut String, page: &Page<'_>) {
    html.push_str(&format!(
        "<section id=\"schedule\">\n<h2>Schedule</h2>\n<p>Days left as of {}.</p>\n<table>\n",
        escape(&page.today)
    ));
    html.push_str(&head(&[
        "deliverable",
        "kind",
        "due",
        "days left",
        "status",
    ]));
    html.push_str("<tbody>\n");
    for entry in page.schedule {
        html.push_str(&row(&[
            entry.deliverable.clone(),
            entry.kind.as_str().to_owned(),
            entry
                .due
                .map_or_else(|| "–".to_owned(), |due| due.to_string()),
            entry
                .days_left
                .map_or_else(|| "–".to_owned(), |days| days.to_string()),
            entry.status.as_str().to_owned(),
        ]));
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn cue_sheet(html: &mut String, page: &Page<'_>) {
    html.push_str("<section id=\"cue-sheet\">\n<h2>Cue sheet</h2>\n");
    let listed: Vec<&str> = match page.cue_sheet {
        None => {
            html.push_str("<p>The cue sheet could not be made: a cue's file cannot be read.</p>\n");
            Vec::new()
        }
        Some(sheet) => {
            html.push_str("<table>\n");
            html.push_str(&head(&[
                "cue",
                "title",
                "type",
                "usage",
                "in",
                "out",
                "duration",
                "writers",
                "publishers",
                "artist",
                "ISRC",
            ]));
            html.push_str("<tbody>\n");
            for cue in &sheet.cues {
                let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "–".to_owned());
                html.push_str(&row(&[
                    cue.cue.clone(),
                    cue.title.clone(),
                    cue.cue_type.to_owned(),
                    text(&cue.usage),
                    text(&cue.start),
                    text(&cue.end),
                    text(&cue.duration),
                    parties_text(&cue.writers),
                    parties_text(&cue.publishers),
                    text(&cue.artist),
                    text(&cue.isrc),
                ]));
            }
            html.push_str("</tbody>\n</table>\n");
            sheet.cues.iter().map(|cue| cue.cue.as_str()).collect()
        }
    };
    let others: Vec<&(String, String)> = page
        .cues
        .iter()
        .filter(|(cue, _)| !listed.contains(&cue.as_str()))
        .collect();
    if !others.is_empty() {
        html.push_str("<p>Cues not placed in the picture:</p>\n<ul class=\"cues\">\n");
        for (cue, title) in others {
            html.push_str(&format!("<li>{} {}</li>\n", escape(cue), escape(title)));
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
}

fn rights(html: &mut String, page: &Page<'_>) {
    html.push_str("<section id=\"rights\">\n<h2>Rights</h2>\n");
    if page.rights.is_empty() {
        html.push_str("<p>No cue is used in a target or on an album.</p>\n</section>\n");
        return;
    }
    html.push_str("<table>\n");
    html.push_str(&head(&[
        "cue",
        "title",
        "type",
        "context",
        "cleared",
        "clearances",
    ]));
    html.push_str("<tbody>\n");
    for entry in page.rights {
        let clearances = if entry.clearances.is_empty() {
            "composer agreement".to_owned()
        } else {
            entry
                .clearances
                .iter()
                .map(|clearance| {
                    let mut text = format!("{} {}", clearance.kind, clearance.status);
                    if let Some(license) = &clearance.license {
                        text.push_str(&format!(" ({license})"));
                    }
                    if !clearance.gaps.is_empty() {
                        text.push_str(&format!(": {}", clearance.gaps.join(", ")));
                    }
                    text
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        html.push_str(&row(&[
            entry.cue.clone(),
            entry.title.clone(),
            entry.cue_type.to_owned(),
            format!("{} {}", entry.context.kind, entry.context.name),
            if entry.cleared { "yes" } else { "no" }.to_owned(),
            clearances,
        ]));
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}
