//! Every integration test of sndtrk, in one binary. One module per area.

mod adm;
mod audio_io;
mod audio_malformed;
mod audio_ops;
mod audio_reference;
mod audio_support;
mod broadcast_wav;
mod build;
mod build_edits;
mod cache_report;
mod codes;
mod cuesheet;
mod deliver;
mod diagnostics;
mod diff;
mod digital_silence;
mod engine;
mod engine_lead;
mod engine_learn;
mod example;
mod fmt;
mod handover;
#[cfg(feature = "interop")]
mod interop;
mod isolation;
mod language_doc;
mod levels;
mod limiter;
mod lint;
#[cfg(feature = "lsp")]
mod lsp;
mod measure;
mod member_downmix;
mod outputs;
mod pan;
mod parser_fuzz;
mod pipes;
mod qc_report;
#[cfg(feature = "reapi")]
mod reapi;
mod reels;
mod reference;
mod region_edits;
mod remote;
mod remote_server;
mod review;
mod rights;
mod scene_cues;
mod scene_edits;
mod scene_render;
mod schedule;
mod sources;
mod stdlib_matrices;
mod test;
mod uses;
