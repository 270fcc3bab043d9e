//! A reader that goes away early (`sndtrk plan --format json | head -1`)
//! ends sndtrk quietly, as it ends `cat`: no panic, nothing on stderr.

use std::process::{Command, Stdio};

use crate::audio_support::project::{project, RECIPE};

#[test]
fn a_closed_pipe_ends_the_process_without_a_panic() {
    let project = project(RECIPE);
    for args in [
        &["plan", "--format", "json"][..],
        &["check", "--format", "json"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sndtrk"))
            .arg("-C")
            .arg(project.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader closes before sndtrk has printed anything.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}
