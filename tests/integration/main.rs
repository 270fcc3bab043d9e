//! Every integration test of sndtrk, in one binary. One module per area.

mod audio_downmix;
mod audio_io;
mod audio_malformed;
mod audio_ops;
mod audio_support;
mod measure;
mod test;
