//! Incremental builds of an immersive scene: an edit to an object
//! re-renders only what it reaches, and leaves `out/` byte-identical to a
//! clean build of the edited recipe.
//!
//! - a path edit reaches the master's metadata and the re-renders, never
//!   the object's own stage (its audio) nor the bed;
//! - an object's gain reaches its stage, the master and the re-renders, not
//!   the other objects nor the bed;
//! - a bed stem's gain reaches the bed, the master and the re-renders, not
//!   the objects.

use std::{collections::BTreeSet, fs, path::Path};

use crate::{audio_support::project::build, outputs::outputs};

fn recipe(gull_path: &str, gull_gain: &str, dx_gain: &str) -> String {
    format!(
        r#"project "Scene" {{ frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }}

import "std/layouts"
import "std/delivery/netflix"

stem dx {{ role dialogue layout 1.0 tone 220Hz -24dBFS for 4s pan C at 01:00:00:00 gain {dx_gain} }}
stem amb {{ role ambience layout 7.1.2 noise pink -40dBFS for 4s at 01:00:00:00 }}
bus BED 7.1.2 {{ dx amb }}

object buoy {{ role effects tone 660Hz -30dBFS for 3s at 01:00:00:12 position 0.5 1 0 }}
object gull {{
    role effects
    tone 1.5kHz -32dBFS for 4s
    at 01:00:00:00
    gain {gull_gain}
    path [{gull_path}]
}}

immersive harbor {{ bed BED objects [buoy, gull] }}

target atmos {{ from harbor format adm 48kHz 24bit spec netflix.atmos }}
target home_714 {{ from harbor layout 7.1.4 format wav 48kHz 24bit }}
target home_51 {{ from harbor layout 5.1 format wav 48kHz 24bit spec netflix.atmos }}
"#
    )
}

const PATH: &str = "01:00:00:00 -1 -1 0.2, 01:00:02:00 0 0 1, 01:00:03:00 jump 1 1 0";
const MOVED: &str = "01:00:00:00 -1 -1 0.2, 01:00:02:00 0.5 0 1, 01:00:03:00 jump 1 1 0";

/// The stages a build ran.
fn ran(dir: &Path) -> BTreeSet<String> {
    build(dir, &[])
        .into_iter()
        .filter(|(_, status)| status == "ran")
        .map(|(stage, _)| stage)
        .collect()
}

/// `out/` of a clean build of `dir`'s recipe, in a fresh copy.
fn clean_outputs(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let fresh = tempfile::tempdir().unwrap();
    fs::write(
        fresh.path().join("soundtrack.sndtrk"),
        fs::read(dir.join("soundtrack.sndtrk")).unwrap(),
    )
    .unwrap();
    build(fresh.path(), &[]);
    outputs(fresh.path())
}

fn set(stages: &[&str]) -> BTreeSet<String> {
    stages.iter().map(|stage| stage.to_string()).collect()
}

#[test]
fn object_edits_rebuild_only_what_they_reach_and_as_a_clean_build() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let write = |text: String| fs::write(dir.join("soundtrack.sndtrk"), text).unwrap();
    write(recipe(PATH, "0dB", "0dB"));
    let first = ran(dir);
    assert!(first.contains("object:gull") && first.contains("bus:BED"));
    let deliverables = [
        "target:atmos",
        "measure:atmos",
        "target:home_714",
        "measure:home_714",
        "target:home_51",
        "measure:home_51",
    ];

    // The path: the master's blocks and the re-renders, nothing upstream.
    write(recipe(MOVED, "0dB", "0dB"));
    assert_eq!(ran(dir), set(&deliverables), "a path edit");
    assert_eq!(outputs(dir), clean_outputs(dir), "a path edit");

    // The object's gain: its stage too, not the other object's.
    write(recipe(MOVED, "-4dB", "0dB"));
    let mut expected = set(&deliverables);
    expected.insert("object:gull".to_owned());
    assert_eq!(ran(dir), expected, "an object's gain");
    assert_eq!(outputs(dir), clean_outputs(dir), "an object's gain");

    // A bed stem's gain: the bed and the dialogue gates, not the objects.
    write(recipe(MOVED, "-4dB", "-2dB"));
    let again = ran(dir);
    assert!(again.contains("bus:BED"), "{again:?}");
    assert!(
        !again.iter().any(|stage| stage.starts_with("object:")),
        "a bed edit re-rendered an object: {again:?}"
    );
    assert_eq!(outputs(dir), clean_outputs(dir), "a bed edit");

    // Back to the first recipe: the cache restores it, running nothing.
    write(recipe(PATH, "0dB", "0dB"));
    assert_eq!(ran(dir), BTreeSet::new(), "a revert");
}
