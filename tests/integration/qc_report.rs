//! The QC report, `out/reports/index.html`, as every build writes it: its
//! sections, one plot per measured deliverable, every deliverable and cue
//! named with recipe text escaped, no reference to anything outside the
//! page, balanced tags, and the same bytes whatever `-j`. (The headless
//! Chromium check is in `interop::qc_report`.)

use std::{fs, path::Path};

use crate::audio_support::project::{project, sndtrk, RECIPE};

/// The small project with a cue title that needs escaping, a release date,
/// and one more target that is due after it (S001 blocks it).
pub fn recipe() -> String {
    RECIPE
        .replace("\"Theme\"", "\"Tom & Jerry's <Theme>\"")
        .replace(
            "picture_start 01:00:00:00\n}",
            "picture_start 01:00:00:00\n    release 2099-03-14\n}",
        )
        .replace(
            "spec ebu.r128\n}",
            "spec ebu.r128\n    due 2099-03-01\n}\n\ntarget late {\n    from PM\n    layout 2.0 downmix loro\n    format wav 48kHz 24bit\n    due 2099-04-01\n}",
        )
}

/// The measured deliverables of [`recipe`] (all but `late`).
pub const MEASURED: [&str; 5] = ["pm", "stereo", "broadcast", "ost/01", "ost/02"];

/// Builds `recipe()` in a fresh project with `-j jobs`; its directory and
/// report.
pub fn built(jobs: &str) -> (crate::test::Test, String) {
    let test = project(&recipe());
    let dir = test.path();
    let (status, _, stderr) = sndtrk(&dir, &["build", "-j", jobs, "--today", "2099-02-26"]);
    // `late` is blocked by S001: the build fails, and reports.
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("S001"), "{stderr}");
    let html = fs::read_to_string(dir.join("out/reports/index.html")).unwrap();
    (test, html)
}

/// The tags of `html` balance (void elements and `<… />` aside).
fn assert_balanced(html: &str) {
    const VOID: [&str; 6] = ["meta", "br", "img", "hr", "link", "input"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').expect("a tag is closed");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(open.pop().as_deref(), Some(name.as_str()), "</{name}>");
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
}

/// Nothing in `html` loads from elsewhere: no URL in a `src`, `href` or
/// `url(…)`, no script or style sheet from a file, no address at all.
pub fn assert_self_contained(html: &str) {
    for forbidden in [
        "http:", "https:", "src=", "href=", "url(", "<script", "<link", "@import", "<iframe",
    ] {
        assert!(!html.contains(forbidden), "the report holds {forbidden:?}");
    }
}

#[test]
fn the_report_has_every_section_a_plot_per_measured_deliverable_and_escapes_names() {
    let (_test, html) = built("2");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert_balanced(&html);
    assert_self_contained(&html);
    for section in ["deliverables", "schedule", "cue-sheet", "rights"] {
        assert!(
            html.contains(&format!("<section id=\"{section}\">")),
            "{section}"
        );
    }
    assert_eq!(html.matches("<svg").count(), MEASURED.len());
    for name in MEASURED {
        let svg = format!("<svg class=\"plot\" role=\"img\" aria-label=\"{name}\"");
        assert_eq!(html.matches(&svg).count(), 1, "{name}");
        assert!(
            html.contains(&format!("data-deliverable=\"{name}\"")),
            "{name}"
        );
    }
    // The blocked target is named, with why, and has no plot.
    assert!(html.contains("data-deliverable=\"late\""));
    assert!(html.contains("blocked by S001"));
    // Every cue, escaped; the raw title appears nowhere.
    assert!(html.contains("Tom &amp; Jerry&#39;s &lt;Theme&gt;"));
    assert!(!html.contains("<Theme>"));
    assert!(html.contains(">2M1<") && html.contains(">1M1<"));
    // Measurements and specs.
    for piece in [
        "netflix.surround",
        "ebu.r128",
        "album.streaming",
        "WAV 48 kHz 24-bit",
        "WAV 44.1 kHz 16-bit",
        "5.1 (L R C LFE Ls Rs)",
        "integrated loudness",
        "dialogue-gated loudness",
        "against -23 LUFS ±0.5 LU",
        "true peak",
        "sample peak",
        "LRA",
    ] {
        assert!(html.contains(piece), "{piece}");
    }
    // The plots' time axes in timecode from the programme's start.
    assert!(html.contains("01:00:00:00"));
    // The schedule, on the day the build was told.
    assert!(html.contains("Days left as of 2099-02-26."));
    assert!(html
        .contains("<td>broadcast</td><td>target</td><td>2099-03-01</td><td>3</td><td>ready</td>"));
    assert!(
        html.contains("<td>late</td><td>target</td><td>2099-04-01</td><td>34</td><td>blocked</td>")
    );
}

#[test]
fn the_report_is_the_same_whatever_the_number_of_jobs() {
    let (_one, serial) = built("1");
    let (_four, parallel) = built("4");
    assert_eq!(serial, parallel);
}

#[test]
fn a_build_with_nothing_changed_writes_the_same_report() {
    let (test, first) = built("2");
    let dir = test.path();
    let (status, _, _) = sndtrk(&dir, &["build", "--today", "2099-02-26"]);
    assert_eq!(status, 1);
    let again = fs::read_to_string(Path::new(&dir).join("out/reports/index.html")).unwrap();
    assert_eq!(first, again);
}
