//! Downloads into the local store, verified: a blob is streamed into a
//! new store object while it is hashed, and only an object whose blake3
//! and size are the ones its manifest names is stored; anything else is
//! discarded before it has a name in the store.

use crate::engine::{
    fingerprint::StatCache,
    remote::{
        backend::{Area, Backend, Failure},
        manifest::RemoteManifest,
    },
    store::{ObjectState, Store},
};

/// What became of a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Downloaded {
    /// The output is in the local store now (or already was).
    Stored,
    /// The server does not have the blob the manifest names.
    Missing,
    /// The bytes served were not the ones named: discarded.
    Damaged,
}

/// Brings the manifest's output into `store`, verified.
pub(super) fn download(
    backend: &dyn Backend,
    manifest: &RemoteManifest,
    store: &Store,
    stats: &StatCache,
) -> Result<Downloaded, Failure> {
    if store.check(&manifest.output, stats) == ObjectState::Present {
        return Ok(Downloaded::Stored);
    }
    let local = |error: std::io::Error| {
        Failure::new(format!(
            "cannot write the download into {}: {error}",
            store.root().display()
        ))
    };
    let mut writer = store.writer().map_err(local)?;
    if !backend.get(
        Area::Cas,
        &manifest.output.to_hex(),
        manifest.size,
        &mut writer,
    )? {
        return Ok(Downloaded::Missing);
    }
    match writer
        .finish_expecting(&manifest.output, stats)
        .map_err(local)?
    {
        Some(size) if size == manifest.size => Ok(Downloaded::Stored),
        // The right hash at another size cannot happen; treat it as damage.
        Some(_) => {
            let _ = store.remove(&manifest.output, stats);
            Ok(Downloaded::Damaged)
        }
        None => Ok(Downloaded::Damaged),
    }
}
