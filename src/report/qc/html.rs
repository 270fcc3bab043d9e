//! Escaping recipe text (names, titles, writers are user text) for HTML.

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe in element text
/// and in quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// An HTML id from a name: letters, digits, `-` and `_` kept, anything
/// else as `_` and its code point, so two names never share an id.
pub fn id(prefix: &str, name: &str) -> String {
    let mut id = prefix.to_owned();
    for character in name.chars() {
        if character.is_ascii_alphanumeric() || character == '-' {
            id.push(character);
        } else {
            id.push_str(&format!("_{:x}", u32::from(character)));
        }
    }
    id
}

/// `<tr>` of `cells`, each escaped and in a `tag` element.
fn cells(tag: &str, cells: &[impl AsRef<str>]) -> String {
    let mut html = String::from("<tr>");
    for cell in cells {
        html.push_str(&format!("<{tag}>{}</{tag}>", escape(cell.as_ref())));
    }
    html.push_str("</tr>");
    html
}

/// One table row of cells, each escaped.
pub fn row(row: &[String]) -> String {
    cells("td", row) + "\n"
}

/// A table's head row.
pub fn head(row: &[&str]) -> String {
    format!("<thead>{}</thead>\n", cells("th", row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            escape(r#"<b>"Tom & Jerry's"</b>"#),
            "&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;"
        );
        assert_eq!(id("d-", "ost/01 A"), "d-ost_2f01_20A");
    }
}
