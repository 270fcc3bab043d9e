//! The `lint` declaration: lint codes denied, warned or allowed.

use crate::{
    model::{LintLevel, LintSetting},
    resolve::{interpret::Interpreter, props::Props},
    syntax::ast::Declaration,
};

pub(super) const LINT: &[&str] = &["deny", "warn", "allow"];

impl Interpreter<'_> {
    pub(super) fn lint(&mut self, declaration: &Declaration) -> Vec<LintSetting> {
        let mut props = Props::new(declaration, LINT);
        let d = &mut *self.diagnostics;
        let mut settings = Vec::new();
        for (keyword, level) in [
            ("deny", LintLevel::Deny),
            ("warn", LintLevel::Warn),
            ("allow", LintLevel::Allow),
        ] {
            for codes in props.read_all(keyword, d, |args| {
                Some(args.words("lint codes such as `R007`"))
            }) {
                for code in codes {
                    settings.push(LintSetting { code, level });
                }
            }
        }
        props.finish(d);
        settings
    }
}
