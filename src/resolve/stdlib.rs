//! The standard library, written in the language itself and embedded in the
//! binary so that an installed `sndtrk` works anywhere.

/// Every file of `stdlib/`, by its import name (`std/…`).
pub const FILES: &[(&str, &str)] = &[
    ("std/layouts", include_str!("../../stdlib/layouts.sndtrk")),
    (
        "std/delivery/netflix",
        include_str!("../../stdlib/delivery/netflix.sndtrk"),
    ),
    (
        "std/delivery/ebu",
        include_str!("../../stdlib/delivery/ebu.sndtrk"),
    ),
    (
        "std/delivery/atsc",
        include_str!("../../stdlib/delivery/atsc.sndtrk"),
    ),
    (
        "std/delivery/album",
        include_str!("../../stdlib/delivery/album.sndtrk"),
    ),
];

/// The text of the standard library file imported as `name`.
pub fn get(name: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}

/// The import names of every standard library file.
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}
