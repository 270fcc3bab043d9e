//! The manifest a stage leaves in the remote cache under its key
//! (`ac/<stage key>`): what it produced (its output's hash and size), the
//! notes its run left (what a limiter did, a measurement's summary), so a
//! stage fetched reads like one that ran, and the blob of its output's
//! region index, if it left one (`engine::regions`), so a stage fetched
//! splices at its next edit like one that ran. The index is optional in
//! the JSON: a build that does not know it reads the rest.
//!
//! The text is three lines: a versioned header, one JSON object, and the
//! blake3 of the first two lines. A manifest that does not parse, is of
//! another version, carries another key or fails its own hash is damaged
//! and treated as a miss.

use serde::{Deserialize, Serialize};

use crate::engine::key::Digest;

const HEADER: &str = "sndtrk-remote-manifest 1";

/// The most a manifest may be; a larger answer is damaged.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024;

/// One stage's entry in the remote cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteManifest {
    /// The stage key it is stored under.
    pub key: Digest,
    /// The stage id (for people reading the server; not trusted).
    pub stage: String,
    /// The output object.
    pub output: Digest,
    /// Its size in bytes.
    pub size: u64,
    /// The run's notes.
    pub notes: Vec<String>,
    /// The output's region index blob and its size, if it has one.
    pub regions: Option<(Digest, u64)>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    key: String,
    stage: String,
    output: String,
    size: u64,
    notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    regions: Option<Blob>,
}

#[derive(Serialize, Deserialize)]
struct Blob {
    digest: String,
    size: u64,
}

/// Why a manifest was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged(pub &'static str);

impl RemoteManifest {
    /// The manifest's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let body = Body {
            key: self.key.to_hex(),
            stage: self.stage.clone(),
            output: self.output.to_hex(),
            size: self.size,
            notes: self.notes.clone(),
            regions: self.regions.map(|(digest, size)| Blob {
                digest: digest.to_hex(),
                size,
            }),
        };
        let json = serde_json::to_string(&body).unwrap_or_default();
        let signed = format!("{HEADER}\n{json}\n");
        let check = Digest::of(signed.as_bytes()).to_hex();
        format!("{signed}blake3 {check}\n").into_bytes()
    }

    /// Reads the manifest stored under `key`.
    pub fn decode(bytes: &[u8], key: &Digest) -> Result<Self, Damaged> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(Damaged("it is too large"));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| Damaged("it is not text"))?;
        let Some(rest) = text
            .strip_prefix(HEADER)
            .and_then(|rest| rest.strip_prefix('\n'))
        else {
            return Err(Damaged("it is not a sndtrk manifest of this version"));
        };
        let Some((json, check)) = rest.split_once('\n') else {
            return Err(Damaged("it is cut short"));
        };
        let signed = &text[..HEADER.len() + 1 + json.len() + 1];
        let expected = format!("blake3 {}\n", Digest::of(signed.as_bytes()).to_hex());
        if check != expected {
            return Err(Damaged("it fails its own hash"));
        }
        let body: Body = serde_json::from_str(json).map_err(|_| Damaged("it is not valid JSON"))?;
        let parse = |hex: &str| {
            hex.parse::<Digest>()
                .map_err(|_| Damaged("a hash in it is malformed"))
        };
        let manifest = RemoteManifest {
            key: parse(&body.key)?,
            stage: body.stage,
            output: parse(&body.output)?,
            size: body.size,
            notes: body.notes,
            regions: match body.regions {
                Some(blob) => Some((parse(&blob.digest)?, blob.size)),
                None => None,
            },
        };
        if manifest.key != *key {
            return Err(Damaged("it is stored under another key"));
        }
        Ok(manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RemoteManifest {
        RemoteManifest {
            key: Digest::of(b"key"),
            stage: "target:stereo".into(),
            output: Digest::of(b"output"),
            size: 6,
            notes: vec!["limited: 0.4 dB".into()],
            regions: Some((Digest::of(b"index"), 5)),
        }
    }

    #[test]
    fn a_manifest_reads_back_and_any_damage_is_caught() {
        let manifest = sample();
        let bytes = manifest.encode();
        assert_eq!(
            RemoteManifest::decode(&bytes, &manifest.key),
            Ok(manifest.clone())
        );
        assert_eq!(
            RemoteManifest::decode(&bytes, &Digest::of(b"other")),
            Err(Damaged("it is stored under another key"))
        );
        for index in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[index] ^= 0x01;
            assert!(
                RemoteManifest::decode(&damaged, &manifest.key).is_err(),
                "a flipped bit at {index} went unnoticed"
            );
        }
        assert!(RemoteManifest::decode(&bytes[..bytes.len() - 3], &manifest.key).is_err());
        assert!(RemoteManifest::decode(b"", &manifest.key).is_err());
        let without = RemoteManifest {
            regions: None,
            ..manifest
        };
        let bytes = without.encode();
        assert!(!String::from_utf8_lossy(&bytes).contains("regions"));
        assert_eq!(RemoteManifest::decode(&bytes, &without.key), Ok(without));
    }
}
