//! Diagnostics as GitHub Actions workflow commands: each one becomes an
//! annotation on the pull request's diff.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=R002::message`
//! with GitHub's escaping: in the message `%`, `\r` and `\n`; in property
//! values also `:` and `,`.

use crate::{
    diagnostic::{Diagnostic, Severity},
    syntax::source::Sources,
};

/// Renders one workflow command per diagnostic.
pub fn render(diagnostics: &[(&Sources, &Diagnostic)]) -> String {
    let mut text = String::new();
    for (sources, diagnostic) in diagnostics {
        text.push_str(&command(sources, diagnostic));
        text.push('\n');
    }
    text
}

fn command(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let name = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(location) = diagnostic.location(sources) {
        properties.push(format!("file={}", escape_property(&location.file)));
        properties.push(format!("line={}", location.line));
        properties.push(format!("col={}", location.column));
        properties.push(format!("endLine={}", location.end_line));
        properties.push(format!("endColumn={}", location.end_column));
    }
    properties.push(format!("title={}", escape_property(diagnostic.code)));
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Escapes a command's message: `%`, `\r`, `\n`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as [`escape_data`], and `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%d\n"), "a%3Ab%2Cc%25d%0A");
    }
}
