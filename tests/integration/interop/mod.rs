//! Cross-checks against sox, soxi, ffmpeg and ffprobe, libmediainfo
//! (pymediainfo, for the ADM master), and the QC report in
//! headless Chromium: `cargo test
//! --features interop` (`.ci/run` installs the tools). Every test here runs
//! at least one of them and fails, naming the tool, when it is missing. The
//! REAPI tests (`reapi.rs`, which need the feature `reapi` too) run against
//! BuildGrid. The default suite has an independent check for everything
//! verified here (see
//! `audio_reference.rs`, `stdlib_matrices.rs` and the header tests in
//! `audio_io.rs`).

mod adm;
mod atmos_render;
mod bext;
mod bs2127;
mod build;
mod downmix;
mod malformed;
mod measure;
mod qc_report;
#[cfg(feature = "reapi")]
mod reapi;
mod remote;
mod tools;
mod wav_io;
