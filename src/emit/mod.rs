//! Output renderers for diagnostics, separate from what produces them.

pub mod github;
#[cfg(feature = "cli")]
pub mod human;
pub mod json;
pub mod sarif;
