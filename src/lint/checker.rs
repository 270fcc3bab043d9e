//! What every rule reads: the model and what it derives once for all rules.

use crate::{
    model::clearance::{contexts_of_cues, Context},
    model::reach::Reach,
    model::Model,
};

/// The resolved model with each target's mix and each cue's uses.
pub struct Checker<'m> {
    pub model: &'m Model,
    /// The stems and cues reaching each target, indexed like `model.targets`.
    pub mixes: Vec<Reach>,
    /// The contexts each cue is used in, indexed like `model.cues`.
    pub uses: Vec<Vec<Context>>,
}

impl<'m> Checker<'m> {
    /// Derives every target's mix and every cue's uses once, for all rules.
    pub fn new(model: &'m Model) -> Self {
        let mixes = Reach::of_all_targets(model);
        let uses = contexts_of_cues(model, &mixes);
        Self { model, mixes, uses }
    }
}
