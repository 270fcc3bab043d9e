//! Output renderers for diagnostics, separate from what produces them.

#[cfg(feature = "cli")]
pub mod human;
pub mod json;
