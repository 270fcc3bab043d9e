//! The `axml` chunk: the scene's ITU-R BS.2076 metadata as the Dolby Atmos
//! Master ADM Profile lays it out, written with quick-xml.
//!
//! One audioProgramme holds one audioContent, which holds an audioObject
//! for the bed and one per object. The bed is an audioPackFormat of type
//! DirectSpeakers (`AP_00011001`) whose audioChannelFormats (`AC_00011001`
//! on) each carry one audioBlockFormat with its `RC_` speaker label and
//! fixed cartesian position; every object is an audioPackFormat of type
//! Objects (`AP_00031001` on) with one audioChannelFormat whose
//! audioBlockFormats ([`super::blocks`]) carry `rtime`, `duration`,
//! `cartesian` 1, the position and `jumpPosition`. Each track has an
//! audioStreamFormat (referencing its channel format and, as the profile
//! asks, its pack format), an audioTrackFormat and an audioTrackUID; the
//! `chna` rows ([`super::chna`]) name the same ids.
//!
//! Times are `hh:mm:ss.zzzzzSrrrrr` (BS.2076-2's sample-exact form: whole
//! seconds, then samples over the rate), so a block starts on the very
//! sample it was compiled for.

use quick_xml::{
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
    Writer,
};

use super::{bed::BedChannel, blocks::Block, chna::Track};

/// An object's track: its name and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectTrack {
    pub name: String,
    pub blocks: Vec<Block>,
}

/// What the metadata describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene<'a> {
    /// The programme's name (the project's title and the target's name).
    pub programme: String,
    /// The rate the blocks and `frames` are counted at.
    pub rate: u32,
    /// The programme's length in samples at `rate`.
    pub frames: u64,
    /// The file's sample rate and bit depth (audioTrackUID attributes).
    pub file_rate: u32,
    pub bits: u16,
    /// The bed's channels, in track order.
    pub bed: &'a [BedChannel],
    /// The objects, in track order after the bed.
    pub objects: Vec<ObjectTrack>,
}

/// `hh:mm:ss.zzzzzSrrrrr`: `samples` at `rate` as whole seconds and a
/// fraction of samples over the rate.
pub fn time(samples: u64, rate: u32) -> String {
    format_units(units(samples, rate))
}

/// The `duration` of `frames` samples from `start`: the difference of the
/// two ends as written, so that a block ends exactly where the next one's
/// `rtime` is.
pub fn span(start: u64, frames: u64, rate: u32) -> String {
    let end = units(start.saturating_add(frames), rate);
    format_units(end.saturating_sub(units(start, rate)))
}

/// `samples` at `rate` in the 10 µs an ADM time counts, to the nearest.
fn units(samples: u64, rate: u32) -> u64 {
    let rate = u128::from(rate.max(1));
    let units = (u128::from(samples) * 100_000 + rate / 2) / rate;
    u64::try_from(units).unwrap_or(u64::MAX)
}

/// `hh:mm:ss.zzzzz`.
fn format_units(units: u64) -> String {
    let seconds = units / 100_000;
    format!(
        "{:02}:{:02}:{:02}.{:05}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        units % 100_000
    )
}

/// The chunk's XML and the `chna` rows of the scene's tracks.
/// A block's `interpolationLength` as the master writes it: `samples` at
/// `rate` in seconds, to the microsecond (`0.005208` for 250 samples at
/// 48 kHz). A renderer of the master reads this, not the samples.
pub fn interpolation_length(samples: u64, rate: u32) -> String {
    format!("{:.6}", samples as f64 / f64::from(rate.max(1)))
}

pub fn encode(scene: &Scene<'_>) -> (String, Vec<Track>) {
    let mut ids = Ids::default();
    let bed_tracks: Vec<TrackIds> = (0..scene.bed.len())
        .map(|index| ids.track(1, 0x1001 + index as u32, 0x1001))
        .collect();
    let object_tracks: Vec<TrackIds> = (0..scene.objects.len())
        .map(|index| {
            let number = 0x1001 + index as u32;
            ids.track(3, number, number)
        })
        .collect();
    let mut w = Xml::default();
    w.declaration();
    w.open(
        "ebuCoreMain",
        &[
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xmlns", "urn:ebu:metadata-schema:ebuCore_2014"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("schema", "EBU_CORE_20140201.xsd"),
            ("xml:lang", "en"),
        ],
    );
    w.open("coreMetadata", &[]);
    w.open("format", &[]);
    w.open("audioFormatExtended", &[("version", "ITU-R_BS.2076-2")]);
    let end = time(scene.frames, scene.rate);
    // The profile asks for a start written `00:00:00.00000`.
    let start = "00:00:00.00000".to_owned();
    // The programme and its one content.
    w.open(
        "audioProgramme",
        &[
            ("audioProgrammeID", "APR_1001"),
            // The name by which the profile knows its masters.
            ("audioProgrammeName", "Atmos_Master"),
            ("start", &start),
            ("end", &end),
        ],
    );
    w.leaf("audioContentIDRef", &[], "ACO_1001");
    w.close("audioProgramme");
    w.open(
        "audioContent",
        &[
            ("audioContentID", "ACO_1001"),
            ("audioContentName", &scene.programme),
        ],
    );
    w.leaf("audioObjectIDRef", &[], "AO_1001");
    for object in 0..scene.objects.len() {
        w.leaf("audioObjectIDRef", &[], &object_id(object));
    }
    // Mixed content (dialogue and other sound), of no particular kind.
    w.leaf("dialogue", &[("mixedContentKind", "0")], "2");
    w.close("audioContent");
    // The bed's object, then one per object.
    w.open(
        "audioObject",
        &[
            ("audioObjectID", "AO_1001"),
            ("audioObjectName", "Bed"),
            ("start", &start),
            ("duration", &end),
        ],
    );
    w.leaf("audioPackFormatIDRef", &[], "AP_00011001");
    for track in &bed_tracks {
        w.leaf("audioTrackUIDRef", &[], &track.uid);
    }
    w.close("audioObject");
    for (index, (object, track)) in scene.objects.iter().zip(&object_tracks).enumerate() {
        w.open(
            "audioObject",
            &[
                ("audioObjectID", &object_id(index)),
                ("audioObjectName", &object.name),
                ("start", &start),
                ("duration", &end),
            ],
        );
        w.leaf("audioPackFormatIDRef", &[], &track.pack);
        w.leaf("audioTrackUIDRef", &[], &track.uid);
        w.close("audioObject");
    }
    // The bed's pack and channels.
    w.open(
        "audioPackFormat",
        &[
            ("audioPackFormatID", "AP_00011001"),
            ("audioPackFormatName", "RoomCentricBed"),
            ("typeLabel", "0001"),
            ("typeDefinition", "DirectSpeakers"),
        ],
    );
    for track in &bed_tracks {
        w.leaf("audioChannelFormatIDRef", &[], &track.channel);
    }
    w.close("audioPackFormat");
    for (channel, track) in scene.bed.iter().zip(&bed_tracks) {
        w.open(
            "audioChannelFormat",
            &[
                ("audioChannelFormatID", &track.channel),
                ("audioChannelFormatName", channel.name),
                ("typeLabel", "0001"),
                ("typeDefinition", "DirectSpeakers"),
            ],
        );
        w.open(
            "audioBlockFormat",
            &[("audioBlockFormatID", &block_id(&track.channel, 1))],
        );
        w.leaf("speakerLabel", &[], channel.speaker);
        w.leaf("cartesian", &[], "1");
        for (axis, value) in [("X", channel.x), ("Y", channel.y), ("Z", channel.z)] {
            w.leaf("position", &[("coordinate", axis)], &coordinate(value));
        }
        w.close("audioBlockFormat");
        w.close("audioChannelFormat");
    }
    // The objects' packs and channels.
    for (object, track) in scene.objects.iter().zip(&object_tracks) {
        w.open(
            "audioPackFormat",
            &[
                ("audioPackFormatID", &track.pack),
                ("audioPackFormatName", &object.name),
                ("typeLabel", "0003"),
                ("typeDefinition", "Objects"),
            ],
        );
        w.leaf("audioChannelFormatIDRef", &[], &track.channel);
        w.close("audioPackFormat");
        w.open(
            "audioChannelFormat",
            &[
                ("audioChannelFormatID", &track.channel),
                ("audioChannelFormatName", &object.name),
                ("typeLabel", "0003"),
                ("typeDefinition", "Objects"),
            ],
        );
        for (number, block) in object.blocks.iter().enumerate() {
            w.open(
                "audioBlockFormat",
                &[
                    ("audioBlockFormatID", &block_id(&track.channel, number + 1)),
                    ("rtime", &time(block.start, scene.rate)),
                    ("duration", &span(block.start, block.frames, scene.rate)),
                ],
            );
            w.leaf("cartesian", &[], "1");
            for (axis, value) in [("X", block.x), ("Y", block.y), ("Z", block.z)] {
                w.leaf("position", &[("coordinate", axis)], &coordinate(value));
            }
            let length = interpolation_length(block.interpolation, scene.rate);
            w.leaf("jumpPosition", &[("interpolationLength", &length)], "1");
            w.close("audioBlockFormat");
        }
        w.close("audioChannelFormat");
    }
    // Streams, track formats and track UIDs, one each per track.
    let file_rate = scene.file_rate.to_string();
    let bits = scene.bits.to_string();
    for track in bed_tracks.iter().chain(&object_tracks) {
        w.open(
            "audioStreamFormat",
            &[
                ("audioStreamFormatID", &track.stream),
                ("audioStreamFormatName", &format!("PCM_{}", track.channel)),
                ("formatLabel", "0001"),
                ("formatDefinition", "PCM"),
            ],
        );
        w.leaf("audioChannelFormatIDRef", &[], &track.channel);
        w.leaf("audioPackFormatIDRef", &[], &track.pack);
        w.leaf("audioTrackFormatIDRef", &[], &track.track_format);
        w.close("audioStreamFormat");
    }
    for track in bed_tracks.iter().chain(&object_tracks) {
        w.open(
            "audioTrackFormat",
            &[
                ("audioTrackFormatID", &track.track_format),
                ("audioTrackFormatName", &format!("PCM_{}", track.channel)),
                ("formatLabel", "0001"),
                ("formatDefinition", "PCM"),
            ],
        );
        w.leaf("audioStreamFormatIDRef", &[], &track.stream);
        w.close("audioTrackFormat");
    }
    for track in bed_tracks.iter().chain(&object_tracks) {
        w.open(
            "audioTrackUID",
            &[
                ("UID", &track.uid),
                ("sampleRate", &file_rate),
                ("bitDepth", &bits),
            ],
        );
        w.leaf("audioTrackFormatIDRef", &[], &track.track_format);
        w.leaf("audioPackFormatIDRef", &[], &track.pack);
        w.close("audioTrackUID");
    }
    w.close("audioFormatExtended");
    w.close("format");
    w.close("coreMetadata");
    w.close("ebuCoreMain");
    let rows = bed_tracks
        .iter()
        .chain(&object_tracks)
        .enumerate()
        .map(|(index, track)| Track {
            index: u16::try_from(index + 1).unwrap_or(u16::MAX),
            uid: track.uid.clone(),
            track_format: track.track_format.clone(),
            pack_format: track.pack.clone(),
        })
        .collect();
    (w.finish(), rows)
}

/// `AO_100B` on: the audioObject of object `index` (from 0). The profile
/// keeps `AO_1001` to `AO_100A` for beds, `AO_100B` to `AO_1080` (118) for
/// objects.
fn object_id(index: usize) -> String {
    format!("AO_{:04X}", 0x100B + index)
}

/// `AB_xxxxxxxx_nnnnnnnn`: block `number` (from 1) of channel format `channel`.
fn block_id(channel: &str, number: usize) -> String {
    format!("AB_{}_{number:08X}", channel.trim_start_matches("AC_"))
}

/// A coordinate with six decimals.
fn coordinate(value: f64) -> String {
    // -0 reads as 0.
    format!("{:.6}", if value == 0.0 { 0.0 } else { value })
}

/// The ids of one track.
struct TrackIds {
    uid: String,
    channel: String,
    pack: String,
    stream: String,
    track_format: String,
}

#[derive(Default)]
struct Ids {
    uids: usize,
}

impl Ids {
    /// The ids of the next track: channel format `number` of type `kind`
    /// (1 DirectSpeakers, 3 Objects) in pack `pack`.
    fn track(&mut self, kind: u32, number: u32, pack: u32) -> TrackIds {
        self.uids += 1;
        let code = format!("{kind:04X}{number:04X}");
        TrackIds {
            uid: format!("ATU_{:08X}", self.uids),
            channel: format!("AC_{code}"),
            pack: format!("AP_{kind:04X}{pack:04X}"),
            stream: format!("AS_{code}"),
            track_format: format!("AT_{code}_01"),
        }
    }
}

/// A pretty-printing XML writer into memory (writing to a `Vec` cannot fail).
struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Default for Xml {
    fn default() -> Self {
        Self {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        }
    }
}

impl Xml {
    fn declaration(&mut self) {
        let _ = self
            .writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    }

    fn start<'a>(name: &'a str, attributes: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        start
    }

    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let _ = self
            .writer
            .write_event(Event::Start(Self::start(name, attributes)));
    }

    fn close(&mut self, name: &str) {
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }

    fn leaf(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        let _ = self
            .writer
            .write_event(Event::Start(Self::start(name, attributes)));
        let _ = self.writer.write_event(Event::Text(BytesText::new(text)));
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }

    fn finish(self) -> String {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_seconds_to_ten_microseconds() {
        assert_eq!(time(0, 48_000), "00:00:00.00000");
        // 12 samples at 48 kHz are 250 µs exactly.
        assert_eq!(time(48_000 * 3_723 + 12, 48_000), "01:02:03.00025");
        assert_eq!(time(24, 96_000), "00:00:00.00025");
        // Elsewhere, to the nearest 10 µs; a span is the difference of its
        // two ends as written.
        assert_eq!(time(250, 48_000), "00:00:00.00521");
        assert_eq!(span(250, 250, 48_000), "00:00:00.00521");
        assert_eq!(span(100, 100, 48_000), "00:00:00.00209");
    }
}
