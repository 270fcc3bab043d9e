//! Output renderers for diagnostics, separate from what produces them. The
//! human, SARIF and GitHub renderers serve the command line alone, and are
//! there with its feature (`cli`).

#[cfg(feature = "cli")]
pub(crate) mod github;
#[cfg(feature = "cli")]
pub(crate) mod human;
pub mod json;
#[cfg(feature = "cli")]
pub(crate) mod sarif;
