//! The formatter (`sndtrk fmt`): for any recipe (arbitrary bytes, lossily
//! as UTF-8) that parses without errors, the formatted text parses without
//! errors, to the same tree (spans aside), keeps every comment, and is a
//! fixed point: formatting it again changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sndtrk::{
    diagnostic::Diagnostic,
    syntax::ast::{Argument, Body, File, Value},
    syntax::comment::comments,
    syntax::format::format,
    syntax::parse::parse,
    syntax::span::{SourceId, Span},
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

/// The tree of `text` with every span zeroed, if it parses without errors.
fn parsed(text: &str) -> Option<File> {
    let (mut file, diagnostics) = parse(SourceId(0), text);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    let zero = Span::new(SourceId(0), 0, 0);
    for declaration in &mut file.declarations {
        declaration.keyword = zero;
        declaration.span = zero;
        for name in [&mut declaration.name, &mut declaration.layout]
            .into_iter()
            .flatten()
        {
            name.span = zero;
        }
        if let Some(title) = &mut declaration.title {
            title.span = zero;
        }
        match &mut declaration.body {
            Body::None => {}
            Body::Block { properties, span } => {
                *span = zero;
                for property in properties {
                    property.span = zero;
                    property.keyword.span = zero;
                    property.arguments.iter_mut().for_each(erase);
                }
            }
            Body::Members { members, span } => {
                *span = zero;
                for member in members {
                    member.span = zero;
                    member.name.span = zero;
                    member.gain.iter_mut().for_each(erase);
                }
            }
        }
    }
    Some(file)
}

fn erase(argument: &mut Argument) {
    argument.span = Span::new(SourceId(0), 0, 0);
    if let Value::List(items) = &mut argument.value {
        for item in items {
            item.span = Span::new(SourceId(0), 0, 0);
            item.values.iter_mut().for_each(erase);
        }
    }
}

/// The comments of `text` as written, sorted.
fn comment_texts(text: &str) -> Vec<String> {
    let mut texts: Vec<String> = comments(text)
        .iter()
        .map(|comment| comment.text(text).to_owned())
        .collect();
    texts.sort();
    texts
}
