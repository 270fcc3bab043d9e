//! Finding recipe files: a file argument as given, a directory walked.
//! (Temporary minimal version; the formatter branch brings the full one.)

use std::path::PathBuf;

/// Every `.sndtrk` file named or under a named directory, sorted.
pub fn recipe_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|error| error.to_string())?;
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|ext| ext == "sndtrk")
                {
                    files.push(entry.into_path());
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}
