//! The ADM BWF master against libmediainfo's Dolby Atmos Master ADM Profile
//! checks: through pymediainfo (which bundles libmediainfo; Debian's
//! mediainfo is too old), run by `adm_conformance.py` with the Python of
//! the virtual environment that `.ci/run` makes (`SNDTRK_TEST_PYTHON`).
//! The master must have no conformance error or warning; a copy with one
//! planted profile error must have one, so the check is known to run.

use std::{path::Path, process::Command};

use crate::adm::{build, RECIPE_OBJECTS};

/// The Python that has pymediainfo.
fn python() -> String {
    std::env::var("SNDTRK_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "set SNDTRK_TEST_PYTHON to the Python of a venv with pymediainfo (.ci/run makes one)"
        )
    })
}

/// libmediainfo's report on the file at `path`.
fn mediainfo(path: &Path) -> serde_json::Value {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/interop/adm_conformance.py");
    let output = Command::new(python())
        .arg(&script)
        .arg(path)
        .output()
        .expect("run pymediainfo");
    assert!(
        output.status.success(),
        "pymediainfo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script's JSON")
}

#[test]
fn the_master_passes_the_dolby_atmos_master_adm_profile_checks() {
    let master = build();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atmos.wav");
    std::fs::write(&path, &master.bytes).unwrap();
    let report = mediainfo(&path);
    assert!(
        report["metadata_format"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ADM"),
        "{report}"
    );
    assert_eq!(
        report["objects"],
        (1 + RECIPE_OBJECTS).to_string(),
        "{report}"
    );
    assert_eq!(report["conformance"], serde_json::json!({}), "{report}");

    // The same file with an object's id in the bed's range (the same
    // length, so no chunk size changes), in a copy: the profile's check
    // reports it.
    let mut planted = master.bytes.clone();
    let mut renamed = 0;
    while let Some(at) = planted.windows(7).position(|window| window == b"AO_100B") {
        planted[at..at + 7].copy_from_slice(b"AO_1002");
        renamed += 1;
    }
    assert_eq!(
        renamed, 2,
        "the master names object AO_100B in its content and itself"
    );
    let broken = dir.path().join("broken.wav");
    std::fs::write(&broken, planted).unwrap();
    let report = mediainfo(&broken);
    let errors = report["conformance"]["conformance_errors"]
        .as_str()
        .unwrap_or("0");
    assert_ne!(errors, "0", "{report}");
    assert!(
        report["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Dolby Atmos Master ADM Profile"),
        "{report}"
    );
}
