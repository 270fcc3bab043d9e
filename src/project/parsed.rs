//! The syntax trees of the recipe's files, kept for the next command in
//! `.sndtrk/parsed` (a [`versioned_file`]: postcard behind a checksummed
//! header line), so that a command that finds the recipe unchanged does not
//! parse it again ([`crate::syntax::memo`], which keys each tree by the
//! parser's identity, the file's source id and its whole text). A missing,
//! damaged or foreign file is only a cache: it is ignored, and the recipe
//! is parsed.

use std::path::{Path, PathBuf};

use crate::{engine::versioned_file, syntax::memo::ParseMemo};

const MAGIC: &str = "sndtrk-parsed";
const VERSION: u32 = 1;

/// Where the trees of the project in `directory` are kept.
pub fn path(directory: &Path) -> PathBuf {
    directory.join(".sndtrk").join("parsed")
}

/// Turns the process's parse memo on, with the trees saved for the project
/// in `directory` if there are any that read.
pub fn load(directory: &Path) {
    load_into(ParseMemo::global(), directory);
}

/// Saves the trees this process used, when they changed; the build calls
/// it while it holds the project lock.
pub fn save(directory: &Path) -> std::io::Result<()> {
    save_from(ParseMemo::global(), directory)
}

fn load_into(memo: &ParseMemo, directory: &Path) {
    let saved = versioned_file::load(&path(directory), MAGIC, VERSION)
        .ok()
        .flatten()
        .unwrap_or_default();
    memo.preload(saved);
}

fn save_from(memo: &ParseMemo, directory: &Path) -> std::io::Result<()> {
    match memo.take_saved() {
        Some(saved) => versioned_file::save(&path(directory), MAGIC, VERSION, &saved),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse::parse, span::SourceId};

    const RECIPE: &str = "bus PM 5.1 { dx }\n";

    #[test]
    fn the_next_process_parses_nothing_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join(".sndtrk")).expect("the state directory");
        let first = ParseMemo::default();
        load_into(&first, dir.path());
        let tree = first.parse(SourceId(0), RECIPE);
        save_from(&first, dir.path()).expect("saved");
        let next = ParseMemo::default();
        load_into(&next, dir.path());
        assert_eq!(next.parse(SourceId(0), RECIPE), tree);
        assert_eq!(next.take_saved(), None, "it only read saved trees");
        std::fs::write(path(dir.path()), b"sndtrk-parsed 1 0000\nnonsense").expect("damaged");
        let after = ParseMemo::default();
        load_into(&after, dir.path());
        assert_eq!(after.parse(SourceId(0), RECIPE), parse(SourceId(0), RECIPE));
        assert!(after.take_saved().is_some(), "parsed, so saved again");
    }
}
