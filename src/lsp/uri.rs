//! Documents' addresses: `file:` URIs for recipes on disk, and
//! `sndtrk-std:/std/….sndtrk` for the standard library, which lives in the
//! binary and is served read-only through the [`STDLIB_REQUEST`] request.

use std::path::{Path, PathBuf};

use lsp_types::Url;

use crate::resolve::stdlib;

/// The URI scheme of the embedded standard library's files.
pub const STDLIB_SCHEME: &str = "sndtrk-std";

/// `sndtrk/stdlib { uri }`: the text of a standard library file, `{ text }`.
pub const STDLIB_REQUEST: &str = "sndtrk/stdlib";

/// The URI of the standard library file imported as `name` (`std/layouts`).
pub fn of_stdlib(name: &str) -> Option<Url> {
    Url::parse(&format!("{STDLIB_SCHEME}:/{name}.sndtrk")).ok()
}

/// The import name (`std/layouts`) of a standard library URI.
pub fn stdlib_name(uri: &Url) -> Option<&'static str> {
    if uri.scheme() != STDLIB_SCHEME {
        return None;
    }
    let name = uri.path().trim_start_matches('/');
    let name = name.strip_suffix(".sndtrk").unwrap_or(name);
    stdlib::names().find(|known| *known == name)
}

/// The text of a standard library URI.
pub fn stdlib_text(uri: &Url) -> Option<&'static str> {
    stdlib::get(stdlib_name(uri)?)
}

/// The path of a `file:` URI, made canonical where it exists.
pub fn to_path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    uri.to_file_path().ok().map(|path| normal(&path))
}

/// The `file:` URI of a path.
pub fn of_path(path: &Path) -> Option<Url> {
    Url::from_file_path(normal(path)).ok()
}

/// A path made canonical where it exists (so that `./a.sndtrk` and
/// `a.sndtrk` are one file), as given otherwise.
pub fn normal(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_uris_round_trip() {
        let uri = of_stdlib("std/delivery/netflix").unwrap();
        assert_eq!(uri.as_str(), "sndtrk-std:/std/delivery/netflix.sndtrk");
        assert_eq!(stdlib_name(&uri), Some("std/delivery/netflix"));
        assert!(stdlib_text(&uri).is_some());
        assert_eq!(
            stdlib_name(&Url::parse("sndtrk-std:/std/nope").unwrap()),
            None
        );
    }
}
