//! The ADM BWF master of an immersive scene (`format adm`), built from a
//! recipe and read back by hand: the RIFF layout, the `chna` rows, the
//! `axml` metadata parsed with quick-xml element by element, and every
//! track's samples against an independent computation of the bed and of
//! each object's clip.
//!
//! The scene: a 7.1.2 bed of dialogue (a mono stem panned to C) and
//! ambience (a 7.1.2 stem), a static object, and an object that moves
//! along a path and then jumps.

use std::collections::HashMap;

use quick_xml::{events::Event, Reader};

use crate::test::Test;

const RATE: u32 = 48_000;

/// 16-bit mono or multichannel WAV bytes of `frames` frames, sample
/// `value(frame, channel)`.
pub fn wav(channels: u16, frames: usize, value: impl Fn(usize, usize) -> i16) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let spec = hound::WavSpec {
        channels,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for frame in 0..frames {
        for channel in 0..usize::from(channels) {
            writer.write_sample(value(frame, channel)).unwrap();
        }
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}

/// `bytes` (an extensible WAV file) with the channel mask `mask`.
pub fn with_mask(mut bytes: Vec<u8>, mask: u32) -> Vec<u8> {
    let fmt = bytes.windows(4).position(|w| w == b"fmt ").unwrap();
    assert_eq!(&bytes[fmt + 8..fmt + 10], &[0xFE, 0xFF], "extensible");
    bytes[fmt + 8 + 20..fmt + 8 + 24].copy_from_slice(&mask.to_le_bytes());
    bytes
}

/// A test signal per file and channel: a ramp that wraps, different for each.
pub fn signal(seed: usize, frame: usize, channel: usize) -> i16 {
    let n = (frame * (3 + seed) + channel * 977 + seed * 131) % 16_000;
    (n as i32 - 8_000) as i16
}

pub const DX_FRAMES: usize = 96_000;
pub const AMB_FRAMES: usize = 96_000;
pub const BUOY_FRAMES: usize = 48_000;
pub const GULL_FRAMES: usize = 96_000;

const RECIPE: &str = r#"
project "Harbor" { frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }

import "std/layouts"

stem dx { role dialogue layout 1.0 file "dx.wav" pan C at 01:00:00:00 }
stem amb { role ambience layout 7.1.2 file "amb.wav" at 01:00:00:00 }
bus BED 7.1.2 { dx amb }

object buoy {
    role effects
    file "buoy.wav"
    at 01:00:00:12
    gain -6dB
    position 0.5 1 0
}

object gull {
    role effects
    file "gull.wav"
    at 01:00:00:00
    path [01:00:00:00 -1 1 0, 01:00:01:00 1 1 0.5, 01:00:01:12 jump -1 -1 1]
}

immersive harbor { bed BED objects [buoy, gull] }

target atmos { from harbor format adm 48kHz 24bit }

// The scene re-rendered to loudspeakers (BS.2127), in floats: see
// `scene_render.rs`.
target atmos_714 { from harbor layout 7.1.4 format wav 48kHz 32bit float }
target atmos_51 { from harbor layout 5.1 format wav 48kHz 32bit float }
"#;

/// The re-renders of [`RECIPE`]'s scene: target name and layout.
pub const RERENDERS: [(&str, &str); 2] = [("atmos_714", "7.1.4"), ("atmos_51", "5.1")];

/// The chunks of a RIFF/RF64 file: (id, body).
fn chunks(bytes: &[u8]) -> Vec<([u8; 4], &[u8])> {
    assert!(&bytes[0..4] == b"RIFF" || &bytes[0..4] == b"RF64");
    assert_eq!(&bytes[8..12], b"WAVE");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff, bytes.len() - 8, "the RIFF size is the file's");
    let mut found = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        found.push((id, &bytes[at + 8..at + 8 + size]));
        at += 8 + size + size % 2;
    }
    assert_eq!(at, bytes.len(), "the chunks fill the file");
    found
}

fn chunk<'a>(chunks: &[([u8; 4], &'a [u8])], id: &[u8; 4]) -> &'a [u8] {
    chunks
        .iter()
        .find(|(found, _)| found == id)
        .unwrap_or_else(|| panic!("no {} chunk", String::from_utf8_lossy(id)))
        .1
}

/// One XML element: its name, attributes and text.
#[derive(Debug, Clone, Default)]
struct Element {
    name: String,
    attributes: HashMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Element> + 'a {
        let name = name.to_owned();
        self.children.iter().filter(move |child| child.name == name)
    }
    fn one(&self, name: &str) -> &Element {
        let mut all = self.all(name);
        let first = all
            .next()
            .unwrap_or_else(|| panic!("no {name} in {}", self.name));
        assert!(all.next().is_none(), "two {name} in {}", self.name);
        first
    }
    fn attr(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .unwrap_or_else(|| panic!("no {name} on {}", self.name))
    }
    fn texts(&self, name: &str) -> Vec<&str> {
        self.all(name).map(|child| child.text.as_str()).collect()
    }
    fn position(&self) -> [f64; 3] {
        let mut xyz = [f64::NAN; 3];
        for position in self.all("position") {
            let axis = match position.attr("coordinate") {
                "X" => 0,
                "Y" => 1,
                "Z" => 2,
                other => panic!("coordinate {other}"),
            };
            xyz[axis] = position.text.parse().unwrap();
        }
        xyz
    }
}

/// The whole document as a tree, read with quick-xml.
fn parse(xml: &str) -> Element {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => {
                let mut element = Element {
                    name: String::from_utf8(start.name().as_ref().to_vec()).unwrap(),
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute.unwrap();
                    element.attributes.insert(
                        String::from_utf8(attribute.key.as_ref().to_vec()).unwrap(),
                        attribute.unescape_value().unwrap().into_owned(),
                    );
                }
                stack.push(element);
            }
            Event::Text(text) => {
                let text = text.unescape().unwrap();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text.trim());
                }
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().one("ebuCoreMain").clone()
}

/// `hh:mm:ss.zzzzzSrrrrr` or `hh:mm:ss.zzzzz` as samples at 48 kHz.
fn samples(time: &str) -> u64 {
    let (clock, fraction) = time.split_once('.').unwrap();
    let parts: Vec<u64> = clock.split(':').map(|part| part.parse().unwrap()).collect();
    let seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
    let rest = match fraction.split_once('S') {
        Some((numerator, rate)) => {
            assert_eq!(rate, "48000");
            numerator.parse::<u64>().unwrap()
        }
        None => {
            let value: f64 = format!("0.{fraction}").parse().unwrap();
            (value * 48_000.0).round() as u64
        }
    };
    seconds * 48_000 + rest
}

/// The objects of [`RECIPE`]'s scene.
#[cfg_attr(not(feature = "interop"), allow(dead_code))]
pub const RECIPE_OBJECTS: usize = 2;

/// A built master, and the scene's re-renders by target name.
pub struct Master {
    pub bytes: Vec<u8>,
    #[cfg_attr(not(feature = "interop"), allow(dead_code))]
    pub renders: HashMap<String, Vec<u8>>,
}

/// Builds the scene; the master's bytes.
pub fn build() -> Master {
    let ran = Test::new()
        .recipe(RECIPE)
        .write("dx.wav", wav(1, DX_FRAMES, |f, c| signal(0, f, c)))
        .write(
            "amb.wav",
            with_mask(wav(10, AMB_FRAMES, |f, c| signal(1, f, c)), 0x563F),
        )
        .write("buoy.wav", wav(1, BUOY_FRAMES, |f, c| signal(2, f, c)))
        .write("gull.wav", wav(1, GULL_FRAMES, |f, c| signal(3, f, c)))
        .arg("build")
        .stdout_any()
        .stderr_any()
        .run();
    let bytes = std::fs::read(ran.path().join("out/atmos.wav")).unwrap();
    let renders = RERENDERS
        .iter()
        .map(|(name, _)| {
            let path = ran.path().join(format!("out/{name}.wav"));
            (name.to_string(), std::fs::read(path).unwrap())
        })
        .collect();
    Master { bytes, renders }
}

#[test]
fn the_master_s_riff_layout_and_chna_read_back() {
    let master = build();
    let chunks = chunks(&master.bytes);
    let ids: Vec<&[u8]> = chunks.iter().map(|(id, _)| id.as_slice()).collect();
    assert_eq!(
        ids,
        [
            b"JUNK".as_slice(),
            b"bext",
            b"fmt ",
            b"chna",
            b"axml",
            b"data"
        ]
    );
    let fmt = chunk(&chunks, b"fmt ");
    let u16_at = |body: &[u8], i: usize| u16::from_le_bytes(body[i..i + 2].try_into().unwrap());
    assert_eq!(u16_at(fmt, 2), 12, "10 bed channels and 2 objects");
    assert_eq!(u32::from_le_bytes(fmt[4..8].try_into().unwrap()), RATE);
    assert_eq!(u16_at(fmt, 14), 24);
    // chna: 12 tracks, 12 UIDs, 40-byte rows.
    let chna = chunk(&chunks, b"chna");
    assert_eq!(u16_at(chna, 0), 12);
    assert_eq!(u16_at(chna, 2), 12);
    assert_eq!(chna.len(), 4 + 12 * 40);
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
    for track in 0..12 {
        let row = &chna[4 + track * 40..4 + (track + 1) * 40];
        assert_eq!(usize::from(u16_at(row, 0)), track + 1);
        assert_eq!(text(&row[2..14]), format!("ATU_{:08X}", track + 1));
        let (pack, format) = if track < 10 {
            (
                "AP_00011001".to_owned(),
                format!("AT_0001{:04X}_01", 0x1001 + track),
            )
        } else {
            let number = 0x1001 + track - 10;
            (
                format!("AP_0003{number:04X}"),
                format!("AT_0003{number:04X}_01"),
            )
        };
        assert_eq!(text(&row[14..28]), format);
        assert_eq!(text(&row[28..39]), pack);
        assert_eq!(row[39], 0);
    }
}

#[test]
fn the_axml_is_the_profile_s_scene_element_by_element() {
    let master = build();
    let chunks = chunks(&master.bytes);
    let xml = std::str::from_utf8(chunk(&chunks, b"axml")).unwrap();
    let root = parse(xml);
    let adm = root
        .one("coreMetadata")
        .one("format")
        .one("audioFormatExtended");
    let programme = adm.one("audioProgramme");
    assert_eq!(programme.attr("audioProgrammeName"), "Atmos_Master");
    assert_eq!(programme.texts("audioContentIDRef"), ["ACO_1001"]);
    let frames = samples(programme.attr("end"));
    assert_eq!(frames, 96_000, "the programme is the longest clip");
    let content = adm.one("audioContent");
    assert_eq!(
        content.texts("audioObjectIDRef"),
        ["AO_1001", "AO_100B", "AO_100C"]
    );
    // The bed: DirectSpeakers, the profile's 7.1.2 order, labels, positions.
    let packs: HashMap<&str, &Element> = adm
        .all("audioPackFormat")
        .map(|pack| (pack.attr("audioPackFormatID"), pack))
        .collect();
    let channels: HashMap<&str, &Element> = adm
        .all("audioChannelFormat")
        .map(|channel| (channel.attr("audioChannelFormatID"), channel))
        .collect();
    let bed = packs["AP_00011001"];
    assert_eq!(bed.attr("typeDefinition"), "DirectSpeakers");
    let expected = [
        ("RC_L", [-1.0, 1.0, 0.0]),
        ("RC_R", [1.0, 1.0, 0.0]),
        ("RC_C", [0.0, 1.0, 0.0]),
        ("RC_LFE", [-1.0, 1.0, -1.0]),
        ("RC_Lss", [-1.0, 0.0, 0.0]),
        ("RC_Rss", [1.0, 0.0, 0.0]),
        ("RC_Lrs", [-1.0, -1.0, 0.0]),
        ("RC_Rrs", [1.0, -1.0, 0.0]),
        ("RC_Lts", [-1.0, 0.0, 1.0]),
        ("RC_Rts", [1.0, 0.0, 1.0]),
    ];
    let refs = bed.texts("audioChannelFormatIDRef");
    assert_eq!(refs.len(), 10);
    for (reference, (label, position)) in refs.iter().zip(expected) {
        let block = channels[reference].one("audioBlockFormat");
        assert_eq!(block.one("speakerLabel").text, label);
        assert_eq!(block.one("cartesian").text, "1");
        assert_eq!(block.position(), position, "{label}");
    }
    // Every track: a stream referencing channel and pack, a track format
    // referencing the stream, a UID referencing track and pack.
    for (index, uid) in adm.all("audioTrackUID").enumerate() {
        assert_eq!(uid.attr("UID"), format!("ATU_{:08X}", index + 1));
        assert_eq!(uid.attr("sampleRate"), "48000");
        assert_eq!(uid.attr("bitDepth"), "24");
        let track_format = uid.one("audioTrackFormatIDRef").text.as_str();
        let pack = uid.one("audioPackFormatIDRef").text.as_str();
        let track = adm
            .all("audioTrackFormat")
            .find(|track| track.attr("audioTrackFormatID") == track_format)
            .unwrap();
        let stream_id = track.one("audioStreamFormatIDRef").text.as_str();
        let stream = adm
            .all("audioStreamFormat")
            .find(|stream| stream.attr("audioStreamFormatID") == stream_id)
            .unwrap();
        assert_eq!(stream.one("audioPackFormatIDRef").text, pack);
        let channel = stream.one("audioChannelFormatIDRef").text.as_str();
        assert!(packs[pack]
            .texts("audioChannelFormatIDRef")
            .contains(&channel));
    }
    assert_eq!(adm.all("audioTrackUID").count(), 12);
    // The objects.
    let objects: Vec<&Element> = adm
        .all("audioObject")
        .filter(|object| object.attr("audioObjectID") != "AO_1001")
        .collect();
    assert_eq!(objects.len(), 2);
    let blocks_of = |object: &Element| -> Vec<Element> {
        let pack = packs[object.one("audioPackFormatIDRef").text.as_str()];
        assert_eq!(pack.attr("typeDefinition"), "Objects");
        let channel = channels[pack.one("audioChannelFormatIDRef").text.as_str()];
        assert_eq!(channel.attr("typeDefinition"), "Objects");
        channel.all("audioBlockFormat").cloned().collect()
    };
    let span = |block: &Element| {
        (
            samples(block.attr("rtime")),
            samples(block.attr("duration")),
        )
    };
    let interpolation = |block: &Element| {
        let jump = block.one("jumpPosition");
        assert_eq!(jump.text, "1");
        jump.attr("interpolationLength").to_owned()
    };
    // The buoy stands still: one block, the programme long.
    assert_eq!(objects[0].attr("audioObjectName"), "buoy");
    let buoy = blocks_of(objects[0]);
    assert_eq!(buoy.len(), 1);
    assert_eq!(span(&buoy[0]), (0, frames));
    assert_eq!(buoy[0].position(), [0.5, 1.0, 0.0]);
    assert_eq!(buoy[0].one("cartesian").text, "1");
    assert_eq!(interpolation(&buoy[0]), "0.000000");
    // The gull: a line from 0 to 48000 (-1 1 0 to 1 1 0.5), held until the
    // jump at 72000 (01:00:01:12), then at -1 -1 1 to the end.
    assert_eq!(objects[1].attr("audioObjectName"), "gull");
    let gull = blocks_of(objects[1]);
    let mut next = 0;
    for (index, block) in gull.iter().enumerate() {
        let (start, duration) = span(block);
        assert_eq!(start, next, "the blocks are contiguous");
        next = start + duration;
        assert_eq!(
            interpolation(block),
            if index == 0 { "0.000000" } else { "0.005208" }
        );
        let end = start + duration;
        let [x, y, z] = block.position();
        if end <= 48_000 {
            // On the line, at the block's end; blocks of the 1024 grid, their
            // bounds on the 12-sample quantum (times exact to 10 µs).
            assert!(duration <= 1_032, "{duration}");
            assert_eq!(start % 12, 0, "{start}");
            assert!(!block.attr("rtime").contains('S'), "decimal times");
            let t = end as f64 / 48_000.0;
            assert!((x - (-1.0 + 2.0 * t)).abs() < 1e-6, "x {x} at {end}");
            assert_eq!(y, 1.0);
            assert!((z - 0.5 * t).abs() < 1e-6, "z {z} at {end}");
        } else if end <= 72_000 {
            assert_eq!((start, end), (48_000, 72_000), "the hold before the jump");
            assert_eq!([x, y, z], [1.0, 1.0, 0.5]);
        } else {
            assert_eq!((start, end), (72_000, frames), "the jump");
            assert_eq!([x, y, z], [-1.0, -1.0, 1.0]);
        }
    }
    assert_eq!(next, frames);
    assert!(gull
        .iter()
        .any(|block| span(block).0 + span(block).1 == 48_000));
    assert_eq!(gull.len(), 47 + 2);
}

/// The 24-bit samples of the data chunk, as floats, per frame.
fn tracks(bytes: &[u8], channels: usize) -> Vec<Vec<f64>> {
    let chunks = chunks(bytes);
    let data = chunk(&chunks, b"data");
    data.chunks_exact(3 * channels)
        .map(|frame| {
            frame
                .chunks_exact(3)
                .map(|s| {
                    let v = i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8;
                    f64::from(v) / 8_388_608.0
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_track_is_its_bed_channel_or_its_object_s_clip_sample_by_sample() {
    let master = build();
    let frames = tracks(&master.bytes, 12);
    assert_eq!(frames.len(), 96_000);
    let x = |value: i16| f64::from(value) / 32_768.0;
    // The ambience is 7.1.2 in sndtrk's (WAV) order L R C LFE Lrs Rrs Lss
    // Rss Lts Rts; the master's is the profile's, L R C LFE Lss Rss Lrs Rrs
    // Lts Rts.
    let from_amb = [0, 1, 2, 3, 6, 7, 4, 5, 8, 9];
    let buoy_gain = 10f64.powf(-6.0 / 20.0);
    // Dither is TPDF of one LSB each way at 24 bits.
    let lsb = 1.0 / 8_388_608.0;
    for (n, frame) in frames.iter().enumerate() {
        for (track, &input) in from_amb.iter().enumerate() {
            let mut expected = x(signal(1, n, input));
            if track == 2 {
                expected += x(signal(0, n, 0));
            }
            let got = frame[track];
            assert!(
                (got - expected).abs() <= 2.0 * lsb,
                "bed track {track} at {n}: {got} for {expected}"
            );
        }
        // The buoy starts half a second in (01:00:00:12 at 24 fps).
        let buoy = match n.checked_sub(24_000) {
            Some(k) if k < BUOY_FRAMES => x(signal(2, k, 0)) * buoy_gain,
            _ => 0.0,
        };
        assert!((frame[10] - buoy).abs() <= 2.0 * lsb, "buoy at {n}");
        let gull = x(signal(3, n, 0));
        assert!((frame[11] - gull).abs() <= 2.0 * lsb, "gull at {n}");
    }
}

/// Runs `sndtrk check` on `test` (which must fail) and compares its whole
/// stderr with `tests/fixtures/sources/NAME.stderr` (written when
/// `SNDTRK_BLESS` is set).
fn check_renders(test: Test, name: &str) {
    let ran = test.arg("check").status(1).stderr_any().run();
    let stderr = ran
        .stderr
        .replace(&ran.path().display().to_string(), "$DIR");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/sources/{name}.stderr"));
    if std::env::var_os("SNDTRK_BLESS").is_some() {
        std::fs::write(&path, &stderr).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(stderr, expected, "{}", path.display());
}

/// A scene whose one object plays `file` along `path`.
fn object_recipe(path: &str) -> String {
    format!(
        "project \"Harbor\" {{ frame_rate 24 sample_rate 48kHz picture_start 01:00:00:00 }}\n\
         import \"std/layouts\"\n\
         object gull {{\n    role effects\n    file \"gull.wav\"\n    at 01:00:00:00\n    {path}\n}}\n\
         bus BED 7.1.2 {{ }}\n\
         immersive harbor {{ bed BED objects [gull] }}\n"
    )
}

#[test]
fn an_object_whose_file_is_not_mono_is_e0367() {
    let test = Test::new()
        .recipe(&object_recipe("position 0 1 0"))
        .write("gull.wav", wav(2, 4_800, |f, c| signal(3, f, c)));
    check_renders(test, "E0367-stereo-object");
}

#[test]
fn a_path_past_the_end_of_its_file_is_e0363() {
    // The file is one second long; the path runs to two.
    let test = Test::new()
        .recipe(&object_recipe(
            "path [01:00:00:00 -1 1 0, 01:00:02:00 1 1 0]",
        ))
        .write("gull.wav", wav(1, 48_000, |f, c| signal(3, f, c)));
    check_renders(test, "E0363-path-past-the-file");
}
