//! The REAPI (gRPC) remote cache against a real server: BuildGrid (PyPI
//! `buildgrid` 0.4.4, in a virtual environment), configured by
//! `ci/buildgrid-cache.yml` and started on loopback by `.ci/run`, which
//! exports its URL (`SNDTRK_TEST_BUILDGRID_URL`, `grpc://127.0.0.1:PORT`)
//! and the directory its CAS instances keep their blobs in
//! (`SNDTRK_TEST_BUILDGRID_ROOT`). Each test has an instance of its own
//! (`grpc://…/<instance>`), so they share the server without seeing each
//! other's entries, and may damage or remove what the server stores.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use sha2::{Digest as _, Sha256};

use crate::{
    audio_support::project::{project, statuses, RECIPE},
    remote::{built, delivered, flat, tally, warnings},
    test::Test,
};

fn variable(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the REAPI tests need the BuildGrid server `.ci/run` starts \
             (ci/buildgrid-cache.yml on loopback)"
        )
    })
}

/// This test's instance: its URL and the directory its CAS is kept in,
/// emptied of blobs (BuildGrid's directories stay; its ActionCache may
/// still hold entries from an earlier run, but their blobs are gone, so
/// they are misses).
fn cache(instance: &str) -> (String, PathBuf) {
    let url = format!("{}/{instance}", variable("SNDTRK_TEST_BUILDGRID_URL"));
    let root = PathBuf::from(variable("SNDTRK_TEST_BUILDGRID_ROOT")).join(instance);
    for path in stored(&root) {
        let _ = fs::remove_file(path);
    }
    (url, root)
}

/// Every file the server keeps for an instance.
fn stored(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| entry.into_path())
        .collect()
}

fn sha256(path: &Path) -> String {
    Sha256::digest(fs::read(path).unwrap())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// One clone built with uploads on: it rendered everything.
fn upload(url: &str) -> (Test, BTreeMap<String, String>) {
    let first = project(RECIPE);
    let (statuses, ran) = built(
        &first.path(),
        &["--remote-cache", url, "--remote-upload"],
        &[],
    );
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert!(warnings(&ran.stderr).is_empty(), "{}", ran.stderr);
    let out = delivered(&first.path());
    assert!(!out.is_empty());
    (first, out)
}

#[test]
fn interop_reapi_a_second_clone_renders_nothing_and_writes_nothing() {
    let (url, root) = cache("clone");
    let (first, expected) = upload(&url);
    let kept = stored(&root);
    assert!(
        !kept.is_empty(),
        "BuildGrid stored nothing under {}",
        root.display()
    );

    let second = project(RECIPE);
    let (statuses, ran) = built(&second.path(), &["--remote-cache", &url], &[]);
    assert_eq!(
        tally(&statuses),
        BTreeMap::from([("fetched", statuses.len())]),
        "{}",
        ran.stdout
    );
    assert_eq!(delivered(&second.path()), expected);
    assert_eq!(stored(&root), kept, "a read-only build wrote to the CAS");
    // Each stage's region index came down with its output, as the first
    // clone left it. (Not the trees of block hashes beside them: a local
    // hint, made again by the first patch in place.)
    let indexes = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        fs::read_dir(dir.join(".sndtrk/regions"))
            .unwrap()
            .map(|entry| entry.unwrap())
            .filter(|entry| !entry.file_name().to_string_lossy().ends_with(".tree"))
            .map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                (name, fs::read(entry.path()).unwrap())
            })
            .collect()
    };
    let theirs = indexes(&first.path());
    assert!(!theirs.is_empty());
    assert_eq!(indexes(&second.path()), theirs);

    // Read-only by default: an edit rendered without --remote-upload is
    // not in the cache for the next clone that makes the same edit.
    let edited = RECIPE.replace("-36dBFS", "-37dBFS");
    let third = project(&edited);
    let (statuses, _) = built(&third.path(), &["--remote-cache", &url], &[]);
    let rendered: BTreeSet<_> = statuses
        .iter()
        .filter(|(_, status)| *status == "ran")
        .map(|(stage, _)| stage.clone())
        .collect();
    assert!(!rendered.is_empty(), "{statuses:?}");
    assert_eq!(stored(&root), kept, "a read-only build wrote to the CAS");
    let fourth = project(&edited);
    let (statuses, _) = built(&fourth.path(), &["--remote-cache", &url], &[]);
    for stage in &rendered {
        assert_eq!(statuses[stage], "ran", "{stage} was uploaded: {statuses:?}");
    }
    assert_eq!(delivered(&fourth.path()), delivered(&third.path()));
}

#[test]
fn interop_reapi_every_object_damaged_still_delivers_the_right_bytes() {
    let (url, root) = cache("damaged");
    let (_first, expected) = upload(&url);
    let files = stored(&root);
    assert!(!files.is_empty());
    for path in &files {
        let mut bytes = fs::read(path).unwrap();
        if bytes.is_empty() {
            continue;
        }
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x20;
        fs::write(path, bytes).unwrap();
    }
    let second = project(RECIPE);
    let (statuses, ran) = built(&second.path(), &["--remote-cache", &url], &[]);
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert_eq!(delivered(&second.path()), expected);
    assert_eq!(warnings(&ran.stderr).len(), 1, "{}", ran.stderr);
    // And the store took nothing damaged: a third build is all fresh.
    let (statuses, _) = built(&second.path(), &[], &[]);
    assert!(
        statuses.values().all(|status| status == "fresh"),
        "{statuses:?}"
    );
}

#[test]
fn interop_reapi_a_result_whose_output_is_missing_is_a_miss() {
    let (url, root) = cache("missing");
    let (first, expected) = upload(&url);
    // The stage outputs, by their SHA-256: every object of the first
    // clone's store. Remove them from the server; the manifests stay.
    let outputs: BTreeSet<String> = walkdir::WalkDir::new(first.path().join(".sndtrk/objects"))
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| sha256(entry.path()))
        .collect();
    let mut removed = 0;
    for path in stored(&root) {
        if outputs.contains(&sha256(&path)) {
            fs::remove_file(&path).unwrap();
            removed += 1;
        }
    }
    assert!(removed > 0);
    let second = project(RECIPE);
    let (statuses, ran) = built(&second.path(), &["--remote-cache", &url], &[]);
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert!(
        warnings(&ran.stderr).is_empty(),
        "a miss is not a failure: {}",
        ran.stderr
    );
    assert_eq!(delivered(&second.path()), expected);
}

#[test]
fn interop_reapi_concurrent_uploaders_of_one_key_leave_a_sound_cache() {
    let (url, _root) = cache("concurrent");
    let clones: Vec<Test> = (0..3).map(|_| project(RECIPE)).collect();
    let children: Vec<_> = clones
        .iter()
        .map(|clone| {
            Test::at(&clone.path())
                .args(["build", "--remote-cache", &url, "--remote-upload"])
                .spawn()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(warnings(&stderr).is_empty(), "{stderr}");
    }
    let expected = delivered(&clones[0].path());
    for clone in &clones[1..] {
        assert_eq!(delivered(&clone.path()), expected);
    }
    let last = project(RECIPE);
    let (statuses, ran) = built(&last.path(), &["--remote-cache", &url], &[]);
    assert!(
        statuses.values().all(|status| status == "fetched"),
        "{}",
        ran.stdout
    );
    assert_eq!(delivered(&last.path()), expected);
}

#[test]
fn interop_reapi_plan_and_explain_say_what_the_cache_serves() {
    let (url, _root) = cache("plan");
    let (_first, _) = upload(&url);
    let second = project(RECIPE);
    let plan = Test::at(&second.path())
        .args(["plan", "--format", "json", "--remote-cache", &url])
        .stdout_any()
        .run();
    let planned = statuses(&plan.stdout);
    assert!(
        planned.values().all(|status| status == "fetched"),
        "{}",
        plan.stdout
    );
    let explained = Test::at(&second.path())
        .args(["build", "--explain", "--remote-cache", &url])
        .stdout_any()
        .stderr_any()
        .run();
    assert!(
        flat(&explained.stdout).contains("fetched") || flat(&explained.stderr).contains("fetched"),
        "{}\n{}",
        explained.stdout,
        explained.stderr
    );
}
