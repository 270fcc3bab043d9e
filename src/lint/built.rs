//! What the rules that run after a build read ([`crate::lint::Check::Built`]).

use crate::{
    lower::{RenderPlan, StageId},
    model::Model,
    stages::Measurement,
};

/// What a build made: the model and render plan it rendered, and the
/// measurement of each target it measured.
pub struct Built<'b> {
    pub model: &'b Model,
    pub plan: &'b RenderPlan,
    /// Each measurement stage's id (`measure:NAME` of a target,
    /// `album-measure:NAME` of an album as one) and its measurement, in the
    /// order the build reported them.
    pub measurements: Vec<(StageId, Measurement)>,
}
