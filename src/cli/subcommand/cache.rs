//! `sndtrk cache gc [--max-size SIZE]`: shrinks the content-addressed store
//! in DIR/.sndtrk/objects/: objects no recorded key refers to go first, then
//! the least recently used until the store fits in SIZE.

use std::path::Path;

use crate::{
    cli::arguments::CacheCommand,
    cli::byte_size::format_size,
    cli::report::{report_error, say_waiting, EXIT_OK},
    engine::Engine,
};

/// Runs a `cache` subcommand in `directory`; returns the exit code.
pub fn run(directory: &Path, command: CacheCommand) -> i32 {
    match command {
        CacheCommand::Gc { max_size } => gc(directory, max_size),
    }
}

fn gc(directory: &Path, max_size: Option<u64>) -> i32 {
    let mut engine = match Engine::open(directory, say_waiting) {
        Ok(engine) => engine,
        Err(error) => return report_error(error),
    };
    for warning in engine.take_warnings() {
        eprintln!("{:?}", miette::Report::new(warning));
    }
    match engine.gc(max_size) {
        Ok(report) => {
            let objects_after = report.objects_before - report.objects_removed;
            let bytes_after = report.bytes_before - report.bytes_removed;
            println!(
                "removed {} {} ({}); the cache holds {} {} ({})",
                report.objects_removed,
                objects(report.objects_removed),
                format_size(report.bytes_removed),
                objects_after,
                objects(objects_after),
                format_size(bytes_after),
            );
            EXIT_OK
        }
        Err(error) => report_error(error),
    }
}

fn objects(count: usize) -> &'static str {
    if count == 1 {
        "object"
    } else {
        "objects"
    }
}
