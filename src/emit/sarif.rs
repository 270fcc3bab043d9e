//! Diagnostics as a SARIF 2.1.0 log, the format GitHub code scanning and
//! other review tools import: one run whose tool driver lists every lint
//! rule with its help text, and one result per diagnostic with its rule,
//! level, message and region (1-based lines and columns, counted in Unicode
//! code points).

use serde_json::{json, Value};

use crate::{
    diagnostic::{Diagnostic, Severity},
    lint::RULES,
    syntax::source::Sources,
};

/// Where people can read about sndtrk (the driver's `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/sndtrk/sndtrk";

/// The SARIF 2.1.0 schema the output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders `diagnostics` as one pretty-printed SARIF document.
pub fn render(diagnostics: &[(&Sources, &Diagnostic)]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let help = rule.help_text();
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": help },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": level(rule.default_severity) },
            })
        })
        .collect();
    let mut rules = rules;
    // Resolution errors (E-codes) are not lint rules; each code reported
    // gets a descriptor too, so every result's ruleId names a rule.
    let mut other_codes: Vec<&str> = Vec::new();
    for (_, diagnostic) in diagnostics {
        if !RULES.iter().any(|rule| rule.code == diagnostic.code)
            && !other_codes.contains(&diagnostic.code)
        {
            other_codes.push(diagnostic.code);
            rules.push(json!({
                "id": diagnostic.code,
                "shortDescription": { "text": format!("sndtrk recipe error {}", diagnostic.code) },
                "defaultConfiguration": { "level": "error" },
            }));
        }
    }
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|(sources, diagnostic)| result(sources, diagnostic, &rules))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "sndtrk",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(sources: &Sources, diagnostic: &Diagnostic, rules: &[Value]) -> Value {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": diagnostic.code,
        "level": level(diagnostic.severity),
        "message": { "text": text },
    });
    if let Some(index) = rules.iter().position(|rule| rule["id"] == diagnostic.code) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(location) = diagnostic.location(sources) {
        let mut region = json!({
            "startLine": location.line,
            "startColumn": location.column,
            "endLine": location.end_line,
            "endColumn": location.end_column,
        });
        if let Some(label) = &diagnostic.label {
            region["message"] = json!({ "text": label });
        }
        result["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&location.file) },
                "region": region,
            }
        }]);
    }
    result
}

/// A relative URI reference for a file name: forward slashes, with spaces
/// and other characters outside RFC 3986's unreserved set percent-encoded.
pub fn uri(file: &str) -> String {
    let file = file.replace('\\', "/");
    let file = file.strip_prefix("./").unwrap_or(&file);
    let mut text = String::new();
    for byte in file.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                text.push(byte as char)
            }
            _ => text.push_str(&format!("%{byte:02X}")),
        }
    }
    text
}
