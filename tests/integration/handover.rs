//! Issue 11 as a whole: a two-reel handover at 23.976 fps with a multi-mono
//! 5.1 stem, a BWF-stamped stem placed `at bext`, a plain 6-channel WAV
//! without a channel mask, a 96 kHz score cue and a mono narration panned
//! centre into a stereo bus. `check` is clean; the long play is the two
//! reels end to end, stamped with the first reel's start; the reel-2 target
//! is the long play's second reel; every source lands where and as the
//! recipe says, sample by sample against the files the test wrote.

use std::fs;

use sndtrk::audio::{ChannelLayout, SampleFormat, Source, WavReader};

use crate::{
    audio_support::{assert_close, read_wav, write_wav},
    sources::{channel, plain_pcm, sine},
    test::Test,
};

/// One frame at 23.976 fps, in samples at 48 kHz.
const FRAME: usize = 2002;
/// 01:00:00:00 at 23.976 fps, in samples since midnight at 48 kHz.
const HOUR: u64 = 172_972_800;
/// The channels of the multi-mono set, in 5.1 order, and their files.
const SET: [(&str, &str); 6] = [
    ("L", "DX.L.wav"),
    ("R", "DX.R.wav"),
    ("C", "DX.C.wav"),
    ("LFE", "DX.Lfe.wav"),
    ("Ls", "DX.Ls.wav"),
    ("Rs", "DX.Rs.wav"),
];

fn recipe() -> String {
    let set: Vec<String> = SET
        .iter()
        .map(|(channel, file)| format!("{channel} \"stems/{file}\""))
        .collect();
    format!(
        r#"import "std/layouts"

project "Handover" {{
    frame_rate 23.976
    sample_rate 48kHz
    picture_start 01:00:00:00
}}

reel R1 {{ start 01:00:00:00 end 01:00:04:00 }}
reel R2 {{ start 02:00:00:00 end 02:00:03:00 }}

stem nar {{ role dialogue layout 1.0 pan C file "stems/nar.wav" at 01:00:00:00 }}
stem dx {{ role dialogue layout 5.1 file [{}] at 01:00:01:00 }}
stem bg {{ role ambience layout 2.0 file "stems/bg.wav" at bext }}
stem fx {{ role effects layout 5.1 file "stems/fx.wav" at 02:00:01:00 }}

cue 2M1 "Harbor Night" {{
    type score
    usage BI
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Night Harbor Music" society ASCAP share 100%
    layout 2.0
    file "music/2M1.wav"
    at 01:00:02:00
}}

bus NARR 2.0 {{ nar }}
bus DX 5.1 {{ dx }}
bus FX 5.1 {{ bg fx }}
bus MX 5.1 {{ cues }}
bus PM 5.1 {{ DX FX MX }}

target narration {{ from NARR layout 2.0 format wav 48kHz 32bit float }}
target pm {{ from PM layout 5.1 format wav 48kHz 32bit float }}
target pm_r2 {{ from PM layout 5.1 format wav 48kHz 32bit float reel R2 }}
"#,
        set.join(", ")
    )
}

fn time_reference(path: &std::path::Path) -> Option<u64> {
    WavReader::open(path).unwrap().format().time_reference
}

#[test]
fn a_two_reel_handover_builds_as_written() {
    let test = Test::new().recipe(&recipe());
    let dir = test.path().to_path_buf();
    let write = |name: &str, samples: &[f32], layout: ChannelLayout, rate, stamp| {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_wav(&path, samples, layout, SampleFormat::Float32, rate, stamp);
    };
    // The narration: half a second of 300 Hz.
    let nar = sine(300.0, 0.25, 24_000, 48_000);
    write("stems/nar.wav", &nar, ChannelLayout::mono(), 48_000, None);
    // The multi-mono set: one second, a tone of its own in each channel.
    let set: Vec<Vec<f32>> = (0..6)
        .map(|k| sine(200.0 + 100.0 * k as f64, 0.1, 48_000, 48_000))
        .collect();
    for ((_, file), samples) in SET.iter().zip(&set) {
        write(
            &format!("stems/{file}"),
            samples,
            ChannelLayout::mono(),
            48_000,
            None,
        );
    }
    // The BWF stem, stamped 02:00:00:12: half a second of stereo.
    let bg: Vec<f32> = sine(700.0, 0.1, 48_000, 48_000);
    let stamp = 2 * HOUR + 12 * FRAME as u64;
    write(
        "stems/bg.wav",
        &bg,
        ChannelLayout::stereo(),
        48_000,
        Some(stamp),
    );
    // The plain 6-channel PCM file, half a second, no mask.
    let ints: Vec<i16> = (0..24_000 * 6)
        .map(|i| ((i % 6) as i16 + 1) * 1000 + (i / 6 % 500) as i16)
        .collect();
    fs::write(dir.join("stems/fx.wav"), plain_pcm(6, 48_000, &ints)).unwrap();
    // The score cue at 96 kHz: one second of 440 Hz in both channels.
    let cue: Vec<f32> = sine(440.0, 0.2, 96_000, 96_000)
        .into_iter()
        .flat_map(|sample| [sample, sample])
        .collect();
    write("music/2M1.wav", &cue, ChannelLayout::stereo(), 96_000, None);

    // Kept to the end: the project directory lives as long as the run.
    let checked = test.arg("check").stderr("").run();
    let ran = Test::at(checked.path()).arg("build").stderr_any().run();
    assert_eq!(ran.status, 0, "{}", ran.stderr);
    let out = dir.join("out");

    // The long play: reel 1 (96 frames) then reel 2 (72 frames).
    let (r1, r2) = (96 * FRAME, 72 * FRAME);
    let pm = read_wav(&out.join("pm.wav"));
    assert_eq!(pm.len(), (r1 + r2) * 6);
    assert_eq!(time_reference(&out.join("pm.wav")), Some(HOUR));
    let reel = read_wav(&out.join("pm_r2.wav"));
    assert_eq!(reel, pm[r1 * 6..], "reel 2 is the long play's second reel");
    assert_eq!(time_reference(&out.join("pm_r2.wav")), Some(2 * HOUR));

    let stretch = |channel_index: usize, offset: usize, frames: usize| {
        channel(&pm, 6, channel_index)[offset..offset + frames].to_vec()
    };
    // Every file of the set in its channel, 24 frames into reel 1.
    for (k, samples) in set.iter().enumerate() {
        assert_close(&stretch(k, 24 * FRAME, 48_000), samples, 1e-7, SET[k].0);
    }
    // The BWF stem at its stamp: 12 frames into reel 2, L and R.
    let bg_at = r1 + 12 * FRAME;
    for k in 0..2 {
        let expected = channel(&bg, 2, k);
        assert_close(&stretch(k, bg_at, 24_000), &expected, 1e-7, "bg");
    }
    assert!(stretch(0, bg_at - 10, 10).iter().all(|s| *s == 0.0));
    // The plain PCM file in the layout's order, 24 frames into reel 2.
    let fx_at = r1 + 24 * FRAME;
    for k in 0..6 {
        let expected: Vec<f32> = channel(
            &ints
                .iter()
                .map(|&i| f32::from(i) / 32768.0)
                .collect::<Vec<_>>(),
            6,
            k,
        );
        assert_close(&stretch(k, fx_at, 24_000), &expected, 1e-7, "fx");
    }
    // The 96 kHz cue at pitch, for its length, 48 frames into reel 1.
    let cue_at = 48 * FRAME;
    let at_48k = sine(440.0, 0.2, 48_000, 48_000);
    let played = stretch(0, cue_at, 48_000);
    assert_close(&played[200..47_800], &at_48k[200..47_800], 2e-3, "2M1");
    assert!(stretch(0, cue_at + 48_100, 1_000)
        .iter()
        .all(|s| s.abs() < 1e-3));

    // The narration is a phantom centre: L = R = x/√2, from 01:00:00:00.
    let narration = read_wav(&out.join("narration.wav"));
    let gain = std::f32::consts::FRAC_1_SQRT_2;
    for k in 0..2 {
        let side = channel(&narration, 2, k);
        let expected: Vec<f32> = nar.iter().map(|x| x * gain).collect();
        assert_close(&side[..24_000], &expected, 1e-7, "narration");
    }
    assert_eq!(
        WavReader::open(out.join("narration.wav"))
            .unwrap()
            .channels(),
        2
    );
}
