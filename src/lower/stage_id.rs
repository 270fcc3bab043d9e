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
    /// `target:NAME`: a deliverable.
    Target(String),
    /// `measure:NAME`: a deliverable's loudness and peaks.
    Measurement(String),
    /// `dialogue:NAME`: the dialogue that gates a deliverable's loudness,
    /// summed to mono on the timeline.
    DialogueGate(String),
    /// `album:NAME/NN`: an album's track `number` (from 1).
    Track { album: String, number: usize },
    /// `report:FILE`: a report written to `out/reports/FILE`.
    Report(String),
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
            Renders::Target(name) => format!("target:{name}"),
            Renders::Measurement(name) => format!("measure:{name}"),
            Renders::DialogueGate(name) => format!("dialogue:{name}"),
            Renders::Track { album, number } => format!("album:{album}/{number:02}"),
            Renders::Report(file) => format!("report:{file}"),
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

    /// `album:NAME/NN`, track `number` (from 1) of album `NAME`.
    pub fn track(album: &str, number: usize) -> StageId {
        StageId::new(Renders::Track {
            album: album.to_owned(),
            number,
        })
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
    /// written after the prefix (recipe names hold no `:`); a track's
    /// number is the part after the album name's last `/`.
    pub fn parse(text: &str) -> Option<StageId> {
        if text == "timeline" {
            return Some(StageId::timeline());
        }
        let (prefix, rest) = text.split_once(':')?;
        if rest.is_empty() {
            return None;
        }
        let renders = match prefix {
            "bus" => Renders::Bus(rest.to_owned()),
            "target" => Renders::Target(rest.to_owned()),
            "measure" => Renders::Measurement(rest.to_owned()),
            "dialogue" => Renders::DialogueGate(rest.to_owned()),
            "report" => Renders::Report(rest.to_owned()),
            "album" => {
                let (album, number) = rest.rsplit_once('/')?;
                let number: usize = number.parse().ok()?;
                if album.is_empty() || number == 0 {
                    return None;
                }
                Renders::Track {
                    album: album.to_owned(),
                    number,
                }
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
            StageId::target("print_master"),
            StageId::measurement("print_master"),
            StageId::dialogue_gate("print_master"),
            StageId::track("ost", 2),
            StageId::track("a/b", 12),
            StageId::report("cuesheet.csv"),
        ] {
            assert_eq!(StageId::parse(&id).as_ref(), Some(&id), "{id}");
        }
        assert_eq!(StageId::track("ost", 2).as_str(), "album:ost/02");
        assert_eq!(StageId::measurement("me").as_str(), "measure:me");
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
        ] {
            assert_eq!(StageId::parse(text), None, "{text}");
        }
    }
}
