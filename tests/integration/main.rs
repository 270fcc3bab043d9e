//! Every integration test of sndtrk, in one binary. One module per area.

mod audio_downmix;
mod audio_io;
mod audio_malformed;
mod audio_ops;
mod audio_support;
mod build;
mod build_edits;
mod diagnostics;
mod engine;
mod fmt;
mod measure;
mod parser_fuzz;
mod test;
