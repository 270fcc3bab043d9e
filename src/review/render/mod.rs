//! The comparison printed: for people ([`human`]), for scripts ([`json`])
//! and as a pull-request comment ([`markdown`]).

pub mod human;
pub mod json;
pub mod markdown;
