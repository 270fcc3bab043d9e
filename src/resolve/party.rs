//! Parties to a cue: writers and publishers, with their society and share.

use crate::{model::Party, resolve::args::Args, syntax::unit::Dimension};

/// `writer "Name" [society WORD] [share N%]`
pub(super) fn party(args: &mut Args<'_, '_>) -> Option<Party> {
    let name = args.text("a name in quotes")?;
    let mut party = Party {
        name: name.value,
        society: None,
        share: None,
        span: args.property_span(),
    };
    loop {
        if args.eat("society").is_some() {
            party.society = Some(args.word("a society such as `ASCAP`")?);
        } else if args.eat("share").is_some() {
            let share = args.quantity(Dimension::Share)?;
            if share.value <= 0.0 || share.value > 100.0 {
                return args.out_of_range(
                    share.span,
                    format!("a share of {}% is out of range", share.value),
                    "a share lies above 0% and at most 100%",
                );
            }
            party.share = Some(share);
        } else {
            return Some(party);
        }
    }
}
