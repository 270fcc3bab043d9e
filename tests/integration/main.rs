//! Every integration test of sndtrk, in one binary. One module per area.

mod diagnostics;
mod test;
