//! Mixes WAV stems into a 5.1 bus and its Lo/Ro stereo downmix, both written
//! at 24 bits: the job `benches/compare_sox_ffmpeg.sh` times against sox and
//! ffmpeg.
//!
//! Usage: `mix_stems BUS.wav LORO.wav STEM.wav[@SECONDS]...`
//! Each stem is placed at SECONDS (default 0). Set RAYON_NUM_THREADS to
//! choose the number of decoding threads; the output is identical for any.

use std::process::ExitCode;

use sndtrk::audio::{
    Bus, ChannelLayout, Matrix, SampleFormat, Source, WavReader, WavSpec, WavWriter, BLOCK_FRAMES,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        return Err("usage: mix_stems BUS.wav LORO.wav STEM.wav[@SECONDS]...".into());
    }
    let mut bus = Bus::new(6).map_err(|e| e.to_string())?;
    bus.set_parallel(true);
    let mut rate = None;
    for stem in &args[2..] {
        let (path, seconds) = match stem.rsplit_once('@') {
            Some((path, seconds)) => (
                path,
                seconds
                    .parse::<u64>()
                    .map_err(|_| format!("bad offset in `{stem}`"))?,
            ),
            None => (stem.as_str(), 0),
        };
        let reader = WavReader::open(path).map_err(|e| e.to_string())?;
        let stem_rate = reader.format().sample_rate;
        reader
            .expect(6, *rate.get_or_insert(stem_rate))
            .map_err(|e| e.to_string())?;
        bus.add(Box::new(reader), seconds * u64::from(stem_rate), 0.0)
            .map_err(|e| e.to_string())?;
    }
    let rate = rate.unwrap_or(48_000);
    let spec = |layout| WavSpec {
        sample_rate: rate,
        layout,
        sample_format: SampleFormat::Int24,
        time_reference: None,
    };
    let mut surround = WavWriter::create(&args[0], spec(ChannelLayout::surround_5_1()))
        .map_err(|e| e.to_string())?;
    let mut stereo =
        WavWriter::create(&args[1], spec(ChannelLayout::stereo())).map_err(|e| e.to_string())?;
    let lo_ro = Matrix::lo_ro();
    let mut current = vec![0.0f32; BLOCK_FRAMES * 6];
    let mut next = vec![0.0f32; BLOCK_FRAMES * 6];
    let mut down = vec![0.0f32; BLOCK_FRAMES * 2];
    let mut frames = bus.read(&mut current).map_err(|e| e.to_string())?;
    // Encode and write one block while the next is decoded: the two halves
    // touch disjoint data, so the output does not depend on the overlap.
    while frames > 0 {
        let block = &current[..frames * 6];
        let (written, read) = rayon::join(
            || -> Result<(), String> {
                surround.write_block(block).map_err(|e| e.to_string())?;
                lo_ro.apply(block, &mut down[..frames * 2]);
                stereo
                    .write_block(&down[..frames * 2])
                    .map_err(|e| e.to_string())
            },
            || bus.read(&mut next).map_err(|e| e.to_string()),
        );
        written?;
        frames = read?;
        std::mem::swap(&mut current, &mut next);
    }
    let a = surround.finish().map_err(|e| e.to_string())?;
    let b = stereo.finish().map_err(|e| e.to_string())?;
    eprintln!(
        "mixed {} stems: {} frames; clipped samples: 5.1 {}, Lo/Ro {}",
        args.len() - 2,
        a.frames,
        a.clipped_samples,
        b.clipped_samples
    );
    Ok(())
}
