//! The engine's persisted files (build state, stat cache): a header line
//! `MAGIC VERSION CHECKSUM` followed by a compact binary body (postcard,
//! chosen over JSON because a no-op build of a big project reads these
//! files and little else), replaced atomically. The checksum (blake3 of the
//! body) catches any corruption, which a binary format could otherwise
//! decode into plausible but wrong records.
//!
//! A file with another magic, an unknown version or a body that does not
//! parse is discarded with a warning, never a panic: it is only a cache.

use std::{fs, io, path::Path};

use serde::{de::DeserializeOwned, Serialize};

use crate::{engine::atomic_file, engine::error::EngineWarning, engine::key::Digest};

/// Reads `path`. `Ok(None)` when it does not exist; `Err(warning)` when it
/// exists but cannot be used.
pub fn load<T: DeserializeOwned>(
    path: &Path,
    magic: &str,
    version: u32,
) -> Result<Option<T>, EngineWarning> {
    let discard = |reason: String| EngineWarning::StateDiscarded {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(discard(format!("cannot read it: {error}"))),
    };
    let (header, body) = match bytes.iter().position(|&byte| byte == b'\n') {
        Some(end) => (&bytes[..end], &bytes[end + 1..]),
        None => (&bytes[..], &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    let mut words = header.split(' ');
    if words.next() != Some(magic) {
        return Err(discard(format!("it is not a {magic} file")));
    }
    let found = words.next().unwrap_or("");
    if found != version.to_string() {
        return Err(discard(format!(
            "unknown version {found:?} (this sndtrk reads version {version})"
        )));
    }
    if words.next() != Some(Digest::of(body).to_hex().as_str()) {
        return Err(discard("it is corrupt (checksum mismatch)".to_owned()));
    }
    match postcard::take_from_bytes(body) {
        Ok((value, [])) => Ok(Some(value)),
        Ok(_) => Err(discard("it is corrupt (trailing bytes)".to_owned())),
        Err(error) => Err(discard(format!("it is corrupt ({error})"))),
    }
}

/// Writes `value` to `path` atomically, with its header.
pub fn save<T: Serialize>(path: &Path, magic: &str, version: u32, value: &T) -> io::Result<()> {
    let body = postcard::to_stdvec(value).map_err(io::Error::other)?;
    let mut bytes = format!("{magic} {version} {}\n", Digest::of(&body).to_hex()).into_bytes();
    bytes.extend_from_slice(&body);
    atomic_file::write(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_discards_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        assert_eq!(load::<Vec<u32>>(&path, "m", 1).unwrap(), None);
        save(&path, "m", 1, &vec![1u32, 2]).unwrap();
        assert_eq!(load::<Vec<u32>>(&path, "m", 1).unwrap(), Some(vec![1, 2]));

        let warning = |contents: &[u8]| {
            fs::write(&path, contents).unwrap();
            load::<Vec<u32>>(&path, "m", 1).unwrap_err().to_string()
        };
        let with_checksum = |body: &[u8]| {
            let mut bytes = format!("m 1 {}\n", Digest::of(body).to_hex()).into_bytes();
            bytes.extend_from_slice(body);
            bytes
        };
        let shown = path.display();
        assert_eq!(
            warning(b"m 2\n[1]"),
            format!("discarded {shown}: unknown version \"2\" (this sndtrk reads version 1)")
        );
        assert_eq!(
            warning(b"x 1\n[1]"),
            format!("discarded {shown}: it is not a m file")
        );
        save(&path, "m", 1, &vec![1u32, 2]).unwrap();
        let mut flipped = fs::read(&path).unwrap();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            warning(&flipped),
            format!("discarded {shown}: it is corrupt (checksum mismatch)")
        );
        assert_eq!(
            warning(b"m 1\n"),
            format!("discarded {shown}: it is corrupt (checksum mismatch)")
        );
        assert_eq!(
            warning(&with_checksum(&[3, 1])),
            format!("discarded {shown}: it is corrupt (Hit the end of buffer, expected more data)")
        );
        assert_eq!(
            warning(&with_checksum(&[1, 1, 9])),
            format!("discarded {shown}: it is corrupt (trailing bytes)")
        );
        assert_eq!(
            warning(&[0xff, 0x00, 0x13]),
            format!("discarded {shown}: it is not a m file")
        );
    }
}
