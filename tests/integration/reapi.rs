//! The REAPI (gRPC) remote cache without a server of its own (feature
//! `reapi`): a server that is down, one that accepts connections and never
//! answers, a required one that fails. The gRPC path against a real
//! server, BuildGrid, is in `interop/reapi.rs`.

use std::{
    net::TcpListener,
    time::{Duration, Instant},
};

use crate::{
    audio_support::project::{project, RECIPE},
    remote::{build_in, built, delivered, flat, warnings},
};

/// A `grpc://` URL on a loopback port nothing listens on.
fn nothing_listening() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("grpc://{}/main", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[test]
fn reapi_a_server_that_is_down_costs_a_local_build_and_one_warning() {
    let reference = project(RECIPE);
    built(&reference.path(), &[], &[]);
    let clone = project(RECIPE);
    let started = Instant::now();
    let (statuses, ran) = built(
        &clone.path(),
        &["--remote-cache", &nothing_listening()],
        &[],
    );
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert_eq!(warnings(&ran.stderr).len(), 1, "{}", ran.stderr);
    assert!(
        flat(&ran.stderr).contains("it was off for the rest of the build"),
        "{}",
        ran.stderr
    );
    assert_eq!(delivered(&clone.path()), delivered(&reference.path()));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn reapi_a_server_that_never_answers_times_out_and_the_build_goes_on() {
    // Accepts connections (the kernel completes the handshake) and never
    // says a word of HTTP/2.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("grpc://{}/main", listener.local_addr().unwrap());
    let clone = project(RECIPE).write(
        "sndtrk.toml",
        format!("[remote]\nurl = \"{url}\"\nio_timeout = 0.4\nconnect_timeout = 0.4\n"),
    );
    let started = Instant::now();
    let (statuses, ran) = built(&clone.path(), &[], &[]);
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert_eq!(warnings(&ran.stderr).len(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("timed out") || ran.stderr.contains("timeout"),
        "{}",
        ran.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    drop(listener);
}

#[test]
fn reapi_a_required_cache_that_is_down_fails_the_build_at_once() {
    let clone = project(RECIPE);
    let started = Instant::now();
    let ran = build_in(
        &clone.path(),
        &["--remote-cache", &nothing_listening(), "--remote-required"],
        &[],
    );
    assert_eq!(ran.status, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("E0723"), "{}", ran.stderr);
    assert!(ran.stdout.is_empty(), "nothing built: {}", ran.stdout);
    assert!(!clone.path().join("out").exists());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn reapi_a_bad_grpc_url_is_a_settings_error() {
    let clone = project(RECIPE);
    let ran = build_in(
        &clone.path(),
        &["--remote-cache", "grpc://u:secret@h:1/x/blobs"],
        &[],
    );
    assert_eq!(ran.status, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("E0724"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("secret"), "{}", ran.stderr);
}
