//! `sndtrk lsp`: a language server over standard input and output.
//!
//! The server keeps the text of every document the editor has open
//! (`documents`), resolves the project each belongs to (the recipe, its
//! imports and the standard library) with the editor's unsaved buffers in
//! place of the files on disk (`analysis`), and answers from that analysis:
//! the diagnostics `check` gives (`diagnostics`), go to definition, find
//! references and rename over a symbol index built from the model's spans
//! (`index`, `navigate`), hover (`hover`), completion (`completion`),
//! formatting through `sndtrk fmt`'s formatter (`format`), document symbols
//! and folding ranges (`outline`). Positions are converted between byte
//! offsets and the protocol's UTF-16 code units in `position`; the request
//! loop is `server`.
//!
//! Nothing the editor sends may crash it: every request answers what it can
//! from a half-typed recipe, and each message is handled under
//! `catch_unwind` as a last line of defence.

mod analysis;
mod completion;
mod diagnostics;
mod documents;
mod format;
mod hover;
mod index;
mod navigate;
mod outline;
mod position;
mod server;
mod uri;

pub use server::{serve, stdio, Server};
pub use uri::{STDLIB_REQUEST, STDLIB_SCHEME};
