//! Every scenario against `sndtrk lsp`, the binary, over its stdio.

use super::{client::Binary, scenarios};

#[test]
fn typo_in_bus_member_then_fixed() {
    let mut server = Binary::start();
    scenarios::typo_in_bus_member_then_fixed(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn lint_rules_with_their_configuration() {
    let mut server = Binary::start();
    scenarios::lint_rules_with_their_configuration(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn definition() {
    let mut server = Binary::start();
    scenarios::definition(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn hover() {
    let mut server = Binary::start();
    scenarios::hover(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn completion() {
    let mut server = Binary::start();
    scenarios::completion(&mut server);
    assert_eq!(server.shut_down(), 0);
}

/// The edits give what `sndtrk fmt` itself writes to the file.
#[test]
fn formatting() {
    let mut server = Binary::start();
    let (messy, formatted) = scenarios::formatting(&mut server);
    let project = scenarios::Project::new(&messy);
    let (status, _, stderr) = crate::audio_support::project::sndtrk(&project.path(), &["fmt"]);
    assert_eq!(status, 0, "{stderr}");
    let written = std::fs::read_to_string(project.path().join("soundtrack.sndtrk")).unwrap();
    assert_eq!(formatted, written);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn rename_cue() {
    let mut server = Binary::start();
    scenarios::rename_cue(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn references_symbols_folding() {
    let mut server = Binary::start();
    scenarios::references_symbols_folding(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn unsaved_import() {
    let mut server = Binary::start();
    scenarios::unsaved_import(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn hover_on_a_file_stem() {
    let mut server = Binary::start();
    scenarios::hover_on_a_file_stem(&mut server);
    assert_eq!(server.shut_down(), 0);
}

#[test]
fn ranges_in_utf16() {
    let mut server = Binary::start();
    scenarios::ranges_in_utf16(&mut server);
    assert_eq!(server.shut_down(), 0);
}
