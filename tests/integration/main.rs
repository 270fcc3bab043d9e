//! Every integration test of sndtrk, in one binary. One module per area.

mod audio_io;
mod audio_support;
mod measure;
mod test;
