//! Whole-document formatting through `sndtrk fmt`'s formatter: one edit
//! that replaces the text with the canonical layout, none when it is
//! already canonical or does not parse.

use lsp_types::TextEdit;

use crate::{lsp::position::LineIndex, syntax::format::format};

/// The edits that make `text` what `sndtrk fmt` writes; `None` when the
/// text has syntax errors (the formatter leaves such a file alone).
pub fn edits(text: &str) -> Option<Vec<TextEdit>> {
    let formatted = format(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(LineIndex::new(text).whole(), formatted)])
}
