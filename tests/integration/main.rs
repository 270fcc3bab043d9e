//! Every integration test of sndtrk, in one binary. One module per area.

mod cuesheet;
mod lint;
mod review;
mod rights;
mod test;
