//! What the rules on the delivery schedule read
//! ([`crate::lint::Check::Schedule`]): the model, the day it is checked on
//! and each deliverable's row of the schedule (its due date, days left and
//! status from the last build, see [`crate::report::schedule`]).

use crate::{model::Model, report::schedule::Row, syntax::ast::Date};

/// The schedule of a project on one day.
pub struct Scheduled<'s> {
    pub model: &'s Model,
    /// The day it is checked on (`--today`, else the system's date).
    pub today: Date,
    /// One row per target and album.
    pub rows: &'s [Row],
}
