//! What the rules that run after a build read ([`crate::lint::Check::Built`]).

use crate::{lower::RenderPlan, model::Model, stages::Measurement};

/// What a build made: the model and render plan it rendered, and the
/// measurement of each target it measured.
pub struct Built<'b> {
    pub model: &'b Model,
    pub plan: &'b RenderPlan,
    /// Each measured target's name and measurement, in the order the build
    /// reported them.
    pub measurements: Vec<(&'b str, Measurement)>,
}
