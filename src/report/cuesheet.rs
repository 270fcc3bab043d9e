//! The music cue sheet for the performing-rights societies: one row per cue
//! use in the picture (a cue with several `at` has a row for each), with its cue number, title, usage, in and out
//! timecodes and duration as placed (from `at`/`to`, trims and the audio's
//! real length), writers and publishers with society and share, artist,
//! label and ISRC.
//!
//! A cue is on the cue sheet when it reaches the mix of at least one target
//! (see [`crate::stages::mix`]); rows are in order of their in timecode.

use serde::Serialize;

use crate::{
    diagnostic::Diagnostic,
    model::reach::Reach,
    model::timing::{duration_timecode, placements, Placement},
    model::{CueType, FrameRate, Model, Party},
};

/// A writer or publisher on the cue sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueSheetParty {
    pub name: String,
    pub society: Option<String>,
    /// The share in percent.
    pub share: Option<f64>,
}

/// One use of a cue in the picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueSheetRow {
    pub cue: String,
    pub title: String,
    #[serde(rename = "type")]
    pub cue_type: &'static str,
    pub usage: Option<String>,
    #[serde(rename = "in")]
    pub start: Option<String>,
    #[serde(rename = "out")]
    pub end: Option<String>,
    /// The duration as `HH:MM:SS:FF`.
    pub duration: Option<String>,
    pub seconds: Option<f64>,
    pub writers: Vec<CueSheetParty>,
    pub publishers: Vec<CueSheetParty>,
    pub artist: Option<String>,
    pub label: Option<String>,
    pub isrc: Option<String>,
}

/// The cue sheet of a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueSheet {
    pub project: String,
    pub frame_rate: String,
    pub cues: Vec<CueSheetRow>,
}

/// Builds the cue sheet; errors are files whose headers cannot be read.
pub fn cue_sheet(model: &Model) -> Result<CueSheet, Vec<Diagnostic>> {
    let frame_rate = model
        .project
        .as_ref()
        .map_or(FrameRate::F24, |project| project.frame_rate);
    let mixes = Reach::of_all_targets(model);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, cue) in model.cues.iter().enumerate() {
        if !mixes.iter().any(|mix| mix.contains_cue(index)) {
            continue;
        }
        let placed = match placements(model, &cue.clip) {
            Ok(placed) => placed,
            Err(error) => {
                errors.push(*error);
                continue;
            }
        };
        // One row per use; a cue without `at` has one row without timing.
        let uses: Vec<Option<Placement>> = if placed.is_empty() {
            vec![None]
        } else {
            placed.into_iter().map(Some).collect()
        };
        for placed in uses {
            let order = placed.map(|placed| placed.start.frame_count(frame_rate));
            let row = CueSheetRow {
                cue: cue.id.name.clone(),
                title: cue.title.clone(),
                cue_type: match cue.cue_type.map(|kind| kind.value) {
                    Some(CueType::Song) => "song",
                    _ => "score",
                },
                usage: cue.usage.as_ref().map(|usage| usage.name.clone()),
                start: placed.map(|placed| placed.start.to_string()),
                end: placed.map(|placed| placed.end.to_string()),
                duration: placed
                    .map(|placed| duration_timecode(placed.frames, frame_rate).to_string()),
                seconds: placed.map(|placed| (placed.seconds * 1000.0).round() / 1000.0),
                writers: cue.writers.iter().map(party).collect(),
                publishers: cue.publishers.iter().map(party).collect(),
                artist: cue.artist.as_ref().map(|artist| artist.value.clone()),
                label: cue.label.as_ref().map(|label| label.value.clone()),
                isrc: cue.isrc.as_ref().map(|isrc| isrc.value.clone()),
            };
            rows.push((order.unwrap_or(u64::MAX), index, row));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    rows.sort_by_key(|(order, index, _)| (*order, *index));
    Ok(CueSheet {
        project: model
            .project
            .as_ref()
            .map(|project| project.title.clone())
            .unwrap_or_default(),
        frame_rate: FrameRate::as_written(frame_rate).to_owned(),
        cues: rows.into_iter().map(|(_, _, row)| row).collect(),
    })
}

fn party(party: &Party) -> CueSheetParty {
    CueSheetParty {
        name: party.name.clone(),
        society: party.society.as_ref().map(|society| society.name.clone()),
        share: party.share.map(|share| share.value),
    }
}

/// "J. Smith (BMI) 50%; K. Lee (ASCAP) 50%"
pub fn parties_text(parties: &[CueSheetParty]) -> String {
    parties
        .iter()
        .map(|party| {
            let mut text = party.name.clone();
            if let Some(society) = &party.society {
                text.push_str(&format!(" ({society})"));
            }
            if let Some(share) = party.share {
                let rounded = (share * 100.0).round() / 100.0;
                text.push_str(&format!(" {rounded}%"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One CSV field, quoted per RFC 4180 when it holds a comma, a quote or a
/// line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The cue sheet as CSV (RFC 4180: CRLF line ends, a header row).
pub fn to_csv(sheet: &CueSheet) -> String {
    let mut text = String::from(
        "cue,title,type,usage,in,out,duration,seconds,writers,publishers,artist,label,isrc\r\n",
    );
    for row in &sheet.cues {
        let fields = [
            row.cue.clone(),
            row.title.clone(),
            row.cue_type.to_owned(),
            row.usage.clone().unwrap_or_default(),
            row.start.clone().unwrap_or_default(),
            row.end.clone().unwrap_or_default(),
            row.duration.clone().unwrap_or_default(),
            row.seconds
                .map(|seconds| format!("{seconds:.3}"))
                .unwrap_or_default(),
            parties_text(&row.writers),
            parties_text(&row.publishers),
            row.artist.clone().unwrap_or_default(),
            row.label.clone().unwrap_or_default(),
            row.isrc.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        text.push_str(&line.join(","));
        text.push_str("\r\n");
    }
    text
}

/// The cue sheet as pretty-printed JSON.
pub fn to_json(sheet: &CueSheet) -> String {
    let mut text = serde_json::to_string_pretty(sheet).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_what_needs_it() {
        assert_eq!(csv_field("Ocean Drive"), "Ocean Drive");
        assert_eq!(csv_field("Lights, Camera"), "\"Lights, Camera\"");
        assert_eq!(csv_field("The \"Big\" One"), "\"The \"\"Big\"\" One\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
