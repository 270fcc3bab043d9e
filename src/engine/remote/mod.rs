//! The shared remote cache (`build --remote-cache URL`): stage outputs
//! that someone else rendered, downloaded instead of rendered.
//!
//! A stage's key already covers everything its output depends on, so the
//! remote cache maps it, like the local state does, to a small
//! [`manifest::RemoteManifest`] (`ac/<key>`), which names the output blob
//! (`cas/<blake3>`). One concern per file:
//!
//! | file | concern |
//! |---|---|
//! | `settings` | [`RemoteSettings`] from the flags, the environment and `sndtrk.toml` |
//! | `backend` | the [`backend::Backend`] trait: get, probe, put in `ac` and `cas` |
//! | `http` | the HTTP backend (Bazel's HTTP cache layout, under [`PREFIX`]) |
//! | `reapi` | the REAPI (gRPC) backend: ActionCache and CAS (feature `reapi`) |
//! | `manifest` | what a stage leaves under its key, self-checking |
//! | `verify` | downloads into the store, checked against their hash |
//! | `guard` | the circuit breaker and the build's warnings |
//! | `workers` | the threads requests run on, beside the render pool |
//!
//! and [`Remote`] here, which puts them together with the rules that make
//! it safe by default: nothing enters the local store unverified (a bad
//! download is a warning, and the stage renders locally); a manifest whose
//! blob is missing is a miss; nothing is written unless uploads are on,
//! and then the blob goes first and the manifest last, only for a stage
//! that succeeded with its output in the store; a server that fails costs
//! a local build and one warning, and after a few failures it is off for
//! the build (unless it is required: then the stage fails).

pub mod backend;
pub mod http;
pub mod manifest;
#[cfg(feature = "reapi")]
pub mod reapi;
pub mod settings;

mod guard;
mod verify;
pub(crate) mod workers;

use std::time::Instant;

pub use settings::{RemoteSettings, RemoteSources};

use crate::engine::{
    error::{EngineError, EngineWarning},
    fingerprint::StatCache,
    key::Digest,
    regions,
    store::{ObjectState, Store},
};
use backend::{Area, Backend, Failure};
use guard::Guard;
use manifest::{RemoteManifest, MAX_MANIFEST_BYTES};
use verify::{download, Downloaded};

/// The versioned prefix every object lives under. Bump it with any change
/// to how keys are encoded or to the manifest's format, so that no build
/// reads what an incompatible one wrote (and to walk away from a poisoned
/// cache). What the stages compute is in the keys already
/// ([`crate::engine::key::ENGINE_FORMAT_VERSION`]).
pub const PREFIX: &str = "sndtrk-v1";

/// The largest region index fetched (a two-hour programme's is a few MB).
const MAX_REGIONS_BYTES: u64 = 256 * 1024 * 1024;

/// A remote cache, as one build uses it.
pub struct Remote {
    backend: Box<dyn Backend>,
    settings: RemoteSettings,
    guard: Guard,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("backend", &self.backend.describe())
            .field("settings", &self.settings)
            .finish()
    }
}

/// What the remote cache had for a stage key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Its output is in the local store now, verified.
    Hit(RemoteManifest),
    /// Not there (or not usable): render it.
    Miss,
    /// A required remote cache failed: the message.
    Failed(String),
}

impl Remote {
    /// The remote cache `settings` name.
    pub fn open(settings: RemoteSettings) -> Result<Self, EngineError> {
        if settings.url.starts_with("grpc") {
            return Self::open_reapi(settings);
        }
        let (backend, withheld) = http::HttpBackend::new(&settings);
        Ok(Self::with_backend(Box::new(backend), settings, withheld))
    }

    /// A REAPI remote cache (`grpc://`, `grpcs://`).
    #[cfg(feature = "reapi")]
    fn open_reapi(settings: RemoteSettings) -> Result<Self, EngineError> {
        let (backend, withheld) = reapi::ReapiBackend::new(&settings)
            .map_err(|message| EngineError::RemoteSettings { message })?;
        Ok(Self::with_backend(Box::new(backend), settings, withheld))
    }

    /// Without the `reapi` feature, `grpc://` is refused.
    #[cfg(not(feature = "reapi"))]
    fn open_reapi(settings: RemoteSettings) -> Result<Self, EngineError> {
        Err(EngineError::RemoteSettings {
            message: format!(
                "remote cache {}: this sndtrk was built without REAPI (gRPC) support \
                 (build it with `--features reapi`)",
                settings::redacted(&settings.url)
            ),
        })
    }

    /// A remote cache over `backend` (tests plug their own in).
    pub fn with_backend(
        backend: Box<dyn Backend>,
        settings: RemoteSettings,
        token_withheld: bool,
    ) -> Self {
        let guard = Guard::new(settings.failures_before_off);
        if token_withheld {
            guard.token_withheld();
        }
        Self {
            backend,
            settings,
            guard,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &RemoteSettings {
        &self.settings
    }

    /// Whether stages that ran are uploaded.
    pub fn uploads(&self) -> bool {
        self.settings.upload
    }

    /// The server, for messages.
    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    /// What went wrong so far, one warning per kind; counted anew after.
    pub fn take_warnings(&self) -> Vec<EngineWarning> {
        self.guard.warnings(&self.describe())
    }

    /// Stages fetched and uploaded so far.
    pub fn counts(&self) -> (usize, usize) {
        self.guard.counts()
    }

    /// Asks the server anything, to fail fast when it is required: a miss
    /// is an answer.
    pub fn probe(&self) -> Result<(), EngineError> {
        let name = Digest([0; 32]).to_hex();
        self.backend
            .contains(Area::Ac, &name)
            .map(|_| ())
            .map_err(|failure| self.required_error(&failure.message))
    }

    /// The error of a required remote cache that failed.
    pub fn required_error(&self, message: &str) -> EngineError {
        EngineError::RemoteRequired {
            url: self.describe(),
            message: message.to_owned(),
        }
    }

    /// A request's failure: counted; a miss, or the failure when the
    /// cache is required.
    fn failure(&self, failure: Failure) -> Lookup {
        self.guard.failed(&failure);
        if self.settings.required {
            Lookup::Failed(failure.message)
        } else {
            Lookup::Miss
        }
    }

    /// The manifest under `key`, if it is there and sound.
    fn manifest(&self, key: &Digest, stage: &str) -> Result<Option<RemoteManifest>, Failure> {
        let mut bytes = Vec::new();
        if !self
            .backend
            .get(Area::Ac, &key.to_hex(), MAX_MANIFEST_BYTES, &mut bytes)?
        {
            return Ok(None);
        }
        match RemoteManifest::decode(&bytes, key) {
            Ok(manifest) => Ok(Some(manifest)),
            Err(damaged) => {
                self.guard
                    .damaged(format!("the manifest of {stage}: {}", damaged.0));
                Ok(None)
            }
        }
    }

    /// Looks `key` (the key of `stage`) up and, on a hit, brings its
    /// output into `store`, verified. Off after too many failures: a miss.
    pub fn fetch(&self, key: &Digest, stage: &str, store: &Store, stats: &StatCache) -> Lookup {
        if self.guard.is_off() && !self.settings.required {
            return Lookup::Miss;
        }
        let manifest = match self.manifest(key, stage) {
            Ok(Some(manifest)) => manifest,
            Ok(None) => return Lookup::Miss,
            Err(failure) => return self.failure(failure),
        };
        match download(self.backend.as_ref(), &manifest, store, stats) {
            Ok(Downloaded::Stored) => {
                self.fetch_regions(&manifest, stage, store);
                self.guard.fetched();
                Lookup::Hit(manifest)
            }
            Ok(Downloaded::Missing) => Lookup::Miss,
            Ok(Downloaded::Damaged) => {
                self.guard.damaged(format!(
                    "the output of {stage} did not match its hash {}",
                    manifest.output.to_hex()
                ));
                Lookup::Miss
            }
            Err(failure) => self.failure(failure),
        }
    }

    /// Brings the region index the manifest names beside its output,
    /// checked against its hash, unless one is there already. A hint:
    /// without it the stage renders whole at its next edit, so a missing
    /// index is nothing and a damaged one a warning.
    fn fetch_regions(&self, manifest: &RemoteManifest, stage: &str, store: &Store) {
        let Some((digest, size)) = manifest.regions else {
            return;
        };
        if regions::read(store, &manifest.output).is_some() || size > MAX_REGIONS_BYTES {
            return;
        }
        let mut bytes = Vec::new();
        match self
            .backend
            .get(Area::Cas, &digest.to_hex(), size, &mut bytes)
        {
            Ok(true) if bytes.len() as u64 == size && Digest::of(&bytes) == digest => {
                let _ = regions::write(store, &manifest.output, &bytes);
            }
            Ok(true) => self.guard.damaged(format!(
                "the region index of {stage} did not match its hash {}",
                digest.to_hex()
            )),
            Ok(false) => {}
            Err(failure) => self.guard.failed(&failure),
        }
    }

    /// Whether the server would serve `key` (`plan`): its manifest, when
    /// it is sound and its blob is there. Nothing is downloaded.
    pub fn peek(&self, key: &Digest, stage: &str) -> Option<RemoteManifest> {
        if self.guard.is_off() {
            return None;
        }
        let found = self
            .manifest(key, stage)
            .and_then(|manifest| match manifest {
                Some(manifest) => Ok(self
                    .backend
                    .contains(Area::Cas, &manifest.output.to_hex())?
                    .then_some(manifest)),
                None => Ok(None),
            });
        found.unwrap_or_else(|failure| {
            self.guard.failed(&failure);
            None
        })
    }

    /// Uploads what a stage that ran produced (when uploads are on): its
    /// output blob, unless the server has it, then its manifest, last, so
    /// no manifest ever names a blob that is not there. A stage whose
    /// output is not intact in the store is not uploaded.
    pub fn upload(&self, manifest: &RemoteManifest, store: &Store, stats: &StatCache) {
        if !self.settings.upload || self.guard.is_off() {
            return;
        }
        if store.check(&manifest.output, stats) != ObjectState::Present {
            return;
        }
        let name = manifest.output.to_hex();
        let blob = self.backend.contains(Area::Cas, &name).and_then(|present| {
            if present {
                return Ok(());
            }
            let path = store.object_path(&manifest.output);
            self.backend
                .put_file(Area::Cas, &name, manifest.size, &path)
        });
        // The region index next, if the output has one: the manifest
        // names it only once it is there.
        let mut manifest = manifest.clone();
        let index = blob.and_then(|()| {
            let Some(index) = regions::read(store, &manifest.output) else {
                return Ok(());
            };
            let digest = Digest::of(&index);
            let size = index.len() as u64;
            if !self.backend.contains(Area::Cas, &digest.to_hex())? {
                self.backend
                    .put(Area::Cas, &digest.to_hex(), size, &mut index.as_slice())?;
            }
            manifest.regions = Some((digest, size));
            Ok(())
        });
        let bytes = manifest.encode();
        let uploaded = index.and_then(|()| {
            self.backend.put(
                Area::Ac,
                &manifest.key.to_hex(),
                bytes.len() as u64,
                &mut bytes.as_slice(),
            )
        });
        match uploaded {
            Ok(()) => self.guard.uploaded(),
            Err(failure) => self.guard.failed(&failure),
        }
    }
}

/// How long since `started`, in seconds.
pub(crate) fn seconds_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_moves_with_the_key_format() {
        // A change of ENGINE_FORMAT_VERSION changes every key already; a
        // change of how keys are encoded or of the manifest must bump
        // PREFIX. This pins the pair so that neither moves unnoticed.
        assert_eq!(
            (crate::engine::key::ENGINE_FORMAT_VERSION, PREFIX),
            (5, "sndtrk-v1")
        );
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod engine_tests;
