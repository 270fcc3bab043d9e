//! Prints the largest difference between two WAV files of the same shape,
//! in steps of the first file's bit depth (LSB), and how many samples differ.
//! Used by `benches/compare_sox_ffmpeg.sh` to show the outputs agree.
//!
//! Usage: `wav_diff A.wav B.wav`

use std::process::ExitCode;

use sndtrk::audio::{Source, WavReader, BLOCK_FRAMES};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: wav_diff A.wav B.wav");
        return ExitCode::FAILURE;
    }
    match diff(&args[0], &args[1]) {
        Ok((max, differing, total)) => {
            println!("max {max} LSB, {differing} of {total} samples differ");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn diff(a: &str, b: &str) -> Result<(f64, u64, u64), String> {
    let mut a = WavReader::open(a).map_err(|e| e.to_string())?;
    let mut b = WavReader::open(b).map_err(|e| e.to_string())?;
    let channels = a.channels();
    if b.channels() != channels || a.frames() != b.frames() {
        return Err("the files differ in channel count or length".into());
    }
    let lsb = f64::from(1u32 << (a.format().bits() - 1));
    let mut x = vec![0.0f32; BLOCK_FRAMES * channels];
    let mut y = vec![0.0f32; BLOCK_FRAMES * channels];
    let (mut max, mut differing, mut total) = (0.0f64, 0u64, 0u64);
    loop {
        let n = a.read(&mut x).map_err(|e| e.to_string())?;
        let m = b.read(&mut y).map_err(|e| e.to_string())?;
        if n == 0 || m != n {
            break;
        }
        for (p, q) in x[..n * channels].iter().zip(&y[..n * channels]) {
            let d = (f64::from(*p) - f64::from(*q)).abs() * lsb;
            max = max.max(d);
            differing += u64::from(d > 0.0);
        }
        total += (n * channels) as u64;
    }
    Ok((max, differing, total))
}
