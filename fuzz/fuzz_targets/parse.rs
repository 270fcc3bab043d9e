//! Feeds arbitrary text to the parser; what parses cleanly must format to a
//! fixed point, and every diagnostic must point inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sndtrk::{syntax::format::format, syntax::parse::parse, syntax::span::SourceId};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, diagnostics) = parse(SourceId(0), text);
    for diagnostic in &diagnostics {
        let span = diagnostic.span.expect("every syntax diagnostic has a span");
        assert!(text.get(span.range()).is_some(), "{diagnostic:?}");
    }
    if !diagnostics.iter().any(|diagnostic| diagnostic.is_error()) {
        let once = format(text).expect("a recipe that parses formats");
        assert_eq!(format(&once).expect("formatted text parses"), once);
    }
});
