//! The streaming WAV reader: arbitrary bytes as a file are opened and read
//! to the end, block by block, plainly and through a read tap. The result
//! is samples or a clean error, never a panic, a hang or an allocation the
//! file's size does not justify (a header that claims 4 GB of audio); the
//! reader yields exactly the frames its header reported, and a tap told the
//! end has seen every byte of the file in order.

#![no_main]

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
};

use libfuzzer_sys::fuzz_target;
use sndtrk::{
    audio::read_tap::ReadTap,
    audio::{Source, WavReader, BLOCK_FRAMES},
};

/// The bytes a tap has been shown, and whether it was told the end.
#[derive(Clone, Default)]
struct Shown(Arc<Mutex<(Vec<u8>, bool)>>);

impl ReadTap for Shown {
    fn bytes(&mut self, offset: u64, bytes: &[u8]) {
        let mut shown = self.0.lock().expect("one thread");
        assert_eq!(
            offset,
            shown.0.len() as u64,
            "the tap skipped or repeated bytes"
        );
        shown.0.extend_from_slice(bytes);
    }

    fn end(&mut self) {
        self.0.lock().expect("one thread").1 = true;
    }
}

fn file() -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("sndtrk-fuzz-{}.wav", std::process::id()))
}

/// Reads `reader` to the end in blocks, checking it yields `expected`
/// frames; the samples' bit patterns, or the error.
fn read_all(mut reader: WavReader, expected: u64) -> Result<Vec<u32>, String> {
    let channels = reader.channels();
    let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
    let mut bits = Vec::new();
    let mut frames = 0u64;
    loop {
        let got = reader.read(&mut block).map_err(|error| error.to_string())?;
        if got == 0 {
            break;
        }
        frames += got as u64;
        bits.extend(
            block[..got * channels]
                .iter()
                .map(|sample| sample.to_bits()),
        );
    }
    assert_eq!(
        frames, expected,
        "the reader yielded other frames than its header said"
    );
    Ok(bits)
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::write(&path, data).expect("a temporary file");
    let plain = WavReader::open(&path);
    if let Ok(reader) = &plain {
        let format = reader.format();
        let audio = format.frames * (format.channels * format.sample_format.bytes()) as u64;
        assert!(
            audio <= data.len() as u64,
            "{format:?} claims more audio than the file's {} bytes",
            data.len()
        );
        let _ = format.layout();
    }
    let plain = plain.map_err(|error| error.to_string()).and_then(|reader| {
        let frames = reader.frames();
        read_all(reader, frames)
    });
    let shown = Shown::default();
    let tapped = WavReader::open_tapped(&path, Box::new(shown.clone()))
        .map_err(|error| error.to_string())
        .and_then(|reader| {
            let frames = reader.frames();
            read_all(reader, frames)
        });
    assert_eq!(plain, tapped, "a tapped reader read differently");
    let (seen, ended) = &*shown.0.lock().expect("one thread");
    if *ended {
        assert_eq!(
            seen.as_slice(),
            data,
            "the tap saw other bytes than the file"
        );
    }
    // Skipping (a seek) then reading the rest.
    if let Ok(mut reader) = WavReader::open(&path) {
        let frames = reader.frames();
        let skipped = reader.skip(frames / 2 + 1).expect("a seek inside the file");
        assert_eq!(skipped, (frames / 2 + 1).min(frames));
        let _ = read_all(reader, frames - skipped);
    }
});
