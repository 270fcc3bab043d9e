//! Every integration test of sndtrk, in one binary. One module per area.

mod engine;
mod test;
