//! The QC report in headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs): the page renders (its DOM and a screenshot), with one plot
//! per measured deliverable and every deliverable and cue named, and the
//! page starts no network request (Chromium's own net log, where a request
//! the page makes has the page's origin as its initiator; the browser's
//! own background requests have none, "not an origin").

use std::{fs, path::Path, process::Command};

use crate::qc_report::{assert_self_contained, built, MEASURED};

/// Runs headless Chromium on `page` with a fresh profile and a net log,
/// printing the DOM (and writing a screenshot to `screenshot`); the DOM
/// and the net log.
fn chromium(page: &Path, scratch: &Path, screenshot: Option<&Path>) -> (String, String) {
    let profile = scratch.join("profile");
    let net_log = scratch.join("net-log.json");
    let url = format!("file://{}", page.display());
    let mut command = Command::new("chromium");
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,4000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command.arg(format!("--log-net-log={}", net_log.display()));
    match screenshot {
        Some(path) => command.arg(format!("--screenshot={}", path.display())),
        None => command.arg("--dump-dom"),
    };
    let output = command.arg(&url).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `chromium` ({e}): the interop tests need it on the PATH \
             (`bash .ci/run` installs it; `cargo test` without `--features interop` does not)"
        )
    });
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = fs::read_to_string(&net_log).unwrap_or_default();
    (String::from_utf8(output.stdout).unwrap(), log)
}

/// The URLs of the requests in a net log that a page started (an
/// initiator other than the browser itself).
fn page_requests(net_log: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(net_log).expect("a net log");
    let types = log["constants"]["logEventTypes"].as_object().unwrap();
    let start = types["URL_REQUEST_START_JOB"].as_u64().unwrap();
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        // The job's start (its end carries no parameters).
        .filter(|event| event["type"].as_u64() == Some(start) && event["params"]["url"].is_string())
        .filter(|event| event["params"]["initiator"].as_str() != Some("not an origin"))
        .map(|event| {
            event["params"]["url"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn the_report_renders_in_chromium_with_every_plot_and_loads_nothing() {
    let (test, html) = built("2");
    assert_self_contained(&html);
    let dir = test.path();
    let page = fs::canonicalize(dir.join("out/reports/index.html")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let (dom, net_log) = chromium(&page, scratch.path(), None);
    assert!(dom.contains("<h1>Small</h1>"), "{dom}");
    assert_eq!(dom.matches("<svg ").count(), MEASURED.len(), "{dom}");
    for name in MEASURED {
        assert!(
            dom.contains(&format!("aria-label=\"{name}\"")),
            "no plot of {name}"
        );
    }
    for name in ["pm", "stereo", "broadcast", "late", "ost/01", "ost/02"] {
        assert!(
            dom.contains(&format!("data-deliverable=\"{name}\"")),
            "{name}"
        );
    }
    for cue in ["1M1", "2M1", "Tom &amp; Jerry's &lt;Theme&gt;", "Coda"] {
        assert!(dom.contains(cue), "{cue}");
    }
    // Every plot has its lines and its timecode axis.
    assert!(dom.matches("<polyline").count() >= 3 * MEASURED.len());
    assert!(dom.contains("01:00:00:00"));
    assert_eq!(page_requests(&net_log), Vec::<String>::new());
    // It renders to pixels too.
    let png = scratch.path().join("report.png");
    chromium(&page, &scratch.path().join("shot"), Some(&png));
    let bytes = fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000);
}

/// The net-log check sees a request a page makes (so an empty list above
/// means something).
#[test]
fn the_net_log_shows_a_request_a_page_makes() {
    let scratch = tempfile::tempdir().unwrap();
    let page = scratch.path().join("fetches.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>",
    )
    .unwrap();
    let (_, net_log) = chromium(&page, scratch.path(), None);
    assert_eq!(page_requests(&net_log), ["http://127.0.0.1:9/x.png"]);
}
