//! Issue 11's sources: multi-mono sets, `at bext`, files at other rates and
//! files without a channel mask, each built sample by sample against a
//! reference computed here, and each header contradiction reported by
//! `sndtrk check` with its whole rendered text (the `.stderr` files under
//! `tests/fixtures/sources/`; `SNDTRK_BLESS=1` writes them).

use std::{
    f64::consts::TAU,
    fs,
    path::{Path, PathBuf},
};

use sndtrk::audio::{ChannelLayout, SampleFormat, Source, WavReader};

use crate::{
    audio_support::{
        project::{build, sndtrk, statuses},
        read_wav, write_wav,
    },
    test::Test,
};

const RATE: u32 = 48_000;

/// `frames` of a sine of `frequency` at `amplitude`, sampled at `rate`.
pub(crate) fn sine(frequency: f64, amplitude: f64, frames: usize, rate: u32) -> Vec<f32> {
    (0..frames)
        .map(|n| (amplitude * (TAU * frequency * n as f64 / f64::from(rate)).sin()) as f32)
        .collect()
}

/// Writes mono 32-bit float `samples` at `rate` to `dir/name`, stamped
/// `time_reference` if given.
fn mono(dir: &Path, name: &str, samples: &[f32], rate: u32, time_reference: Option<u64>) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_wav(
        &path,
        samples,
        ChannelLayout::mono(),
        SampleFormat::Float32,
        rate,
        time_reference,
    );
}

/// A plain WAVE_FORMAT_PCM file (no channel mask) of 16-bit `samples`.
pub(crate) fn plain_pcm(channels: u16, rate: u32, samples: &[i16]) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&channels.to_le_bytes());
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    bytes.extend_from_slice(&(channels * 2).to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for sample in samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

/// Channel `channel` of interleaved `samples` of `channels` channels.
pub(crate) fn channel(samples: &[f32], channels: usize, channel: usize) -> Vec<f32> {
    samples
        .iter()
        .skip(channel)
        .step_by(channels)
        .copied()
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/sources/{name}.stderr"))
}

/// Runs `sndtrk check` on `test` and compares its whole stderr with the
/// fixture `name` (written when `SNDTRK_BLESS` is set).
fn check_renders(test: Test, name: &str) {
    let ran = test.arg("check").status(1).stderr_any().run();
    let stderr = ran
        .stderr
        .replace(&ran.path().display().to_string(), "$DIR");
    let path = fixture(name);
    if std::env::var_os("SNDTRK_BLESS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &stderr).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(stderr, expected, "{}", path.display());
}

/// A build of a project with errors fails cleanly: exit 1, no panic.
fn build_fails_cleanly(dir: &Path) {
    let (status, stdout, stderr) = sndtrk(dir, &["build"]);
    assert_eq!(status, 1, "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

const LABELS: [&str; 6] = ["L", "R", "C", "LFE", "Ls", "Rs"];
const FILES: [&str; 6] = ["L", "R", "C", "Lfe", "Ls", "Rs"];

/// A 5.1 stem of six mono files, listed as `items`, into a 5.1 float target.
fn multi_mono_recipe(items: &str) -> String {
    format!(
        r#"import "std/layouts"
project "Sources" {{ frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }}
stem dx {{
    role dialogue
    layout 5.1
    file [{items}]
}}
bus PM 5.1 {{ dx }}
target pm {{ from PM layout 5.1 format wav 48kHz 32bit float normalize off }}
"#
    )
}

/// The items of the six files, in `order` (indices into [`LABELS`]).
fn items(order: &[usize]) -> String {
    order
        .iter()
        .map(|&i| format!("{} \"stems/DX.{}.wav\"", LABELS[i], FILES[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the six files of the set, channel `i` a sine of `200 · (i + 1)` Hz.
fn write_set(dir: &Path, frames: usize) -> Vec<Vec<f32>> {
    (0..6)
        .map(|i| {
            let signal = sine(200.0 * (i + 1) as f64, 0.25, frames, RATE);
            mono(
                dir,
                &format!("stems/DX.{}.wav", FILES[i]),
                &signal,
                RATE,
                None,
            );
            signal
        })
        .collect()
}

#[test]
fn a_multi_mono_stem_lands_each_file_in_its_channel() {
    // Listed out of order: read in the layout's.
    let test = Test::new().recipe(&multi_mono_recipe(&items(&[2, 0, 1, 5, 4, 3])));
    let dir = test.path();
    let signals = write_set(&dir, 12_000);
    let (status, stdout, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!((status, stdout.as_str(), stderr.as_str()), (0, "", ""));
    build(&dir, &[]);
    let out = read_wav(&dir.join("out/pm.wav"));
    assert_eq!(out.len(), 6 * 12_000);
    for (index, signal) in signals.iter().enumerate() {
        assert_eq!(
            &channel(&out, 6, index),
            signal,
            "channel {}",
            LABELS[index]
        );
    }
    // Every file is in the key: changing one re-renders the bus.
    let quieter = sine(600.0, 0.125, 12_000, RATE);
    mono(&dir, "stems/DX.C.wav", &quieter, RATE, None);
    let statuses = build(&dir, &[]);
    assert_eq!(statuses["bus:PM"], "ran");
    assert_eq!(channel(&read_wav(&dir.join("out/pm.wav")), 6, 2), quieter);
}

#[test]
fn a_multi_mono_set_without_a_channel_is_e0320_at_the_file_line() {
    let test = Test::new().recipe(&multi_mono_recipe(&items(&[0, 1, 2, 3, 4])));
    let dir = test.path();
    write_set(&dir, 480);
    build_fails_cleanly(&dir);
    check_renders(test, "E0320-missing-channel");
}

#[test]
fn a_channel_twice_or_unknown_is_e0321() {
    let list = format!(
        "{}, Ls \"stems/DX.Rs.wav\", Lss \"stems/DX.Ls.wav\"",
        items(&[0, 1, 2, 3, 4])
    );
    let test = Test::new().recipe(&multi_mono_recipe(&list));
    let dir = test.path();
    write_set(&dir, 480);
    build_fails_cleanly(&dir);
    check_renders(test, "E0321-channel-twice-or-unknown");
}

#[test]
fn a_stereo_file_in_a_set_is_e0322_naming_it() {
    let test = Test::new().recipe(&multi_mono_recipe(&items(&[0, 1, 2, 3, 4, 5])));
    let dir = test.path();
    write_set(&dir, 480);
    write_wav(
        &dir.join("stems/DX.Ls.wav"),
        &[0.0; 960],
        ChannelLayout::stereo(),
        SampleFormat::Float32,
        RATE,
        None,
    );
    build_fails_cleanly(&dir);
    check_renders(test, "E0322-stereo-file-in-a-set");
}

#[test]
fn unequal_lengths_are_e0323_naming_the_file() {
    let test = Test::new().recipe(&multi_mono_recipe(&items(&[0, 1, 2, 3, 4, 5])));
    let dir = test.path();
    write_set(&dir, 480);
    mono(&dir, "stems/DX.Rs.wav", &[0.0; 479], RATE, None);
    build_fails_cleanly(&dir);
    check_renders(test, "E0323-unequal-lengths");
}

#[test]
fn different_time_stamps_in_a_set_are_e0326() {
    let recipe =
        multi_mono_recipe(&items(&[0, 1, 2, 3, 4, 5])).replace("file [", "at bext\n    file [");
    let test = Test::new().recipe(&recipe);
    let dir = test.path();
    for (i, name) in FILES.iter().enumerate() {
        let stamp = if i == 4 { 172_800_480 } else { 172_800_000 };
        mono(
            &dir,
            &format!("stems/DX.{name}.wav"),
            &[0.0; 480],
            RATE,
            Some(stamp),
        );
    }
    check_renders(test, "E0326-time-stamps-differ");
}

/// A project at 23.976 fps whose picture starts at 01:00:29:00, a second
/// of silence there, and `dx` from `stems/dx.wav` placed by `placement`.
fn bext_recipe(placement: &str) -> String {
    format!(
        r#"import "std/layouts"
project "Stamps" {{ frame_rate 23.976 sample_rate 48kHz picture_start 01:00:29:00 }}
stem pop {{ role sync layout 1.0 silence for 1s }}
stem dx {{
    role dialogue
    layout 1.0
    file "stems/dx.wav"
    {placement}
}}
bus DX 1.0 {{ pop dx }}
target pm {{ from DX layout 1.0 format wav 48kHz 32bit float normalize off }}
"#
    )
}

/// 01:00:30:00 at 23.976 fps in samples since midnight at 48 kHz: 87,120
/// frames of 2002 samples.
const STAMP: u64 = (3600 + 30) * 24 * 2002;

#[test]
fn at_bext_places_a_broadcast_wav_at_its_time_reference() {
    let test = Test::new().recipe(&bext_recipe("at bext"));
    let dir = test.path();
    let signal = sine(440.0, 0.5, 4_800, RATE);
    mono(&dir, "stems/dx.wav", &signal, RATE, Some(STAMP));
    let (status, _, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!(status, 0, "{stderr}");
    build(&dir, &[]);
    let reader = WavReader::open(dir.join("out/pm.wav")).unwrap();
    let picture_start = (3600 + 29) * 24 * 2002;
    assert_eq!(reader.format().time_reference, Some(picture_start));
    let out = read_wav(&dir.join("out/pm.wav"));
    // One timecode second at 23.976 is 24 frames of 2002 samples.
    let offset = (STAMP - picture_start) as usize;
    assert_eq!(offset, 48_048);
    assert_eq!(out.len(), offset + signal.len());
    assert!(out[..offset].iter().all(|sample| *sample == 0.0));
    assert_eq!(&out[offset..], &signal[..]);
}

#[test]
fn at_bext_to_cuts_the_stamped_file_short() {
    let test = Test::new().recipe(&bext_recipe("at bext to 01:00:30:01"));
    let dir = test.path();
    let signal = sine(440.0, 0.5, 4_800, RATE);
    mono(&dir, "stems/dx.wav", &signal, RATE, Some(STAMP));
    build(&dir, &[]);
    let out = read_wav(&dir.join("out/pm.wav"));
    // One frame: 2002 samples.
    assert_eq!(&out[48_048..], &signal[..2002]);
}

#[test]
fn at_bext_on_a_file_without_bext_is_e0324_naming_the_file() {
    let test = Test::new().recipe(&bext_recipe("at bext"));
    let dir = test.path();
    mono(&dir, "stems/dx.wav", &[0.0; 480], RATE, None);
    build_fails_cleanly(&dir);
    check_renders(test, "E0324-no-time-stamp");
}

#[test]
fn a_stamped_file_without_at_is_e0325_offering_at_bext() {
    let test = Test::new().recipe(&bext_recipe(""));
    let dir = test.path();
    mono(&dir, "stems/dx.wav", &[0.0; 480], RATE, Some(STAMP));
    check_renders(test, "E0325-stamped-without-at");
}

#[test]
fn a_96k_cue_plays_at_pitch_for_its_length_at_its_timecode() {
    let recipe = r#"import "std/layouts"
project "Rates" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
stem pop { role sync layout 1.0 silence for 2s }
cue 1M1 "Theme" {
    type score
    usage BI
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbor Music" society ASCAP share 100%
    layout 1.0
    file "music/1M1.wav"
    at 01:00:00:12
}
bus MX 1.0 { pop 1M1 }
target pm { from MX layout 1.0 format wav 48kHz 32bit float normalize off }
"#;
    let test = Test::new().recipe(recipe);
    let dir = test.path();
    mono(
        &dir,
        "music/1M1.wav",
        &sine(1000.0, 0.5, 96_000, 96_000),
        96_000,
        None,
    );
    let (status, _, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!(status, 0, "{stderr}");
    let (_, plan, _) = sndtrk(&dir, &["plan", "--format", "json"]);
    assert_eq!(statuses(&plan)["resample:cue:1M1"], "stale", "{plan}");
    let built = build(&dir, &[]);
    assert_eq!(built["resample:cue:1M1"], "ran");
    let out = read_wav(&dir.join("out/pm.wav"));
    assert_eq!(out.len(), 96_000);
    // 12 frames at 24 fps: 0.5 s, 24,000 samples; 1 s of audio at 48 kHz.
    let (start, end) = (24_000usize, 72_000usize);
    let reference = sine(1000.0, 0.5, end - start, RATE);
    for n in start + 256..end - 256 {
        let error = (out[n] - reference[n - start]).abs();
        assert!(
            error < 1e-3,
            "sample {n}: {} vs {}",
            out[n],
            reference[n - start]
        );
    }
    let outside =
        |range: std::ops::Range<usize>| range.map(|n| out[n].abs()).fold(0.0f32, f32::max);
    assert!(outside(0..start - 256) < 1e-3);
    assert!(outside(end + 256..96_000) < 1e-3);
    // Cached like any other stage.
    let again = build(&dir, &[]);
    assert!(again.values().all(|status| status == "fresh"), "{again:?}");
}

#[test]
fn a_plain_six_channel_wav_without_a_mask_reads_in_the_layouts_order() {
    let recipe = r#"import "std/layouts"
project "Plain" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
stem fx { role effects layout 5.1 file "stems/fx.wav" }
bus FX 5.1 { fx }
target pm { from FX layout 5.1 format wav 48kHz 32bit float normalize off }
"#;
    let test = Test::new().recipe(recipe);
    let dir = test.path();
    let frames = 480;
    let ints: Vec<i16> = (0..frames * 6)
        .map(|i| ((i % 6) as i16 + 1) * 1000 + (i / 6) as i16)
        .collect();
    fs::create_dir_all(dir.join("stems")).unwrap();
    fs::write(dir.join("stems/fx.wav"), plain_pcm(6, RATE, &ints)).unwrap();
    let (status, _, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!(status, 0, "{stderr}");
    build(&dir, &[]);
    let out = read_wav(&dir.join("out/pm.wav"));
    let expected: Vec<f32> = ints.iter().map(|&i| f32::from(i) / 32768.0).collect();
    assert_eq!(out, expected);
    let reader = WavReader::open(dir.join("out/pm.wav")).unwrap();
    assert_eq!(reader.channels(), 6);
}

#[test]
fn a_mask_that_contradicts_the_layout_is_d003() {
    let recipe = r#"import "std/layouts"
project "Masks" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
stem fx { role effects layout 5.1 file "stems/fx.wav" }
bus FX 5.1 { fx }
target pm { from FX layout 5.1 format wav 48kHz 32bit float normalize off }
"#;
    let test = Test::new().recipe(recipe);
    let dir = test.path();
    fs::create_dir_all(dir.join("stems")).unwrap();
    // L R C LFE and the front-of-centre pair (0x40, 0x80) instead of
    // surrounds.
    write_wav(
        &dir.join("stems/fx.wav"),
        &[0.0; 6 * 480],
        ChannelLayout::from_wav_mask(0xCF, 6),
        SampleFormat::Int16,
        RATE,
        None,
    );
    check_renders(test, "D003-mask-contradicts-layout");
}

#[test]
fn a_5_1_file_with_the_back_pair_is_5_1() {
    let recipe = r#"import "std/layouts"
project "Masks" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
stem fx { role effects layout 5.1 file "stems/fx.wav" }
bus FX 5.1 { fx }
"#;
    let test = Test::new().recipe(recipe);
    let dir = test.path();
    fs::create_dir_all(dir.join("stems")).unwrap();
    write_wav(
        &dir.join("stems/fx.wav"),
        &[0.0; 6 * 480],
        ChannelLayout::from_wav_mask(0x3F, 6),
        SampleFormat::Int16,
        RATE,
        None,
    );
    let (status, _, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!(status, 0, "{stderr}");
}

#[test]
fn a_cue_without_layout_is_checked_against_2_0() {
    let recipe = r#"import "std/layouts"
project "Defaults" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }
cue 1M1 "Theme" {
    type score
    usage BI
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Harbor Music" society ASCAP share 100%
    file "music/1M1.wav"
    at 01:00:00:00
}
bus MX 5.1 { 1M1 }
"#;
    let test = Test::new().recipe(recipe);
    let dir = test.path();
    fs::create_dir_all(dir.join("music")).unwrap();
    write_wav(
        &dir.join("music/1M1.wav"),
        &[0.0; 6 * 480],
        ChannelLayout::surround_5_1(),
        SampleFormat::Int16,
        RATE,
        None,
    );
    check_renders(test, "D003-cue-without-layout");
}

#[test]
fn a_missing_file_of_a_set_is_reported_by_check_and_fails_only_what_reads_it() {
    let test = Test::new().recipe(&multi_mono_recipe(&items(&[0, 1, 2, 3, 4, 5])));
    let dir = test.path();
    write_set(&dir, 480);
    fs::remove_file(dir.join("stems/DX.Rs.wav")).unwrap();
    let (status, _, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("E0501"), "{stderr}");
    assert!(stderr.contains("stems/DX.Rs.wav"), "{stderr}");
    build_fails_cleanly(&dir);
}

#[test]
fn a_stamped_96k_file_at_bext_starts_at_its_stamp_at_the_project_rate() {
    let test = Test::new().recipe(&bext_recipe("at bext"));
    let dir = test.path();
    let signal = sine(440.0, 0.5, 9_600, 96_000);
    mono(&dir, "stems/dx.wav", &signal, 96_000, Some(STAMP * 2));
    let (status, _, stderr) = sndtrk(&dir, &["check"]);
    assert_eq!(status, 0, "{stderr}");
    let built = build(&dir, &[]);
    assert_eq!(built["resample:stem:dx"], "ran");
    let out = read_wav(&dir.join("out/pm.wav"));
    let offset = 48_048usize;
    assert_eq!(out.len(), offset + 4_800);
    let reference = sine(440.0, 0.5, 4_800, RATE);
    for n in 256..4_800 - 256 {
        let error = (out[offset + n] - reference[n]).abs();
        assert!(
            error < 1e-3,
            "sample {n}: {} vs {}",
            out[offset + n],
            reference[n]
        );
    }
    assert!(out[..offset - 256].iter().all(|sample| sample.abs() < 1e-3));
}
