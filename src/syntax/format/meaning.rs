//! What "formatting keeps the meaning" compares, for the formatter's tests
//! (`format/tests.rs`) and its fuzz target (`fuzz/fuzz_targets/fmt.rs`).
//!
//! The formatter promises that its output parses to the same tree as its
//! input, spans aside, and keeps every comment: [`without_spans`] erases a
//! tree's spans, so that two trees compare equal when they say the same
//! thing, and [`comment_texts`] lists a text's comments.

use crate::{
    syntax::ast::{Argument, Body, File, Value},
    syntax::comment::comments,
    syntax::span::{SourceId, Span},
};

/// `file` with every span set to `0..0` in `SourceId(0)`: two trees that
/// differ only in layout (or source) are equal once their spans are erased.
pub fn without_spans(mut file: File) -> File {
    let zero = zero();
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
                    if let Some((keyword, name)) = &mut member.downmix {
                        *keyword = zero;
                        name.span = zero;
                    }
                }
            }
        }
    }
    file
}

/// The comments of `text` as written, sorted.
pub fn comment_texts(text: &str) -> Vec<String> {
    let mut texts: Vec<String> = comments(text)
        .iter()
        .map(|comment| comment.text(text).to_owned())
        .collect();
    texts.sort();
    texts
}

fn zero() -> Span {
    Span::new(SourceId(0), 0, 0)
}

fn erase(argument: &mut Argument) {
    argument.span = zero();
    if let Value::List(items) = &mut argument.value {
        for item in items {
            item.span = zero();
            item.values.iter_mut().for_each(erase);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::parse;

    #[test]
    fn the_same_recipe_laid_out_otherwise_has_the_same_tree() {
        let tree = |text: &str| {
            let (file, diagnostics) = parse(SourceId(0), text);
            assert!(diagnostics.is_empty(), "{text}\n{diagnostics:#?}");
            without_spans(file)
        };
        let one_line = "spec tv { layout [2.0, 5.1] rate 48kHz }";
        let spread = "spec tv {\n    layout [ 2.0 , 5.1 ]\n\n    rate 48kHz\n}\n";
        assert_eq!(tree(one_line), tree(spread));
        assert_ne!(tree(one_line), tree("spec tv { layout [2.0] rate 48kHz }"));
    }

    #[test]
    fn comments_are_listed_as_written_and_sorted() {
        let text = "// b\nstem dx { } /* a */\n";
        assert_eq!(comment_texts(text), ["/* a */", "// b"]);
    }
}
