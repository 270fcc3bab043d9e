//! How a stage is an REAPI action. REAPI names everything by SHA-256
//! digests (hash and size); a stage key becomes the digest of an `Action`
//! whose `Command` names the stage by its key, so every client that knows
//! the key computes the same action digest, and a server that keeps
//! actions in its CAS finds a real one behind each ActionCache entry.
//! The action's result lists two output files: `output`, the stage's
//! output blob, and `manifest`, sndtrk's own manifest for the stage (the
//! one the HTTP cache keeps under `ac/`), so the blake3 names of the local
//! store and the SHA-256 names of the server meet in one place.

use std::io::{self, Read};

use bazel_remote_apis::build::bazel::remote::execution::v2::{Action, Command, Digest};
use prost::Message;
use sha2::{Digest as _, Sha256};

use crate::engine::remote::PREFIX;

/// The output file that holds the stage's output blob.
pub const OUTPUT_PATH: &str = "output";
/// The output file that holds sndtrk's manifest of the stage.
pub const MANIFEST_PATH: &str = "manifest";
/// The output file of a stage's result that is its output's region index,
/// when it has one (not among the command's outputs, which name the action:
/// results without it stay valid).
pub const REGIONS_PATH: &str = "regions";

/// The SHA-256 digest of `bytes`.
pub fn digest_of(bytes: &[u8]) -> Digest {
    Digest {
        hash: hex(&Sha256::digest(bytes)),
        size_bytes: bytes.len() as i64,
    }
}

/// The SHA-256 digest of everything `reader` yields, read a buffer at a
/// time.
pub fn digest_of_reader(reader: &mut dyn Read) -> io::Result<Digest> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size: u64 = 0;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok(Digest {
        hash: hex(&hasher.finalize()),
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A stage's action, encoded: the `Command` and `Action` messages (to
/// upload beside a result) and the action's digest (the ActionCache key).
#[derive(Debug, Clone)]
pub struct StageAction {
    pub command: Vec<u8>,
    pub action: Vec<u8>,
    pub digest: Digest,
}

impl StageAction {
    /// The action of the stage whose key is `key_hex`.
    pub fn of(key_hex: &str) -> Self {
        let command = Command {
            arguments: vec![
                "sndtrk".to_owned(),
                "render-stage".to_owned(),
                format!("--format={PREFIX}"),
                format!("--key={key_hex}"),
            ],
            output_paths: vec![MANIFEST_PATH.to_owned(), OUTPUT_PATH.to_owned()],
            ..Command::default()
        }
        .encode_to_vec();
        let action = Action {
            command_digest: Some(digest_of(&command)),
            // A stage's inputs are named by its key: the input root is the
            // empty directory, whose encoding is no bytes at all.
            input_root_digest: Some(digest_of(&[])),
            ..Action::default()
        }
        .encode_to_vec();
        let digest = digest_of(&action);
        Self {
            command,
            action,
            digest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_texts() {
        // FIPS 180-2, appendix B.1, and the empty message.
        assert_eq!(
            digest_of(b"abc").hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest_of(&[]).hash,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut reader: &[u8] = b"abc";
        assert_eq!(digest_of_reader(&mut reader).unwrap(), digest_of(b"abc"));
    }

    #[test]
    fn one_key_one_action_and_the_action_decodes() {
        let key = "ab".repeat(32);
        let first = StageAction::of(&key);
        assert_eq!(first.digest, StageAction::of(&key).digest);
        assert_ne!(first.digest, StageAction::of(&"cd".repeat(32)).digest);
        let action = Action::decode(first.action.as_slice()).unwrap();
        assert_eq!(action.command_digest, Some(digest_of(&first.command)));
        let command = Command::decode(first.command.as_slice()).unwrap();
        assert!(command.arguments.contains(&format!("--key={key}")));
    }
}
