//! `sndtrk cache`: what the content-addressed store in DIR/.sndtrk/objects/
//! holds, by the kind of stage that made it, against the deliverables in
//! out/; `sndtrk cache gc [--keep-builds N] [--max-size SIZE]` shrinks it
//! (see [`crate::engine::gc`]).

use std::path::Path;

use crate::{
    cli::arguments::CacheCommand,
    cli::byte_size::format_size,
    cli::report::{report_error, say_waiting, EXIT_OK},
    engine::{Engine, GcPolicy},
};

/// Runs a `cache` subcommand (none: the report) in `directory`; returns
/// the exit code.
pub fn run(directory: &Path, command: Option<CacheCommand>) -> i32 {
    match command {
        None => report(directory),
        Some(CacheCommand::Gc {
            max_size,
            keep_builds,
        }) => gc(
            directory,
            GcPolicy {
                max_size,
                keep_builds,
            },
        ),
    }
}

fn open(directory: &Path) -> Result<Engine, i32> {
    let mut engine = Engine::open(directory, say_waiting).map_err(report_error)?;
    for warning in engine.take_warnings() {
        eprintln!("{:?}", miette::Report::new(warning));
    }
    Ok(engine)
}

fn gc(directory: &Path, policy: GcPolicy) -> i32 {
    let mut engine = match open(directory) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    match engine.gc(policy) {
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

/// The cache's size by kind, then the deliverables' for comparison.
fn report(directory: &Path) -> i32 {
    let engine = match open(directory) {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let usage = match engine.usage() {
        Ok(usage) => usage,
        Err(error) => return report_error(error),
    };
    let (count, bytes) = usage.total();
    println!(
        "the cache holds {count} {} ({})",
        objects(count),
        format_size(bytes)
    );
    let mut rows: Vec<(String, (usize, u64))> = usage
        .kinds
        .iter()
        .map(|(kind, used)| (format!("{kind} (last build)"), *used))
        .collect();
    rows.push(("earlier builds".to_owned(), usage.earlier));
    rows.push(("unreferenced".to_owned(), usage.unreferenced));
    let regions = "region indexes";
    let width = rows
        .iter()
        .map(|(name, _)| name.len())
        .chain([regions.len()])
        .max()
        .unwrap_or(0);
    for (name, (count, bytes)) in rows {
        println!(
            "  {name:<width$}  {count:>6} {:<7}  {:>10}",
            objects(count),
            format_size(bytes)
        );
    }
    let (indexes, index_bytes) = usage.regions;
    println!(
        "  {regions:<width$}  {indexes:>6} {:<7}  {:>10}",
        if indexes == 1 { "file" } else { "files" },
        format_size(index_bytes)
    );
    let (files, delivered) = deliverables(&directory.join("out"));
    if files > 0 {
        // The indexes are part of what the cache costs.
        let ratio = (bytes + index_bytes) as f64 / delivered.max(1) as f64;
        println!(
            "out/ holds {files} {} ({}): the cache is {ratio:.2}x that",
            if files == 1 { "file" } else { "files" },
            format_size(delivered)
        );
    }
    EXIT_OK
}

/// The files under `out` and their size.
fn deliverables(out: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| entry.metadata().ok())
        .fold((0, 0), |(files, bytes), metadata| {
            (files + 1, bytes + metadata.len())
        })
}

fn objects(count: usize) -> &'static str {
    if count == 1 {
        "object"
    } else {
        "objects"
    }
}
