//! `sndtrk clean`: removes DIR/out/ (the rendered deliverables). The cache
//! in DIR/.sndtrk/ is kept, so the next build copies them back without
//! rendering; `sndtrk cache gc` shrinks the cache.

use std::path::Path;

use crate::{
    cli::report::{report_error, say_waiting, EXIT_OK},
    engine,
};

/// Runs `clean` in `directory`; returns the exit code.
pub fn run(directory: &Path) -> i32 {
    match engine::clean(directory, say_waiting) {
        Ok(true) => {
            println!("removed out/");
            EXIT_OK
        }
        Ok(false) => {
            println!("nothing to clean: out/ does not exist");
            EXIT_OK
        }
        Err(error) => report_error(error),
    }
}
