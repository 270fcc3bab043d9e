//! A stage's id, typed: what the stage renders ([`Renders`]) together with
//! the readable text the engine, the build database and every report know
//! it by (`bus:PM`, `target:stereo`, `album:ost/02`).
//!
//! The build engine is generic and keys stages by their text; the recipe
//! side makes ids only through [`StageId`]'s constructors and reads them
//! back with [`StageId::parse`], so no code builds or splits the text by
//! hand.

use std::{fmt, ops::Deref};

/// What a stage renders.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Renders {
    /// `timeline`: the programme's start and length.
    Timeline,
    /// `bus:NAME`: a bus's mix on the timeline.
    Bus(String),
    /// `object:NAME`: an immersive scene's audio object, its mono clip on
    /// the timeline (one track of an ADM master).
    Object(String),
    /// `target:NAME`: a deliverable.
    Target(String),
    /// `measure:NAME`: a target's loudness, peaks and clipping.
    Measurement(String),
    /// `dialogue:NAME`: the dialogue that gates a deliverable's loudness,
    /// summed to mono on the timeline.
    DialogueGate(String),
    /// `album-level:NAME`: an album measured as one, and its gain.
    AlbumLevel(String),
    /// `album-measure:NAME`: an album's tracks as delivered, measured as one.
    AlbumMeasurement(String),
    /// `album:NAME/NN`: an album's track `number` (from 1).
    Track { album: String, number: usize },
    /// `measure:NAME/NN`: an album track's loudness, peaks and clipping.
    TrackMeasurement { album: String, number: usize },
    /// `report:FILE`: a report written to `out/reports/FILE`.
    Report(String),
    /// `resample:stem:NAME` or `resample:cue:ID`: a clip's source at
    /// another rate, resampled to the project's (the clip's name).
    Resample(String),
}

/// A stage's id: what it renders and its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StageId {
    renders: Renders,
    text: String,
}

impl StageId {
    fn new(renders: Renders) -> StageId {
        let text = match &renders {
            Renders::Timeline => "timeline".to_owned(),
            Renders::Bus(name) => format!("bus:{name}"),
            Renders::Object(name) => format!("object:{name}"),
            Renders::Target(name) => format!("target:{name}"),
            Renders::Measurement(name) => format!("measure:{name}"),
            Renders::DialogueGate(name) => format!("dialogue:{name}"),
            Renders::AlbumLevel(album) => format!("album-level:{album}"),
            Renders::AlbumMeasurement(album) => format!("album-measure:{album}"),
            Renders::Track { album, number } => format!("album:{album}/{number:02}"),
            Renders::TrackMeasurement { album, number } => {
                format!("measure:{album}/{number:02}")
            }
            Renders::Report(file) => format!("report:{file}"),
            Renders::Resample(clip) => format!("resample:{clip}"),
        };
        StageId { renders, text }
    }

    /// `timeline`
    pub fn timeline() -> StageId {
        StageId::new(Renders::Timeline)
    }

    /// `bus:NAME`
    pub fn bus(name: &str) -> StageId {
        StageId::new(Renders::Bus(name.to_owned()))
    }

    /// `object:NAME`
    pub fn object(name: &str) -> StageId {
        StageId::new(Renders::Object(name.to_owned()))
    }

    /// `target:NAME`
    pub fn target(name: &str) -> StageId {
        StageId::new(Renders::Target(name.to_owned()))
    }

    /// `measure:NAME`, the measurement of target `NAME`.
    pub fn measurement(target: &str) -> StageId {
        StageId::new(Renders::Measurement(target.to_owned()))
    }

    /// `dialogue:NAME`, the dialogue gate of target `NAME`.
    pub fn dialogue_gate(target: &str) -> StageId {
        StageId::new(Renders::DialogueGate(target.to_owned()))
    }

    /// `album-level:NAME`, the level of album `NAME`.
    pub fn album_level(album: &str) -> StageId {
        StageId::new(Renders::AlbumLevel(album.to_owned()))
    }

    /// `album-measure:NAME`, the measurement of album `NAME`.
    pub fn album_measurement(album: &str) -> StageId {
        StageId::new(Renders::AlbumMeasurement(album.to_owned()))
    }

    /// `album:NAME/NN`, track `number` (from 1) of album `NAME`.
    pub fn track(album: &str, number: usize) -> StageId {
        StageId::new(Renders::Track {
            album: album.to_owned(),
            number,
        })
    }

    /// `measure:NAME/NN`, the measurement of track `number` of album `NAME`.
    pub fn track_measurement(album: &str, number: usize) -> StageId {
        StageId::new(Renders::TrackMeasurement {
            album: album.to_owned(),
            number,
        })
    }

    /// The id of the stage that measures this deliverable (`measure:NAME`
    /// for `target:NAME`, `measure:NAME/NN` for `album:NAME/NN`); `None`
    /// for a stage that is no deliverable.
    pub fn measured_by(&self) -> Option<StageId> {
        match &self.renders {
            Renders::Target(name) => Some(StageId::measurement(name)),
            Renders::Track { album, number } => Some(StageId::track_measurement(album, *number)),
            _ => None,
        }
    }

    /// The id of the deliverable a measurement stage measures
    /// (`target:NAME` for `measure:NAME`, `album:NAME/NN` for
    /// `measure:NAME/NN`); `None` for any other stage.
    pub fn measures(&self) -> Option<StageId> {
        match &self.renders {
            Renders::Measurement(name) => Some(StageId::target(name)),
            Renders::TrackMeasurement { album, number } => Some(StageId::track(album, *number)),
            _ => None,
        }
    }

    /// `resample:CLIP` for the clip `stem:NAME` or `cue:ID`.
    pub fn resample(clip: &str) -> StageId {
        StageId::new(Renders::Resample(clip.to_owned()))
    }

    /// `report:FILE`
    pub fn report(file: &str) -> StageId {
        StageId::new(Renders::Report(file.to_owned()))
    }

    /// What the stage renders.
    pub fn renders(&self) -> &Renders {
        &self.renders
    }

    /// The id's text, as the engine knows it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The id whose text is `text`, if `text` is one. Names are taken as
    /// written after the prefix (recipe names hold no `:` and no `/`); a
    /// track's number is the part after the album name's last `/`, and a
    /// measurement with a `/` is a track's.
    pub fn parse(text: &str) -> Option<StageId> {
        if text == "timeline" {
            return Some(StageId::timeline());
        }
        let (prefix, rest) = text.split_once(':')?;
        if rest.is_empty() {
            return None;
        }
        let track = |rest: &str| -> Option<(String, usize)> {
            let (album, number) = rest.rsplit_once('/')?;
            let number: usize = number.parse().ok()?;
            (!album.is_empty() && number != 0).then(|| (album.to_owned(), number))
        };
        let renders = match prefix {
            "bus" => Renders::Bus(rest.to_owned()),
            "object" => Renders::Object(rest.to_owned()),
            "target" => Renders::Target(rest.to_owned()),
            "measure" if rest.contains('/') => {
                let (album, number) = track(rest)?;
                Renders::TrackMeasurement { album, number }
            }
            "measure" => Renders::Measurement(rest.to_owned()),
            "dialogue" => Renders::DialogueGate(rest.to_owned()),
            "report" => Renders::Report(rest.to_owned()),
            "resample" if rest.starts_with("stem:") || rest.starts_with("cue:") => {
                Renders::Resample(rest.to_owned())
            }
            "album-level" => Renders::AlbumLevel(rest.to_owned()),
            "album-measure" => Renders::AlbumMeasurement(rest.to_owned()),
            "album" => {
                let (album, number) = track(rest)?;
                Renders::Track { album, number }
            }
            _ => return None,
        };
        let id = StageId::new(renders);
        // `album:ost/2` is not the text of `album:ost/02`.
        (id.text == text).then_some(id)
    }
}

impl Deref for StageId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for StageId {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for StageId {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for StageId {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for StageId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

impl From<StageId> for String {
    fn from(id: StageId) -> String {
        id.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_reads_back_as_itself() {
        for id in [
            StageId::timeline(),
            StageId::bus("PM"),
            StageId::object("flyby"),
            StageId::target("print_master"),
            StageId::measurement("print_master"),
            StageId::dialogue_gate("print_master"),
            StageId::track("ost", 2),
            StageId::track("a/b", 12),
            StageId::album_level("ost"),
            StageId::album_measurement("ost"),
            StageId::track_measurement("ost", 2),
            StageId::report("cuesheet.csv"),
            StageId::resample("stem:dx"),
            StageId::resample("cue:1M1"),
        ] {
            assert_eq!(StageId::parse(&id).as_ref(), Some(&id), "{id}");
        }
        assert_eq!(StageId::track("ost", 2).as_str(), "album:ost/02");
        assert_eq!(StageId::measurement("me").as_str(), "measure:me");
        assert_eq!(
            StageId::track_measurement("ost", 2).as_str(),
            "measure:ost/02"
        );
    }

    #[test]
    fn a_deliverable_and_its_measurement_name_each_other() {
        for (deliverable, measurement) in [
            (StageId::target("stereo"), StageId::measurement("stereo")),
            (
                StageId::track("ost", 2),
                StageId::track_measurement("ost", 2),
            ),
        ] {
            assert_eq!(deliverable.measured_by().as_ref(), Some(&measurement));
            assert_eq!(measurement.measures().as_ref(), Some(&deliverable));
        }
        assert_eq!(StageId::bus("PM").measured_by(), None);
        assert_eq!(StageId::report("rights.json").measures(), None);
    }

    #[test]
    fn text_that_is_no_id_is_refused() {
        for text in [
            "",
            "bus",
            "bus:",
            "stem:dx",
            "album:ost",
            "album:ost/x",
            "album:ost/0",
            "album:ost/2",
            "album:/01",
            "measure:ost/2",
            "measure:ost/0",
            "measure:/01",
        ] {
            assert_eq!(StageId::parse(text), None, "{text}");
        }
    }
}
