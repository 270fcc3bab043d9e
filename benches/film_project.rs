//! Generates the film-scale benchmark project of `benches/film_scale.sh`: a
//! 5.1 programme of MINUTES minutes (default 20) with three full-length
//! stems (dialogue 1.0, effects 5.1, backgrounds 5.1), 30 score cues from
//! stereo files (20 to 38 seconds each, spread over the programme), buses
//! DX, FX, MX and PM, a 5.1 24-bit print master and an EBU R128 Lo/Ro
//! (normalised, 24-bit).
//!
//! Usage: `film_project DIR [MINUTES]`. With `--edit N`, rewrites only the
//! recipe, with cue N's gain moved by -1.5 dB (the one-cue edit; an N past
//! the last cue restores the original recipe); with `--raise N`, with cue
//! N's gain raised by 20 dB instead (enough to move the Lo/Ro's
//! normalisation gain).

use std::{f32::consts::TAU, fs, path::Path, process::ExitCode};

use sndtrk::audio::{ChannelLayout, SampleFormat, WavSpec, WavWriter};

const RATE: u32 = 48_000;
const CUES: usize = 30;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: film_project DIR [MINUTES] [--edit N | --raise N]");
        return ExitCode::FAILURE;
    };
    let minutes: u32 = args
        .get(1)
        .filter(|arg| !arg.starts_with("--"))
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(20);
    let cue_after = |flag: &str| {
        args.iter()
            .position(|arg| arg == flag)
            .and_then(|index| args.get(index + 1))
            .and_then(|cue| cue.parse::<usize>().ok())
    };
    let edit = match cue_after("--raise") {
        Some(cue) => Some(Edit::Raise(cue)),
        None => cue_after("--edit").map(Edit::Lower),
    };
    let dir = Path::new(dir);
    match generate(dir, minutes, edit) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A cue's gain changed.
#[derive(Clone, Copy, PartialEq)]
enum Edit {
    /// By -1.5 dB.
    Lower(usize),
    /// By +20 dB.
    Raise(usize),
}

fn generate(dir: &Path, minutes: u32, edit: Option<Edit>) -> Result<(), String> {
    let seconds = minutes * 60;
    let cues = cues(seconds);
    fs::create_dir_all(dir.join("stems")).map_err(|e| e.to_string())?;
    fs::create_dir_all(dir.join("music")).map_err(|e| e.to_string())?;
    fs::write(dir.join("soundtrack.sndtrk"), recipe(&cues, edit)).map_err(|e| e.to_string())?;
    if edit.is_some() {
        return Ok(());
    }
    let frames = u64::from(seconds) * u64::from(RATE);
    write(&dir.join("stems/dx.wav"), ChannelLayout::mono(), frames, 1)?;
    let five_one = ChannelLayout::named("5.1").ok_or("no 5.1 layout")?;
    write(&dir.join("stems/fx.wav"), five_one.clone(), frames, 2)?;
    write(&dir.join("stems/bg.wav"), five_one, frames, 3)?;
    for (index, cue) in cues.iter().enumerate() {
        let frames = u64::from(cue.seconds) * u64::from(RATE);
        let path = dir.join(format!("music/{}.wav", cue.name));
        write(&path, ChannelLayout::stereo(), frames, 10 + index as u32)?;
    }
    Ok(())
}

/// A cue: its name, where it starts (seconds into the programme) and its
/// length.
struct Cue {
    name: String,
    at: u32,
    seconds: u32,
}

fn cues(seconds: u32) -> Vec<Cue> {
    let spacing = seconds / CUES as u32;
    (0..CUES)
        .map(|index| Cue {
            name: format!("{}M{}", 1 + index / 10, 1 + index % 10),
            at: index as u32 * spacing + 2,
            seconds: (20 + (index as u32 * 7) % 19).min(spacing.saturating_sub(3).max(1)),
        })
        .collect()
}

fn timecode(seconds: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}:00",
        1 + seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn recipe(cues: &[Cue], edit: Option<Edit>) -> String {
    let mut text = String::from(
        "import \"std/layouts\"\nimport \"std/delivery/ebu\"\n\n\
         project \"Film scale\" {\n    frame_rate 24\n    sample_rate 48kHz\n    \
         picture_start 01:00:00:00\n}\n\n\
         stem dx {\n    role dialogue\n    layout 1.0\n    pan C\n    file \"stems/dx.wav\"\n    at 01:00:00:00\n}\n\n\
         stem fx {\n    role effects\n    layout 5.1\n    file \"stems/fx.wav\"\n    at 01:00:00:00\n}\n\n\
         stem bg {\n    role effects\n    layout 5.1\n    file \"stems/bg.wav\"\n    at 01:00:00:00\n}\n\n",
    );
    for (index, cue) in cues.iter().enumerate() {
        let gain = match edit {
            Some(Edit::Lower(cue)) if cue == index => "-7.5dB",
            Some(Edit::Raise(cue)) if cue == index => "+14dB",
            _ => "-6dB",
        };
        text += &format!(
            "cue {name} \"Cue {name}\" {{\n    type score\n    usage BI\n    \
             writer \"A. Composer\" society ASCAP share 100%\n    \
             publisher \"Film Music\" society ASCAP share 100%\n    layout 2.0\n    \
             file \"music/{name}.wav\"\n    at {at}\n    gain {gain}\n    fade in 1s out 2s\n}}\n\n",
            name = cue.name,
            at = timecode(cue.at),
        );
    }
    text +=
        "bus DX 5.1 { dx }\nbus FX 5.1 { fx bg }\nbus MX 5.1 { cues }\nbus PM 5.1 { DX FX MX }\n\n";
    text += "target pm {\n    from PM\n    layout 5.1\n    format wav 48kHz 24bit\n}\n\n";
    text += "target loro {\n    from PM\n    layout 2.0 downmix loro\n    format wav 48kHz 24bit\n    spec ebu.r128\n}\n\n";
    text += "lint {\n    allow R003\n}\n";
    text
}

/// Writes `frames` of a signal (a tone with slow tremolo plus a little
/// noise, different per `seed` and channel) as 24-bit.
fn write(path: &Path, layout: ChannelLayout, frames: u64, seed: u32) -> Result<(), String> {
    let channels = layout.channels();
    let mut writer = WavWriter::create(
        path,
        WavSpec {
            sample_rate: RATE,
            layout,
            sample_format: SampleFormat::Int24,
            time_reference: None,
        },
    )
    .map_err(|e| e.to_string())?;
    let mut state = 0x9e37_79b9u32.wrapping_mul(seed + 1);
    let mut block = Vec::with_capacity(4096 * channels);
    let mut written = 0u64;
    while written < frames {
        block.clear();
        let count = (frames - written).min(4096);
        for n in written..written + count {
            let t = n as f32 / RATE as f32;
            for channel in 0..channels {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let noise = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
                let frequency = 80.0 * (seed as f32 + 1.0) + 30.0 * channel as f32;
                let tremolo = 0.6 + 0.4 * (TAU * 0.1 * t).sin();
                block.push(0.08 * tremolo * (TAU * frequency * t).sin() + 0.01 * noise);
            }
        }
        writer.write_block(&block).map_err(|e| e.to_string())?;
        written += count;
    }
    writer.finish().map_err(|e| e.to_string())?;
    Ok(())
}
