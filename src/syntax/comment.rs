//! Comments recovered from a recipe's text.
//!
//! The grammar treats comments as trivia, so the syntax tree has none. The
//! formatter (and later inline lint suppressions) find them again here by a
//! plain scan of the text: outside a string, `//` runs to the end of its line
//! and `/*` to the next `*/`. The scan is only meaningful for text that
//! parsed without syntax errors, where no other token holds a `/` or `"`.

/// One comment, with where it sits relative to the code around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the `//` or `/*`.
    pub start: usize,
    /// Byte offset just after the comment; for a line comment, after its
    /// last non-blank character (trailing blanks and `\r` are not part of it).
    pub end: usize,
    /// `//` (true) or `/* */` (false).
    pub line: bool,
    /// Nothing but blanks precedes it on its line: it stands on its own line
    /// rather than trailing code.
    pub own_line: bool,
    /// A line break (or the end of the text) follows it before any code.
    pub break_after: bool,
    /// At least one blank line separates it from what precedes it.
    pub blank_before: bool,
}

impl Comment {
    /// The comment's text as written.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or_default()
    }

    /// Whether the comment forces a line break around it: it stands on its
    /// own line or something after it goes on the next line.
    pub fn breaks_line(&self) -> bool {
        self.own_line || self.break_after
    }
}

/// Every comment in `text`, in order.
pub fn comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        match bytes[position] {
            b'"' => position = string_end(bytes, position),
            b'/' if bytes.get(position + 1) == Some(&b'/') => {
                let line_end = text[position..]
                    .find('\n')
                    .map_or(text.len(), |end| position + end);
                let end = position + text[position..line_end].trim_end().len();
                found.push(comment(text, position, end, true));
                position = line_end;
            }
            b'/' if bytes.get(position + 1) == Some(&b'*') => {
                let end = text[position + 2..]
                    .find("*/")
                    .map_or(text.len(), |end| position + 2 + end + 2);
                found.push(comment(text, position, end, false));
                position = end;
            }
            _ => position += 1,
        }
    }
    found
}

fn comment(text: &str, start: usize, end: usize, line: bool) -> Comment {
    let after = text[end..].trim_start_matches([' ', '\t', '\r']);
    Comment {
        start,
        end,
        line,
        own_line: starts_line(text, start),
        break_after: line || after.is_empty() || after.starts_with('\n'),
        blank_before: blank_line_before(text, start),
    }
}

/// The offset just after the string whose opening quote is at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut position = start + 1;
    while position < bytes.len() {
        match bytes[position] {
            b'\\' => position += 2,
            b'"' => return position + 1,
            b'\n' => return position,
            _ => position += 1,
        }
    }
    bytes.len()
}

/// The blanks the grammar skips, except line breaks.
fn is_blank(character: char) -> bool {
    matches!(character, ' ' | '\t' | '\r' | '\u{FEFF}')
}

/// Whether only blanks precede `position` on its line.
pub fn starts_line(text: &str, position: usize) -> bool {
    match text[..position].chars().rev().find(|&c| !is_blank(c)) {
        None | Some('\n') => true,
        Some(_) => false,
    }
}

/// Whether a blank line (two line breaks with only blanks between) precedes
/// `position`, counting back to the previous code or comment.
pub fn blank_line_before(text: &str, position: usize) -> bool {
    text[..position]
        .chars()
        .rev()
        .take_while(|&c| is_blank(c) || c == '\n')
        .filter(|&c| c == '\n')
        .nth(1)
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        comments(source)
            .iter()
            .map(|comment| comment.text(source))
            .collect()
    }

    #[test]
    fn finds_line_and_block_comments_outside_strings() {
        let source = "// one  \r\nstem a { file \"x // not /* a comment\" /* two\n lines */ role x }// three";
        assert_eq!(texts(source), ["// one", "/* two\n lines */", "// three"]);
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let source = "project \"a \\\" // b\" { } // c";
        assert_eq!(texts(source), ["// c"]);
    }

    #[test]
    fn classifies_position() {
        let source = "a\n\n  // own\nb /* trailing */ c /* end */\n";
        let found = comments(source);
        assert_eq!(found.len(), 3);
        assert!(found[0].own_line && found[0].blank_before && found[0].break_after);
        assert!(!found[1].own_line && !found[1].blank_before && !found[1].break_after);
        assert!(!found[2].own_line && found[2].break_after);
        assert!(found[0].line && !found[1].line);
    }

    #[test]
    fn first_comment_of_a_file_stands_on_its_own_line() {
        let found = comments("\u{FEFF}/* a */ stem");
        assert!(found[0].own_line && !found[0].break_after && !found[0].blank_before);
    }
}
