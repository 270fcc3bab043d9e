//! Byte offsets in a text and the protocol's positions: a zero-based line
//! and a column counted in UTF-16 code units (the protocol's default
//! encoding), so that `Björk` or an emoji in a string lands where the editor
//! shows it.

use lsp_types::{Position, Range};

/// Where each line of a text starts.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        Self { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and moved back to
    /// the start of the character it falls inside).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.encode_utf16().count());
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of `position`; a line past the end gives the end of
    /// the text, a column past the end of its line the end of the line.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        let line = self.text.get(start..end).unwrap_or_default();
        let mut units = 0;
        for (index, character) in line.char_indices() {
            if units >= position.character as usize {
                return start + index;
            }
            units += character.len_utf16();
        }
        // Before a `\r` that ends the line, or at its end.
        start + line.len()
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The range of the whole text.
    pub fn whole(&self) -> Range {
        self.range(0, self.text.len())
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_code_units() {
        let text = "writer \"Björk 🎵\" x\nnext";
        let index = LineIndex::new(text);
        let x = text.find(" x").unwrap() + 1;
        // `writer "Bj` 10, `ö` 1, `rk ` 3, the emoji 2, `" ` 2.
        assert_eq!(index.position(x), Position::new(0, 18));
        assert_eq!(index.offset(Position::new(0, 18)), x);
        assert_eq!(index.position(text.len()), Position::new(1, 4));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        let emoji = "🎵";
        assert_eq!(LineIndex::new(emoji).position(1), Position::new(0, 0));
    }
}
