//! A directory of the fuzz target's own for the recipe to live in: the
//! front end reads relative imports and WAV headers from the recipe's
//! directory, so it gets a fresh one holding two importable recipes
//! (importing each other, a cycle) and two small WAV files, and nothing else.

use std::{path::PathBuf, sync::OnceLock};

static RECIPE: OnceLock<PathBuf> = OnceLock::new();

/// The path of the fuzzed recipe in the fixture directory, which is made on
/// the first call. The recipe itself is never written there.
pub fn recipe() -> &'static PathBuf {
    RECIPE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sndtrk-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let files: [(&str, Vec<u8>); 4] = [
            (
                "a.sndtrk",
                b"import \"b.sndtrk\"\nstem fx { role effects layout 5.1 file \"dx.wav\" }\n"
                    .to_vec(),
            ),
            (
                "b.sndtrk",
                b"import \"a.sndtrk\"\nimport \"std/layouts\"\nlayout quad { channels [L, R, Ls, Rs] }\n"
                    .to_vec(),
            ),
            ("dx.wav", wav(1, 48_000, 16)),
            ("mx.wav", wav(2, 44_100, 24)),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("a fixture file");
        }
        dir.join("fuzz.sndtrk")
    })
}

/// A minimal PCM WAV file of 4 frames of silence.
fn wav(channels: u16, rate: u32, bits: u16) -> Vec<u8> {
    let block = channels * bits / 8;
    let data = 4 * u32::from(block);
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&channels.to_le_bytes());
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    bytes.extend_from_slice(&block.to_le_bytes());
    bytes.extend_from_slice(&bits.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data.to_le_bytes());
    bytes.resize(bytes.len() + data as usize, 0);
    bytes
}
