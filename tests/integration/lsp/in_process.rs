//! Every scenario against the server in this process.

use super::{client::InProcess, scenarios};

#[test]
fn typo_in_bus_member_then_fixed() {
    scenarios::typo_in_bus_member_then_fixed(&mut InProcess::new());
}

#[test]
fn lint_rules_with_their_configuration() {
    scenarios::lint_rules_with_their_configuration(&mut InProcess::new());
}

#[test]
fn definition() {
    scenarios::definition(&mut InProcess::new());
}

#[test]
fn hover() {
    scenarios::hover(&mut InProcess::new());
}

#[test]
fn completion() {
    scenarios::completion(&mut InProcess::new());
}

#[test]
fn formatting() {
    let _ = scenarios::formatting(&mut InProcess::new());
}

#[test]
fn rename_cue() {
    scenarios::rename_cue(&mut InProcess::new());
}

#[test]
fn references_symbols_folding() {
    scenarios::references_symbols_folding(&mut InProcess::new());
}

#[test]
fn unsaved_import() {
    scenarios::unsaved_import(&mut InProcess::new());
}

#[test]
fn hover_on_a_file_stem() {
    scenarios::hover_on_a_file_stem(&mut InProcess::new());
}

#[test]
fn ranges_in_utf16() {
    scenarios::ranges_in_utf16(&mut InProcess::new());
}
