//! `sndtrk lsp`: the language server for editors, over standard input and
//! output (see [`crate::lsp`]). It works on whatever recipes the editor
//! opens, so `-C` plays no part.

/// Runs the server until the editor shuts it down; returns the exit code.
pub fn run() -> i32 {
    crate::lsp::stdio()
}
