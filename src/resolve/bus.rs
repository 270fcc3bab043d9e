//! The `bus` declaration: its members, their gains and the downmixes they
//! name.

use crate::{
    diagnostic::Diagnostic,
    model::{Bus, BusMember, Named},
    resolve::{
        args::WRONG_ARGUMENT,
        gain::check_gain,
        interpret::{named, Interpreter},
    },
    syntax::ast::{Declaration, Value},
};

impl Interpreter<'_> {
    pub(super) fn bus(&mut self, declaration: &Declaration, name: Named) -> Bus {
        let members = match &declaration.body {
            crate::syntax::ast::Body::Members { members, .. } => members
                .iter()
                .map(|member| {
                    let gain_db = member
                        .gain
                        .as_ref()
                        .and_then(|argument| match &argument.value {
                            Value::Quantity {
                                value,
                                unit: crate::syntax::unit::Unit::Db,
                                ..
                            } => Some(*value),
                            Value::Misspelt {
                                value,
                                unit: crate::syntax::unit::Unit::Db,
                                ..
                            } => {
                                self.diagnostics
                                    .extend(crate::resolve::args::misspelt_unit(argument));
                                Some(*value)
                            }
                            _ => {
                                self.diagnostics.push(
                                    Diagnostic::error(
                                        WRONG_ARGUMENT,
                                        format!(
                                            "a bus member's gain is in dB, found {}",
                                            argument.value.describe()
                                        ),
                                    )
                                    .at(argument.span, "expected a gain such as `-3dB`")
                                    .help("write the member's gain in dB, such as `MX -3dB`"),
                                );
                                None
                            }
                        });
                    let gain_db = gain_db.and_then(|gain| {
                        check_gain(
                            self.diagnostics,
                            gain,
                            member.gain.as_ref().map_or(member.span, |g| g.span),
                        )
                    });
                    BusMember {
                        name: named(&member.name),
                        target: None,
                        gain_db: gain_db.unwrap_or(0.0),
                        downmix: member.downmix.as_ref().map(|(_, name)| named(name)),
                        span: member.span,
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        Bus {
            layout: declaration
                .layout
                .as_ref()
                .map_or_else(|| name.clone(), named),
            name,
            members,
            span: declaration.span,
        }
    }
}
