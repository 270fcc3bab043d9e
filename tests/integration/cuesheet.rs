//! `sndtrk cuesheet`: the music cue sheet as CSV and JSON.

use crate::{lint::example, test::Test};

#[test]
fn the_example_cue_sheet_as_csv() {
    Test::new()
        .recipe(&example())
        .arg("cuesheet")
        .stdout(concat!(
            "cue,title,type,usage,in,out,duration,seconds,writers,publishers,artist,label,isrc\r\n",
            "1M1,Harbor Lights,score,BI,01:00:04:00,01:00:16:00,00:00:12:00,12.000,Ana Ruiz (ASCAP) 100%,Night Harbor Music (ASCAP) 100%,,,\r\n",
            "2M3,Ocean Drive,song,VV,01:00:20:00,01:00:35:00,00:00:15:00,15.000,J. Smith (BMI) 50%; K. Lee (ASCAP) 50%,Tidewater Songs (BMI) 100%,The Breakers,Blue Label Records,USRC17607839\r\n",
        ))
        .run();
}

#[test]
fn the_example_cue_sheet_as_json() {
    let ran = Test::new()
        .recipe(&example())
        .args(["cuesheet", "--format", "json"])
        .stdout_any()
        .run();
    let sheet: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(
        sheet,
        serde_json::json!({
            "project": "Night Harbor",
            "frame_rate": "24",
            "cues": [
                {
                    "cue": "1M1", "title": "Harbor Lights", "type": "score", "usage": "BI",
                    "in": "01:00:04:00", "out": "01:00:16:00", "duration": "00:00:12:00", "seconds": 12.0,
                    "writers": [{"name": "Ana Ruiz", "society": "ASCAP", "share": 100.0}],
                    "publishers": [{"name": "Night Harbor Music", "society": "ASCAP", "share": 100.0}],
                    "artist": null, "label": null, "isrc": null
                },
                {
                    "cue": "2M3", "title": "Ocean Drive", "type": "song", "usage": "VV",
                    "in": "01:00:20:00", "out": "01:00:35:00", "duration": "00:00:15:00", "seconds": 15.0,
                    "writers": [
                        {"name": "J. Smith", "society": "BMI", "share": 50.0},
                        {"name": "K. Lee", "society": "ASCAP", "share": 50.0}
                    ],
                    "publishers": [{"name": "Tidewater Songs", "society": "BMI", "share": 100.0}],
                    "artist": "The Breakers", "label": "Blue Label Records", "isrc": "USRC17607839"
                }
            ]
        })
    );
}

/// A 16-bit WAV of `seconds` of silence.
pub fn wav(channels: u16, rate: u32, seconds: f64) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    let frames = (seconds * f64::from(rate)).round() as usize;
    for _ in 0..frames * usize::from(channels) {
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}

const FILE_CUES: &str = r#"
project "Files" {
    frame_rate 25
    sample_rate 48kHz
}

import "std/layouts"

cue 1M1 "Waves, Again" {
    type score
    usage BI
    layout 2.0
    file "music/1M1.wav"
    trim head 1s tail 500ms
    at 10:00:02:10
    writer "A \"Quoted\" Writer" society PRS share 100%
}

cue 1M2 "Cut Short" {
    type score
    usage BI
    layout 2.0
    file "music/1M2.wav"
    at 10:00:00:00 to 10:00:03:00
    writer "B" society PRS share 100%
}

cue 1M3 "Runs Out" {
    type score
    usage BI
    silence for 2s
    at 10:00:05:00 to 10:00:09:00
    writer "D" society PRS share 100%
}

cue 9M9 "Not In The Film" {
    type score
    usage BI
    silence for 2s
    at 10:00:00:00
    writer "C" society PRS share 100%
}

bus MX 2.0 { 1M1 1M2 1M3 }

target stereo {
    from MX
    layout 2.0
    format wav 48kHz 24bit
}
"#;

/// Durations come from the file's real length less the trims, cut short by
/// `to` (a placement longer than the audio ends with the audio); fields with commas and quotes are quoted; a cue in no target's
/// mix is not on the sheet; rows are in picture order.
#[test]
fn durations_come_from_files_trims_and_placement() {
    Test::new()
        .recipe(FILE_CUES)
        .write("music/1M1.wav", wav(2, 48_000, 7.5))
        .write("music/1M2.wav", wav(2, 48_000, 10.0))
        .arg("cuesheet")
        .stdout(concat!(
            "cue,title,type,usage,in,out,duration,seconds,writers,publishers,artist,label,isrc\r\n",
            "1M2,Cut Short,score,BI,10:00:00:00,10:00:03:00,00:00:03:00,3.000,B (PRS) 100%,,,,\r\n",
            "1M1,\"Waves, Again\",score,BI,10:00:02:10,10:00:08:10,00:00:06:00,6.000,\"A \"\"Quoted\"\" Writer (PRS) 100%\",,,,\r\n",
            "1M3,Runs Out,score,BI,10:00:05:00,10:00:07:00,00:00:02:00,2.000,D (PRS) 100%,,,,\r\n",
        ))
        .run();
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    Test::new()
        .recipe(FILE_CUES)
        .write("music/1M2.wav", wav(2, 48_000, 10.0))
        .arg("cuesheet")
        .status(1)
        .stdout("")
        .stderr_contains("E0501")
        .stderr_contains("cannot open `music/1M1.wav`")
        .run();
}

#[test]
fn a_recipe_with_errors_gives_no_cue_sheet() {
    Test::new()
        .recipe(&example().replace("bus MX 5.1 { cues }", "bus MX 5.1 { cues 9M9 }"))
        .arg("cuesheet")
        .status(1)
        .stdout("")
        .stderr_contains("E0204")
        .run();
}
