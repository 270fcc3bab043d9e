//! `sndtrk measure`: whole outputs for generated files, JSON, errors.

use std::f64::consts::TAU;

use crate::test::Test;

/// A WAV file as bytes: `channels` channels of a 1 kHz sine at `db` dBFS
/// peak (None = digital silence), `seconds` long, 48 kHz, integer `bits`.
fn tone_wav(channels: u16, bits: u16, db: Option<f64>, seconds: f64) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: 48_000,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
        let full = f64::from(1u32 << (bits - 1)) - 1.0;
        let amp = db.map_or(0.0, |db| 10f64.powf(db / 20.0));
        for n in 0..(seconds * 48_000.0) as usize {
            let v = (amp * (TAU * 1000.0 * n as f64 / 48_000.0).sin() * full).round() as i32;
            for _ in 0..channels {
                w.write_sample(v).unwrap();
            }
        }
        w.finalize().unwrap();
    }
    cursor.into_inner()
}

/// The BS.1770-4 K-weighting power gain at 1 kHz, from the two biquads the
/// standard publishes for 48 kHz, in dB — independent of the meter, which
/// derives its filters from the analog prototypes.
fn k_weighting_db_at_1khz() -> f64 {
    fn gain(b: [f64; 3], a: [f64; 2]) -> f64 {
        let w = TAU * 1000.0 / 48_000.0;
        let (c1, s1, c2, s2) = (w.cos(), w.sin(), (2.0 * w).cos(), (2.0 * w).sin());
        let num = (b[0] + b[1] * c1 + b[2] * c2).powi(2) + (b[1] * s1 + b[2] * s2).powi(2);
        let den = (1.0 + a[0] * c1 + a[1] * c2).powi(2) + (a[0] * s1 + a[1] * s2).powi(2);
        num / den
    }
    let pre = gain(
        [
            1.535_124_859_586_97,
            -2.691_696_189_406_38,
            1.198_392_810_852_85,
        ],
        [-1.690_659_293_182_41, 0.732_480_774_215_85],
    );
    let rlb = gain(
        [1.0, -2.0, 1.0],
        [-1.990_047_454_833_98, 0.990_072_250_366_21],
    );
    10.0 * (pre * rlb).log10()
}

#[test]
fn human_output_for_a_line_up_tone() {
    Test::new()
        .write("tone.wav", tone_wav(2, 24, Some(-23.0), 10.0))
        .args(["measure", "tone.wav"])
        .stdout(
            "tone.wav
  format               48000 Hz, 24-bit integer, 2 channels (2.0: L R)
  duration             10.000 s
  integrated loudness  -23.0 LUFS
  loudness range         0.0 LU
  short-term max       -23.0 LUFS
  momentary max        -23.0 LUFS
  sample peak          -23.0 dBFS
  true peak            -23.0 dBTP
",
        )
        .stderr("")
        .run();
}

#[test]
fn human_output_for_5_1_with_a_loud_lfe_and_silence() {
    // EBU Tech 3341 case 6 levels in a 5.1 file (plain WAVE_FORMAT_PCM, so
    // the default 5.1 layout), plus a -6 dBFS LFE that must not count.
    let levels = [-28.0, -28.0, -24.0, -6.0, -30.0, -30.0];
    let spec = hound::WavSpec {
        channels: 6,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
        for n in 0..5 * 48_000 {
            let s = (TAU * 1000.0 * n as f64 / 48_000.0).sin();
            for db in levels {
                w.write_sample((10f64.powf(db / 20.0) * s * 32767.0).round() as i16)
                    .unwrap();
            }
        }
        w.finalize().unwrap();
    }
    Test::new()
        .write("mix.wav", cursor.into_inner())
        .write("quiet.wav", tone_wav(1, 16, None, 1.5))
        .args(["measure", "mix.wav", "quiet.wav"])
        .stdout(
            "mix.wav
  format               48000 Hz, 16-bit integer, 6 channels (5.1: L R C LFE Ls Rs)
  duration             5.000 s
  integrated loudness  -23.0 LUFS
  loudness range         0.0 LU
  short-term max       -23.0 LUFS
  momentary max        -23.0 LUFS
  sample peak           -6.0 dBFS
  true peak             -6.0 dBTP

quiet.wav
  format               48000 Hz, 16-bit integer, 1 channel (1.0: C)
  duration             1.500 s
  integrated loudness   -inf LUFS
  loudness range         0.0 LU
  short-term max        -inf LUFS
  momentary max         -inf LUFS
  sample peak           -inf dBFS
  true peak             -inf dBTP
",
        )
        .run();
}

#[test]
fn json_output() {
    // Integrated, short-term and momentary loudness of a steady stereo
    // -23 dBFS tone: -23 dB + the K-weighting gain at 1 kHz - 0.691 dB.
    let lufs = -23.0 + k_weighting_db_at_1khz() - 0.691;
    let lufs = format!("{:.2}", lufs);
    let expected = format!(
        r#"[
  {{
    "file": "tone.wav",
    "sample_rate": 48000,
    "channels": 2,
    "bits": 24,
    "duration_s": 10.0,
    "integrated_lufs": {lufs},
    "lra_lu": 0.0,
    "short_term_max_lufs": {lufs},
    "momentary_max_lufs": {lufs},
    "sample_peak_dbfs": -23.0,
    "true_peak_dbtp": -23.0
  }},
  {{
    "file": "quiet.wav",
    "sample_rate": 48000,
    "channels": 1,
    "bits": 16,
    "duration_s": 0.5,
    "integrated_lufs": null,
    "lra_lu": 0.0,
    "short_term_max_lufs": null,
    "momentary_max_lufs": null,
    "sample_peak_dbfs": null,
    "true_peak_dbtp": null
  }}
]
"#
    );
    Test::new()
        .write("tone.wav", tone_wav(2, 24, Some(-23.0), 10.0))
        .write("quiet.wav", tone_wav(1, 16, None, 0.5))
        .args(["measure", "--format", "json", "tone.wav", "quiet.wav"])
        .stdout(&expected)
        .stderr("")
        .run();
}

#[test]
fn a_missing_file_is_named_and_the_others_are_measured() {
    Test::new()
        .write("tone.wav", tone_wav(2, 24, Some(-23.0), 1.0))
        .args(["measure", "--format", "json", "missing.wav", "tone.wav"])
        .status(1)
        .stdout_contains("\"file\": \"tone.wav\"")
        .stderr(
            "E0501

  × cannot open `missing.wav`: No such file or directory (os error 2)
  help: check that the file exists, is readable, and that the disk is not full

",
        )
        .run();
}

#[test]
fn a_truncated_file_is_named() {
    let mut bytes = tone_wav(2, 24, Some(-23.0), 1.0);
    bytes.truncate(1000);
    Test::new()
        .write("cut.wav", bytes)
        .args(["measure", "cut.wav"])
        .status(1)
        .stdout("")
        .stderr(
            "E0503

  × `cut.wav` is truncated: its data chunk claims 288000 bytes but the file
  │ ends after 932
  help: the file was cut short; export or copy it again

",
        )
        .run();
}

#[test]
fn a_rate_the_meter_cannot_handle_is_named() {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 10,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
        for _ in 0..20 {
            w.write_sample(0i16).unwrap();
        }
        w.finalize().unwrap();
    }
    Test::new()
        .write("slow.wav", cursor.into_inner())
        .args(["measure", "slow.wav"])
        .status(1)
        .stderr(
            "E0611

  × `slow.wav` cannot be metered: cannot measure 1 channels at 10 Hz
  help: loudness needs 1 to 64 channels and a sample rate from 16 Hz up

",
        )
        .run();
}

#[test]
fn files_are_found_relative_to_the_project_directory() {
    let test = Test::new().write("sub/tone.wav", tone_wav(1, 16, Some(-20.0), 1.0));
    test.args(["-C", "sub", "measure", "tone.wav"])
        .stdout_contains(
            "tone.wav\n  format               48000 Hz, 16-bit integer, 1 channel (1.0: C)\n",
        )
        .run();
}

#[test]
fn no_file_is_a_usage_error() {
    Test::new()
        .args(["measure"])
        .status(2)
        .stderr(
            "error: the following required arguments were not provided:
  <FILE>...

Usage: sndtrk measure <FILE>...

For more information, try '--help'.
",
        )
        .run();
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    Test::new()
        .args(["measure", "--format", "xml", "a.wav"])
        .status(2)
        .stderr_contains("invalid value 'xml' for '--format <FORMAT>'")
        .run();
}

/// Eight seconds of programme-like material: per channel a tone and noise
/// low-passed at `cutoff_hz` (two one-pole sections), with level changes
/// every 2 s that exercise the gates and the LRA.
pub(crate) fn programme_wav(channels: u16, sample_rate: u32, bits: u16, cutoff_hz: f64) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
        let full = f64::from(1u32 << (bits - 1)) - 1.0;
        let pole = (-TAU * cutoff_hz / f64::from(sample_rate)).exp();
        let mut lp = vec![[0.0f64; 2]; usize::from(channels)];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let steps = [-18.0, -30.0, -12.0, -45.0];
        for n in 0..8 * sample_rate as usize {
            let t = n as f64 / f64::from(sample_rate);
            let step = steps[(t / 2.0) as usize % steps.len()];
            for (c, state) in lp.iter_mut().enumerate() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let white = (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                state[0] = (1.0 - pole) * white + pole * state[0];
                state[1] = (1.0 - pole) * state[0] + pole * state[1];
                let tone = 0.4 * (TAU * 150.0 * (c + 1) as f64 * t).sin();
                let gain = 10f64.powf((step - c as f64) / 20.0);
                let v = gain * (tone + 1.5 * state[1]);
                w.write_sample((v * full).round() as i32).unwrap();
            }
        }
        w.finalize().unwrap();
    }
    cursor.into_inner()
}

/// A plain WAVE_FORMAT_PCM file (no speaker mask) of `channels` 16-bit
/// channels, a -20 dBFS 1 kHz tone in channel `active` only, 2 s.
pub(crate) fn maskless_wav(channels: u16, active: u16) -> Vec<u8> {
    let frames = 2 * 48_000u32;
    let data_len = frames * u32::from(channels) * 2;
    let mut b = Vec::new();
    b.extend(b"RIFF");
    b.extend((36 + data_len).to_le_bytes());
    b.extend(b"WAVEfmt ");
    b.extend(16u32.to_le_bytes());
    b.extend(1u16.to_le_bytes());
    b.extend(channels.to_le_bytes());
    b.extend(48_000u32.to_le_bytes());
    b.extend((48_000 * u32::from(channels) * 2).to_le_bytes());
    b.extend((channels * 2).to_le_bytes());
    b.extend(16u16.to_le_bytes());
    b.extend(b"data");
    b.extend(data_len.to_le_bytes());
    for n in 0..frames {
        let v = (0.1 * (TAU * 1000.0 * f64::from(n) / 48_000.0).sin() * 32767.0).round() as i16;
        for c in 0..channels {
            b.extend((if c == active { v } else { 0 }).to_le_bytes());
        }
    }
    b
}
