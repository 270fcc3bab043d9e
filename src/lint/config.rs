//! Severities from the recipe's `lint { deny R007 warn C005 allow D005 }`
//! block: `deny` makes a rule an error, `warn` a warning, `allow` silences
//! it. A code that names no rule is itself an error (E0220).

use std::collections::HashMap;

use crate::lint::registry::RESERVED;
use crate::{
    diagnostic::{Diagnostic, Severity},
    lint::{Rule, RULES},
    model::{LintLevel, Model, Named},
    syntax::keyword::closest,
};

/// E0220: a lint code that names no rule.
pub const UNKNOWN_LINT_CODE: &str = crate::diagnostic::codes::E0220.code;

/// The configured level of each code the recipe mentions.
#[derive(Debug, Default)]
pub struct Settings {
    levels: HashMap<String, LintLevel>,
}

impl Settings {
    /// Reads the model's `lint` settings; unknown codes are reported.
    pub fn from_model(model: &Model) -> (Settings, Vec<Diagnostic>) {
        let mut settings = Settings::default();
        let mut diagnostics = Vec::new();
        for setting in &model.lint {
            match check_code(&setting.code) {
                Ok(()) => {
                    settings
                        .levels
                        .insert(setting.code.name.clone(), setting.level);
                }
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
        (settings, diagnostics)
    }

    /// The severity of `rule`'s diagnostics, `None` when allowed.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.severity_of(rule.code, rule.default_severity)
    }

    /// The severity of diagnostics of `code` (a rule, or a reserved code
    /// such as D007, which the build reports) whose default is `default`;
    /// `None` when allowed.
    pub fn severity_of(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.levels.get(code) {
            None => Some(default),
            Some(LintLevel::Deny) => Some(Severity::Error),
            Some(LintLevel::Warn) => Some(Severity::Warning),
            Some(LintLevel::Allow) => None,
        }
    }
}

/// Whether `code` names a lint rule (or a reserved code).
pub fn is_known(code: &str) -> bool {
    RULES.iter().any(|rule| rule.code == code) || RESERVED.contains(&code)
}

/// `Ok` for a known lint code, else an E0220 diagnostic at the code.
pub fn check_code(code: &Named) -> Result<(), Box<Diagnostic>> {
    if is_known(&code.name) {
        return Ok(());
    }
    let codes = RULES.iter().map(|rule| rule.code);
    let diagnostic = Diagnostic::error(
        UNKNOWN_LINT_CODE,
        format!("`{}` is not a lint code", code.name),
    )
    .at(code.span, "unknown lint code");
    let upper = code.name.to_ascii_uppercase();
    let help = if let Some(known) = codes.clone().find(|known| *known == upper) {
        format!("lint codes are upper case: `{known}`")
    } else if let Some(suggestion) = closest(&code.name, codes) {
        format!("did you mean `{suggestion}`?")
    } else {
        "lint codes are R001–R009 (rights), C001–C006 (cue sheet) and D001–D007 (delivery)"
            .to_owned()
    };
    Err(Box::new(diagnostic.help(help)))
}
