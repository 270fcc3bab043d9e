//! Coverage: the territories and media a licence or target covers.

use crate::{
    model::{Coverage, Spanned},
    resolve::args::Args,
};

/// Media a deliverable is released in and a licence may cover.
pub const MEDIA: &[&str] = &[
    "theatrical",
    "streaming",
    "broadcast",
    "home_video",
    "airline",
    "festival",
    "online",
];

/// `world`/`all`, a single word, or a list of words.
pub(super) fn coverage(
    args: &mut Args<'_, '_>,
    everything: &str,
    expected: &str,
) -> Option<Spanned<Coverage>> {
    let span = args.property_span();
    if args.eat(everything).is_some() {
        return Some(Spanned {
            value: Coverage::Everything,
            span,
        });
    }
    let words = args.words(expected);
    if words.is_empty() {
        return None;
    }
    if let Some(word) = words.iter().find(|word| word.name == everything) {
        return args.out_of_range(
            word.span,
            format!("`{everything}` in a list"),
            &format!("write `{everything}` alone, or list what is covered"),
        );
    }
    Some(Spanned {
        value: Coverage::Only(words),
        span,
    })
}
