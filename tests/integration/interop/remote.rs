//! The remote cache against a real server: Debian's nginx-light with
//! WebDAV `PUT`, configured by `ci/nginx-remote-cache.conf` and started on
//! loopback by `.ci/run`, which exports its URL (`SNDTRK_TEST_NGINX_URL`),
//! the directory it stores into (`SNDTRK_TEST_NGINX_ROOT`) and its access
//! log (`SNDTRK_TEST_NGINX_LOG`). Each test keeps to its own path under
//! the URL, so they share the server without seeing each other's objects.

use std::{
    fs,
    path::{Path, PathBuf},
    time::Instant,
};

use crate::{
    audio_support::project::{copy_dir, project, RECIPE},
    remote::{built, delivered, flat, tally, warnings},
};

fn variable(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the nginx remote cache tests need the server `.ci/run` starts \
             (nginx-light with ci/nginx-remote-cache.conf on loopback)"
        )
    })
}

/// This test's cache: its URL and the directory nginx keeps it in.
fn cache(test: &str) -> (String, PathBuf) {
    let url = format!("{}/{test}", variable("SNDTRK_TEST_NGINX_URL"));
    let root = PathBuf::from(variable("SNDTRK_TEST_NGINX_ROOT")).join(test);
    let _ = fs::remove_dir_all(&root);
    (url, root)
}

/// `PUT`s in nginx's access log for this test's path.
fn puts(test: &str) -> usize {
    fs::read_to_string(variable("SNDTRK_TEST_NGINX_LOG"))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains(&format!("\"PUT /{test}/")))
        .count()
}

/// A fresh copy of the example project under `dir`.
fn example(dir: &Path) -> PathBuf {
    let project = dir.join("night-harbor");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/night-harbor"),
        &project,
    );
    project
}

#[test]
fn interop_nginx_a_second_clone_renders_nothing_and_sends_no_put() {
    let (url, root) = cache("second-clone");
    let first_dir = tempfile::tempdir().unwrap();
    let first = example(first_dir.path());
    let started = Instant::now();
    let (statuses, _) = built(&first, &["--remote-cache", &url, "--remote-upload"], &[]);
    let local = started.elapsed();
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert!(root.join("sndtrk-v1/ac").is_dir() && root.join("sndtrk-v1/cas").is_dir());
    let uploaded = puts("second-clone");
    assert!(uploaded > 0);

    let second_dir = tempfile::tempdir().unwrap();
    let second = example(second_dir.path());
    let started = Instant::now();
    let (statuses, ran) = built(&second, &["--remote-cache", &url], &[]);
    let fetched = started.elapsed();
    assert_eq!(
        tally(&statuses),
        [("fetched", statuses.len())].into_iter().collect(),
        "{}",
        ran.stdout
    );
    assert_eq!(delivered(&second), delivered(&first));
    assert_eq!(
        puts("second-clone"),
        uploaded,
        "the second clone sent a PUT"
    );
    eprintln!("local build with uploads {local:?}, second clone fetching {fetched:?}");
}

#[test]
fn interop_nginx_every_object_damaged_still_delivers_the_right_bytes() {
    let (url, root) = cache("damaged");
    let first = project(RECIPE);
    built(
        &first.path(),
        &["--remote-cache", &url, "--remote-upload"],
        &[],
    );
    let mut damaged = 0;
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let mut bytes = fs::read(entry.path()).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x20;
            fs::write(entry.path(), bytes).unwrap();
            damaged += 1;
        }
    }
    assert!(damaged > 0);
    let second = project(RECIPE);
    let (statuses, ran) = built(&second.path(), &["--remote-cache", &url], &[]);
    assert!(
        statuses.values().all(|status| status == "ran"),
        "{statuses:?}"
    );
    assert_eq!(delivered(&second.path()), delivered(&first.path()));
    assert_eq!(warnings(&ran.stderr).len(), 1, "{}", ran.stderr);
    assert!(flat(&ran.stderr).contains("damaged"), "{}", ran.stderr);
}
