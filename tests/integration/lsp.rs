//! `sndtrk lsp`: the language server, driven in process (`Server::handle`)
//! and as the binary over stdio with a small test client, through the same
//! scenarios (`scenarios.rs`), and hammered with random edits.

mod binary;
mod client;
mod in_process;
mod robustness;
mod scenarios;
