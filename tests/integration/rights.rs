//! `sndtrk rights`: the clearance matrix.

use crate::{lint::example, test::Test};

#[test]
fn the_example_is_cleared_everywhere() {
    Test::new()
        .recipe(&example())
        .arg("rights")
        .stdout(concat!(
            "CUE  TITLE          CONTEXT              STATUS   CLEARANCE\n",
            "1M1  Harbor Lights  target print_master  cleared  score: composer agreement\n",
            "1M1  Harbor Lights  target stereo        cleared  score: composer agreement\n",
            "1M1  Harbor Lights  target broadcast     cleared  score: composer agreement\n",
            "1M1  Harbor Lights  target me            cleared  score: composer agreement\n",
            "1M1  Harbor Lights  album ost            cleared  score: composer agreement\n",
            "2M3  Ocean Drive    target print_master  cleared  sync: sync_2M3; master: master_2M3\n",
            "2M3  Ocean Drive    target stereo        cleared  sync: sync_2M3; master: master_2M3\n",
            "2M3  Ocean Drive    target broadcast     cleared  sync: sync_2M3; master: master_2M3\n",
            "2M3  Ocean Drive    target me            cleared  sync: sync_2M3; master: master_2M3\n",
            "2M3  Ocean Drive    album ost            cleared  album: album_2M3\n",
            "\n",
            "10 uses: 10 cleared, 0 blocked\n",
        ))
        .run();
}

#[test]
fn blocked_uses_say_what_is_missing() {
    let recipe = example()
        .replace("    territory world\n    media all\n    term 2026-01-01 to 2036-01-01\n    status executed", "    territory [US, GB]\n    media all\n    term 2026-01-01 to 2036-01-01\n    status executed")
        .replace("term 2027-01-01 to 2034-12-31\n    status executed", "term 2027-01-01 to 2034-12-31\n    status pending");
    let ran = Test::new()
        .recipe(&recipe)
        .args(["rights", "--format", "json"])
        .stdout_any()
        .run();
    let entries: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let song: Vec<&serde_json::Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["cue"] == "2M3")
        .collect();
    assert_eq!(song.len(), 5);
    // broadcast is released in GB, DE, FR: the master licence covers GB only.
    assert_eq!(
        *song[2],
        serde_json::json!({
            "cue": "2M3", "title": "Ocean Drive", "type": "song",
            "context": {"kind": "target", "name": "broadcast"},
            "cleared": false,
            "clearances": [
                {"kind": "sync", "status": "cleared", "license": "sync_2M3", "not_executed": [], "gaps": []},
                {"kind": "master", "status": "uncovered", "license": "master_2M3", "not_executed": [], "gaps": ["territory DE, FR"]}
            ]
        })
    );
    assert_eq!(song[0]["clearances"][1]["gaps"][0], "territory world");
    assert_eq!(
        *song[4],
        serde_json::json!({
            "cue": "2M3", "title": "Ocean Drive", "type": "song",
            "context": {"kind": "album", "name": "ost"},
            "cleared": false,
            "clearances": [
                {"kind": "album", "status": "missing", "license": null, "not_executed": ["album_2M3 (pending)"], "gaps": []}
            ]
        })
    );
}

#[test]
fn a_recipe_with_errors_gives_no_matrix() {
    Test::new()
        .recipe(&example().replace("bus MX 5.1 { cues }", "bus MX 5.1 { cues 9M9 }"))
        .arg("rights")
        .status(1)
        .stdout("")
        .stderr_contains("E0204")
        .stderr_contains("1 error, 0 warnings")
        .run();
    Test::new()
        .arg("rights")
        .status(1)
        .stdout("")
        .stderr_contains("cannot read soundtrack.sndtrk")
        .run();
}
