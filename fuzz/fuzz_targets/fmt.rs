//! The formatter (`sndtrk fmt`): for any recipe (arbitrary bytes, lossily
//! as UTF-8) that parses without errors, the formatted text parses without
//! errors, to the same tree (spans aside), keeps every comment, and is a
//! fixed point: formatting it again changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sndtrk::{
    diagnostic::Diagnostic,
    syntax::ast::File,
    syntax::format::format,
    syntax::format::meaning::{comment_texts, without_spans},
    syntax::parse::parse,
    syntax::span::SourceId,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(tree) = parsed(&text) else {
        return;
    };
    let once = match format(&text) {
        Ok(once) => once,
        Err(diagnostics) => panic!("a recipe that parses does not format: {diagnostics:#?}"),
    };
    let Some(again) = parsed(&once) else {
        panic!("the formatted recipe does not parse:\n{once}");
    };
    assert_eq!(again, tree, "formatting changed the tree:\n{once}");
    assert_eq!(
        comment_texts(&once),
        comment_texts(&text),
        "formatting lost or changed a comment:\n{once}"
    );
    let twice = format(&once).expect("the formatted recipe parses");
    assert_eq!(twice, once, "formatting is not idempotent");
});

/// The tree of `text` with every span erased, if it parses without errors.
fn parsed(text: &str) -> Option<File> {
    let (file, diagnostics) = parse(SourceId(0), text);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    Some(without_spans(file))
}
