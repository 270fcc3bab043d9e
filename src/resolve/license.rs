//! The `license` declaration: kind, cue, licensor, territory, media, term and
//! status.

use crate::{
    model::{License, LicenseKind, LicenseStatus, Named, Spanned, Term},
    resolve::{coverage::coverage, interpret::Interpreter, props::Props},
    syntax::ast::Declaration,
};

pub(super) const LICENSE: &[&str] = &[
    "kind",
    "cue",
    "licensor",
    "territory",
    "media",
    "term",
    "status",
];

impl Interpreter<'_> {
    pub(super) fn license(&mut self, declaration: &Declaration, name: Named) -> License {
        let mut props = Props::new(declaration, LICENSE);
        let d = &mut *self.diagnostics;
        let kind = props.read("kind", d, |args| {
            let word = args.choice(&["sync", "master", "album"])?;
            let value = match word.name.as_str() {
                "sync" => LicenseKind::Sync,
                "master" => LicenseKind::Master,
                _ => LicenseKind::Album,
            };
            Some(Spanned {
                value,
                span: word.span,
            })
        });
        let kind = props.require(kind, "kind", "kind sync", d);
        let cue = props.read("cue", d, |args| {
            args.word("the cue it covers, such as `1M1`")
        });
        let cue = props.require(cue, "cue", "cue 1M1", d);
        let licensor = props.read("licensor", d, |args| {
            args.text("the licensor's name in quotes")
        });
        let territory = props.read("territory", d, |args| {
            coverage(args, "world", "territories such as `world` or `[GB, DE]`")
        });
        let media = props.read("media", d, |args| {
            coverage(
                args,
                "all",
                "media such as `all` or `[streaming, broadcast]`",
            )
        });
        let term = props.read("term", d, |args| {
            let start = args.date()?;
            args.expect("to")?;
            let end = if args.eat("perpetuity").is_some() {
                None
            } else {
                Some(args.date()?)
            };
            if let Some(end) = end {
                if end.value < start.value {
                    return args.out_of_range(
                        end.span,
                        format!(
                            "the term ends on {} before it starts on {}",
                            end.value, start.value
                        ),
                        "write `term START to END` with END after START, or `to perpetuity`",
                    );
                }
            }
            Some(Term {
                start: start.value,
                end: end.map(|end| end.value),
                span: args.property_span(),
            })
        });
        let status = props.read("status", d, |args| {
            let word = args.choice(&["quoted", "pending", "executed"])?;
            let value = match word.name.as_str() {
                "quoted" => LicenseStatus::Quoted,
                "pending" => LicenseStatus::Pending,
                _ => LicenseStatus::Executed,
            };
            Some(Spanned {
                value,
                span: word.span,
            })
        });
        let status = props.require(status, "status", "status executed", d);
        props.finish(d);
        License {
            name,
            kind,
            cue,
            licensor,
            territory,
            media,
            term,
            status,
            span: declaration.span,
        }
    }
}
