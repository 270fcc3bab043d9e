//! Every integration test of sndtrk, in one binary. One module per area.

mod fmt;
mod parser_fuzz;
mod test;
