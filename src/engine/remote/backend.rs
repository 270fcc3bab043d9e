//! What a remote cache server does for sndtrk, whatever its protocol: a
//! [`Backend`] keeps named objects in two areas, `ac` (one small manifest
//! per stage key) and `cas` (stage outputs, named by their hash), and
//! gets, probes and puts them. A miss is not an error; everything else
//! that goes wrong (no connection, a timeout, a refusal) is a
//! [`Failure`], which the guard in [`super::Remote`] counts.

use std::{
    fmt,
    fs::File,
    io::{Read, Write},
    path::Path,
};

/// The two areas of a remote cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Action cache: stage key → manifest.
    Ac,
    /// Content-addressed blobs: hash → bytes.
    Cas,
}

impl Area {
    /// The area's path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Ac => "ac",
            Area::Cas => "cas",
        }
    }
}

/// A request that failed: the server could not be reached, took too long,
/// or answered with something other than the object or a miss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, on one line, without credentials.
    pub message: String,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// The first characters of a long hex name, for messages.
pub fn short(name: &str) -> &str {
    &name[..name.len().min(12)]
}

/// A server's message on one line.
pub fn one_line(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join(" ")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A remote cache server.
pub trait Backend: Send + Sync {
    /// The server, for messages (credentials taken out).
    fn describe(&self) -> String;

    /// Streams the object into `sink`, at most `limit` bytes plus one (so
    /// the caller can tell an object that is too long). `Ok(false)` is a
    /// miss.
    fn get(
        &self,
        area: Area,
        name: &str,
        limit: u64,
        sink: &mut dyn Write,
    ) -> Result<bool, Failure>;

    /// Whether the object is there.
    fn contains(&self, area: Area, name: &str) -> Result<bool, Failure>;

    /// Stores `size` bytes read from `body` under `name`, streaming.
    fn put(&self, area: Area, name: &str, size: u64, body: &mut dyn Read) -> Result<(), Failure>;

    /// Stores the `size` bytes of the file at `path` under `name`. A
    /// backend that must hash a blob before it sends it (REAPI) reads the
    /// file twice instead of spooling it.
    fn put_file(&self, area: Area, name: &str, size: u64, path: &Path) -> Result<(), Failure> {
        let mut file = File::open(path)
            .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
        self.put(area, name, size, &mut file)
    }
}
