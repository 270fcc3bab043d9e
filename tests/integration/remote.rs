//! The shared remote cache, end to end with the real binary against the
//! in-process server of `remote_server.rs` on loopback: a second clone
//! fetches what the first uploaded and renders nothing, byte for byte the
//! same; and each safety rule: read-only by default, poisoned and missing
//! blobs, damaged manifests, a refused upload, a server that is down,
//! failing or hanging, a required cache, concurrent uploaders, the token.

use std::{
    collections::BTreeMap,
    fs,
    path::Path,
    time::{Duration, Instant},
};

use crate::{
    audio_support::project::{project, statuses, RECIPE},
    remote_server::{nothing_listening, CacheServer, Mode},
    test::{Ran, Test},
};
use sndtrk::engine::key::Digest;

/// `sndtrk build --format json ARGS` in `dir` with `envs`, any status.
pub(crate) fn build_in(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Ran {
    let mut test = Test::at(dir)
        .args(["build", "--format", "json"])
        .args(args.iter().copied())
        .status_any()
        .stdout_any()
        .stderr_any();
    for (name, value) in envs {
        test = test.env(name, value);
    }
    test.run()
}

/// A build that must succeed; each stage's status.
pub(crate) fn built(
    dir: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> (BTreeMap<String, String>, Ran) {
    let ran = build_in(dir, args, envs);
    assert_eq!(
        ran.status, 0,
        "build failed\n{}\n{}",
        ran.stdout, ran.stderr
    );
    (statuses(&ran.stdout), ran)
}

/// Every file under `out/`, with the blake3 of its bytes.
pub(crate) fn delivered(dir: &Path) -> BTreeMap<String, String> {
    let out = dir.join("out");
    walkdir::WalkDir::new(&out)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let name = entry.path().strip_prefix(&out).unwrap();
            let bytes = fs::read(entry.path()).unwrap();
            (name.display().to_string(), Digest::of(&bytes).to_hex())
        })
        .collect()
}

/// The statuses that occur, with how many stages have each.
pub(crate) fn tally(statuses: &BTreeMap<String, String>) -> BTreeMap<&str, usize> {
    let mut tally = BTreeMap::new();
    for status in statuses.values() {
        *tally.entry(status.as_str()).or_default() += 1;
    }
    tally
}

/// One clone built with uploads on against `server`: its deliverables.
fn upload_from_a_clone(server: &CacheServer) -> (Test, BTreeMap<String, String>) {
    let first = project(RECIPE);
    let (statuses, _) = built(
        &first.path(),
        &["--remote-cache", &server.url, "--remote-upload"],
        &[],
    );
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert_eq!(server.names("ac").len(), statuses.len());
    let out = delivered(&first.path());
    assert!(!out.is_empty());
    (first, out)
}

/// A run's standard error on one line: the wrapping and the report's
/// margin taken out.
pub(crate) fn flat(stderr: &str) -> String {
    stderr
        .split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// The remote cache's warnings (`⚠` lines) in a run's standard error
/// (the recipe has a lint warning of its own).
pub(crate) fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| {
            line.contains('⚠')
                && (line.contains("remote cache") || line.contains("SNDTRK_REMOTE_TOKEN"))
        })
        .collect()
}

#[test]
fn remote_a_second_clone_fetches_everything_renders_nothing_and_writes_nothing() {
    let server = CacheServer::start();
    let (_first, expected) = upload_from_a_clone(&server);
    let puts = server.puts();
    let second = project(RECIPE);
    let (statuses, ran) = built(&second.path(), &["--remote-cache", &server.url], &[]);
    assert_eq!(
        tally(&statuses),
        BTreeMap::from([("fetched", statuses.len())]),
        "{}",
        ran.stdout
    );
    assert_eq!(delivered(&second.path()), expected);
    assert_eq!(
        server.puts(),
        puts,
        "a build without --remote-upload sent a PUT"
    );
    assert!(warnings(&ran.stderr).is_empty(), "{}", ran.stderr);
    let summary = ran.stdout.lines().last().unwrap();
    assert!(summary.contains("\"fetched\":"), "{summary}");
    // Fetched outputs are recorded: the next build is all fresh, offline.
    let (again, _) = built(
        &second.path(),
        &["--remote-cache", &nothing_listening()],
        &[],
    );
    assert!(again.values().all(|status| status == "fresh"), "{again:?}");
}

#[test]
fn remote_the_cache_is_named_by_the_environment_or_sndtrk_toml_and_explain_says_fetched() {
    let server = CacheServer::start();
    let (_first, expected) = upload_from_a_clone(&server);
    let by_env = project(RECIPE);
    let (statuses, _) = built(&by_env.path(), &[], &[("SNDTRK_REMOTE_CACHE", &server.url)]);
    assert!(
        statuses.values().all(|status| status == "fetched"),
        "{statuses:?}"
    );
    assert_eq!(delivered(&by_env.path()), expected);

    let by_file = project(RECIPE).write(
        "sndtrk.toml",
        format!("[remote]\nurl = \"{}\"\n", server.url),
    );
    let ran = Test::at(&by_file.path())
        .args(["build", "--explain"])
        .status_any()
        .stderr_any()
        .run();
    assert_eq!(ran.status, 0, "{}", ran.stderr);
    assert!(
        ran.stderr
            .lines()
            .any(|line| line.starts_with("fetched target:")
                && line.ends_with("its output is in the remote cache")),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains(" fetched, 0 fresh"), "{}", ran.stderr);
    assert_eq!(delivered(&by_file.path()), expected);
}

#[test]
fn remote_plan_says_which_stages_the_remote_cache_would_serve() {
    let server = CacheServer::start();
    let (_first, _) = upload_from_a_clone(&server);
    let second = project(RECIPE);
    let gets = server.gets();
    let plan = Test::at(&second.path())
        .args(["plan", "--format", "json", "--remote-cache", &server.url])
        .stdout_any()
        .run();
    let planned = statuses(&plan.stdout);
    assert!(
        planned.values().all(|status| status == "fetched"),
        "{}",
        plan.stdout
    );
    // Nothing but manifests is downloaded by a plan.
    assert_eq!(server.gets() - gets, planned.len());
    assert!(
        !second.path().join(".sndtrk/objects").exists() || delivered(&second.path()).is_empty()
    );
    let local = Test::at(&second.path())
        .args(["plan", "--format", "json"])
        .stdout_any()
        .run();
    assert!(statuses(&local.stdout)
        .values()
        .all(|status| status == "stale"));
}

#[test]
fn remote_a_build_without_remote_upload_sends_no_put() {
    let server = CacheServer::start();
    let clone = project(RECIPE);
    let (statuses, _) = built(&clone.path(), &["--remote-cache", &server.url], &[]);
    assert!(statuses.values().all(|status| status == "ran"));
    assert_eq!(server.puts(), 0);
    // SNDTRK_REMOTE_UPLOAD=1 is CI's switch.
    let ci = project(RECIPE);
    built(
        &ci.path(),
        &["--remote-cache", &server.url],
        &[("SNDTRK_REMOTE_UPLOAD", "1")],
    );
    assert!(server.puts() > 0);
    // Blobs are not sent twice: a second uploader finds them there.
    let puts = server.puts();
    let again = project(RECIPE).write("extra.txt", "x");
    let (fetched, _) = built(
        &again.path(),
        &["--remote-cache", &server.url, "--remote-upload"],
        &[],
    );
    assert!(fetched.values().all(|status| status == "fetched"));
    assert_eq!(server.puts(), puts, "fetched stages are not uploaded again");
}

#[test]
fn remote_poisoned_blobs_are_discarded_with_a_warning_and_rendered_locally() {
    for mode in [Mode::PoisonBlobs, Mode::PoisonAll] {
        let server = CacheServer::start();
        let (_first, expected) = upload_from_a_clone(&server);
        server.set_mode(mode);
        let second = project(RECIPE);
        let (statuses, ran) = built(&second.path(), &["--remote-cache", &server.url], &[]);
        assert_rendered_locally(&ran.stdout, &format!("{mode:?}: {statuses:?}"));
        assert_eq!(delivered(&second.path()), expected, "{mode:?}");
        let warned = warnings(&ran.stderr);
        assert_eq!(warned.len(), 1, "{mode:?}: {}", ran.stderr);
        assert!(warned[0].contains("damaged"), "{}", ran.stderr);
        assert!(ran.stderr.contains("E0721"), "{}", ran.stderr);
        assert_store_is_sound(&second.path());
    }
}

/// Every stage of a build rendered locally; one may be fetched only when
/// its output is the very object another stage of this build rendered
/// first (two dialogue gates of the same stems): the remote action names a
/// blob the local store already holds, so nothing from the server's blobs
/// is read.
fn assert_rendered_locally(stdout: &str, context: &str) {
    let outputs: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line.get("stage").is_some())
        .map(|line| {
            (
                line["status"].as_str().unwrap_or_default().to_owned(),
                line["output"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(!outputs.is_empty(), "{context}");
    let rendered: Vec<&str> = outputs
        .iter()
        .filter(|(status, _)| status == "ran")
        .map(|(_, output)| output.as_str())
        .collect();
    assert!(
        outputs.iter().all(|(status, output)| status == "ran"
            || status == "fetched" && rendered.contains(&output.as_str())),
        "{context}"
    );
}

/// Every object in the project's store hashes to its name.
fn assert_store_is_sound(dir: &Path) {
    let objects = dir.join(".sndtrk/objects");
    let mut count = 0;
    for entry in walkdir::WalkDir::new(&objects).min_depth(2).max_depth(2) {
        let entry = entry.unwrap();
        let shard = entry.path().parent().unwrap().file_name().unwrap();
        if shard == "tmp" || !entry.file_type().is_file() {
            continue;
        }
        let name = format!(
            "{}{}",
            shard.to_string_lossy(),
            entry.file_name().to_string_lossy()
        );
        let bytes = fs::read(entry.path()).unwrap();
        assert_eq!(
            Digest::of(&bytes).to_hex(),
            name,
            "a damaged object in the store"
        );
        count += 1;
    }
    assert!(count > 0);
}

#[test]
fn remote_a_manifest_whose_blob_is_missing_is_a_miss() {
    let server = CacheServer::start();
    let (_first, expected) = upload_from_a_clone(&server);
    server.set_mode(Mode::LoseBlobs);
    let second = project(RECIPE);
    let (statuses, ran) = built(&second.path(), &["--remote-cache", &server.url], &[]);
    assert_rendered_locally(&ran.stdout, &format!("{statuses:?}"));
    assert!(warnings(&ran.stderr).is_empty(), "{}", ran.stderr);
    assert_eq!(delivered(&second.path()), expected);
}

#[test]
fn remote_a_refused_upload_is_one_warning_and_leaves_no_manifest() {
    let server = CacheServer::start();
    server.set_mode(Mode::RefusePuts);
    let clone = project(RECIPE);
    let (statuses, ran) = built(
        &clone.path(),
        &["--remote-cache", &server.url, "--remote-upload"],
        &[],
    );
    assert!(statuses.values().all(|status| status == "ran"));
    let warned = warnings(&ran.stderr);
    assert_eq!(warned.len(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("413"), "{}", ran.stderr);
    assert!(ran.stderr.contains("E0720"), "{}", ran.stderr);
    assert!(server.names("ac").is_empty() && server.names("cas").is_empty());
    // After a few failures it stopped trying: far fewer PUTs than stages.
    assert!(server.puts() <= 3 + 4, "{} PUTs", server.puts());
}

#[test]
fn remote_a_server_that_is_down_or_failing_costs_a_local_build_and_one_warning() {
    let failing = CacheServer::start();
    failing.set_mode(Mode::Fail);
    let reference = project(RECIPE);
    let local_started = Instant::now();
    built(&reference.path(), &[], &[]);
    let local = local_started.elapsed();
    let expected = delivered(&reference.path());
    for url in [nothing_listening(), failing.url.clone()] {
        let clone = project(RECIPE);
        let started = Instant::now();
        let (statuses, ran) = built(&clone.path(), &["--remote-cache", &url], &[]);
        let elapsed = started.elapsed();
        assert!(
            statuses.values().all(|status| status == "ran"),
            "{statuses:?}"
        );
        let warned = warnings(&ran.stderr);
        assert_eq!(warned.len(), 1, "{}", ran.stderr);
        assert!(
            flat(&ran.stderr).contains("it was off for the rest of the build"),
            "{}",
            ran.stderr
        );
        assert_eq!(delivered(&clone.path()), expected);
        assert!(
            elapsed < local * 3 + Duration::from_secs(3),
            "{url}: {elapsed:?} against {local:?} locally"
        );
    }
}

#[test]
fn remote_a_hanging_server_times_out_and_the_build_goes_on_locally() {
    let server = CacheServer::start();
    server.set_mode(Mode::Hang);
    let clone = project(RECIPE).write(
        "sndtrk.toml",
        format!(
            "[remote]\nurl = \"{}\"\nio_timeout = 0.4\nconnect_timeout = 0.4\n",
            server.url
        ),
    );
    let started = Instant::now();
    let (statuses, ran) = built(&clone.path(), &[], &[]);
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert_eq!(warnings(&ran.stderr).len(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("timeout") || ran.stderr.contains("timed out"),
        "{}",
        ran.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn remote_a_required_cache_that_fails_fails_the_build_at_once() {
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
    // A server that answers but fails on the way fails the stages.
    let server = CacheServer::start();
    let reachable = project(RECIPE);
    let (_, _) = built(&reachable.path(), &["--remote-cache", &server.url], &[]);
    server.set_mode(Mode::Fail);
    let changed = project(&RECIPE.replace("-36dBFS", "-37dBFS"));
    let ran = build_in(
        &changed.path(),
        &["--remote-cache", &server.url],
        &[("SNDTRK_REMOTE_REQUIRED", "1")],
    );
    assert_eq!(ran.status, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("E0723"), "{}", ran.stderr);
}

#[test]
fn remote_concurrent_uploaders_of_one_key_leave_a_sound_cache() {
    let server = CacheServer::start();
    let clones: Vec<Test> = (0..3).map(|_| project(RECIPE)).collect();
    let children: Vec<_> = clones
        .iter()
        .map(|clone| {
            Test::at(&clone.path())
                .args(["build", "--remote-cache", &server.url, "--remote-upload"])
                .spawn()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let expected = delivered(&clones[0].path());
    for clone in &clones[1..] {
        assert_eq!(delivered(&clone.path()), expected);
    }
    let last = project(RECIPE);
    let (statuses, ran) = built(&last.path(), &["--remote-cache", &server.url], &[]);
    assert!(
        statuses.values().all(|status| status == "fetched"),
        "{}",
        ran.stdout
    );
    assert_eq!(delivered(&last.path()), expected);
}

#[test]
fn remote_only_stages_that_ran_are_uploaded() {
    // A broken stem blocks what reads it (the engine's own test of a stage
    // that fails is `engine::remote::tests`): what did not run has no
    // manifest.
    let server = CacheServer::start();
    let broken = project(RECIPE);
    fs::write(broken.path().join("stems/dx.wav"), b"not a wav file").unwrap();
    let ran = build_in(
        &broken.path(),
        &["--remote-cache", &server.url, "--remote-upload"],
        &[],
    );
    assert_eq!(ran.status, 1);
    let statuses = statuses(&ran.stdout);
    let ran_ok = statuses.values().filter(|status| *status == "ran").count();
    assert!(ran_ok > 0);
    assert_eq!(server.names("ac").len(), ran_ok, "{statuses:?}");
}

#[test]
fn remote_the_token_goes_only_to_loopback_or_tls_and_is_never_printed() {
    let server = CacheServer::start();
    let clone = project(RECIPE);
    let token = "s3cr3t-token-value";
    let (_, ran) = built(
        &clone.path(),
        &["--remote-cache", &server.url, "--remote-upload"],
        &[("SNDTRK_REMOTE_TOKEN", token)],
    );
    let sent = server.authorizations();
    assert!(!sent.is_empty());
    assert!(sent
        .iter()
        .all(|header| header.as_deref() == Some("Bearer s3cr3t-token-value")));
    assert!(!ran.stdout.contains(token) && !ran.stderr.contains(token));
    server.set_mode(Mode::Fail);
    let failing = project(&RECIPE.replace("-36dBFS", "-38dBFS"));
    let (_, ran) = built(
        &failing.path(),
        &["--remote-cache", &server.url],
        &[("SNDTRK_REMOTE_TOKEN", token)],
    );
    assert!(
        !ran.stdout.contains(token) && !ran.stderr.contains(token),
        "{}",
        ran.stderr
    );
    // Plain HTTP to another host: withheld, with a warning (a documentation
    // address that routes nowhere, so nothing is sent anywhere).
    let elsewhere = project(RECIPE).write(
        "sndtrk.toml",
        "[remote]\nurl = \"http://192.0.2.1:9\"\nconnect_timeout = 0.3\n",
    );
    let (_, ran) = built(&elsewhere.path(), &[], &[("SNDTRK_REMOTE_TOKEN", token)]);
    assert!(ran.stderr.contains("E0722"), "{}", ran.stderr);
    assert!(!ran.stderr.contains(token));
}

#[cfg(not(feature = "reapi"))]
#[test]
fn remote_grpc_urls_need_the_reapi_feature() {
    let clone = project(RECIPE);
    let ran = build_in(
        &clone.path(),
        &["--remote-cache", "grpc://127.0.0.1:1/main"],
        &[],
    );
    assert_eq!(ran.status, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("E0724"), "{}", ran.stderr);
    assert!(
        flat(&ran.stderr).contains("built without REAPI (gRPC) support"),
        "{}",
        ran.stderr
    );
    assert!(!clone.path().join("out").exists());
}
