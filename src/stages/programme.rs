//! The programme as the buses render it: the long play, which joins the
//! reels in timecode order (or, without reels, the one stretch from the
//! first clip to the last, or to the programme's `end`), and where a clip
//! placed on the picture's clock lands in it.
//!
//! A clip plays in every reel it overlaps, cut to that reel; what lies
//! outside every reel (a head leader, a 2-pop) is not in the long play. A
//! reel's target renders that reel alone: the stretch of the long play
//! that holds it.

use miette::IntoDiagnostic;

use crate::{
    audio::{Source, Trim},
    stages::{mix::Extent, timeline::Timeline},
};

/// One stretch of the programme: where it is on the picture's clock and
/// where it is in the long play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The reel, or `None` for the programme of a project without reels.
    pub reel: Option<String>,
    /// Its first sample, since midnight.
    pub start: u64,
    pub frames: u64,
    /// Its first sample in the long play.
    pub offset: u64,
}

impl Segment {
    fn end(&self) -> u64 {
        self.start.saturating_add(self.frames)
    }
}

/// The part of a clip that plays in one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Samples of the clip before the piece (cut at the reel's start).
    pub skip: u64,
    pub frames: u64,
    /// Where the piece starts in what is rendered.
    pub offset: u64,
}

impl Timeline {
    /// The programme's segments, in long-play order.
    pub fn segments(&self) -> Vec<Segment> {
        if self.reels.is_empty() {
            return vec![Segment {
                reel: None,
                start: self.start,
                frames: self.frames,
                offset: 0,
            }];
        }
        let mut offset = 0;
        self.reels
            .iter()
            .map(|reel| {
                let segment = Segment {
                    reel: Some(reel.name.clone()),
                    start: reel.start,
                    frames: reel.frames,
                    offset,
                };
                offset += reel.frames;
                segment
            })
            .collect()
    }

    /// Reel `name`'s segment of the long play.
    pub fn reel(&self, name: &str) -> Option<Segment> {
        self.segments()
            .into_iter()
            .find(|segment| segment.reel.as_deref() == Some(name))
    }

    /// What is rendered: reel `reel` alone (from offset 0), or the whole
    /// long play; `None` when the timeline has no such reel.
    pub fn window(&self, reel: Option<&str>) -> Option<Vec<Segment>> {
        match reel {
            None => Some(self.segments()),
            Some(name) => {
                let segment = self.reel(name)?;
                Some(vec![Segment {
                    offset: 0,
                    ..segment
                }])
            }
        }
    }
}

/// The pieces of a clip at `extent` that play in `segments`, in order.
pub fn place(extent: Extent, segments: &[Segment]) -> Vec<Piece> {
    let end = extent.start.saturating_add(extent.frames);
    segments
        .iter()
        .filter_map(|segment| {
            let from = extent.start.max(segment.start);
            let to = end.min(segment.end());
            (from < to).then(|| Piece {
                skip: from - extent.start,
                frames: to - from,
                offset: segment.offset + (from - segment.start),
            })
        })
        .collect()
}

/// `frames` of `source` from `skip` on (the stretch of a long-play file
/// that holds one reel); the whole source when that is all of it.
pub fn stretch(source: Box<dyn Source>, skip: u64, frames: u64) -> miette::Result<Box<dyn Source>> {
    let total = source.frames();
    if skip == 0 && frames == total {
        return Ok(source);
    }
    let tail = total
        .checked_sub(skip.saturating_add(frames))
        .ok_or_else(|| {
            miette::miette!("a long-play file of {total} frames has no {frames} frames from {skip}")
        })?;
    Ok(Box::new(Trim::new(source, skip, tail).into_diagnostic()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::timeline::ReelSpan;

    fn two_reels() -> Timeline {
        Timeline {
            start: 1000,
            frames: 300,
            reels: vec![
                ReelSpan {
                    name: "R1".into(),
                    start: 1000,
                    frames: 100,
                },
                ReelSpan {
                    name: "R2".into(),
                    start: 5000,
                    frames: 200,
                },
            ],
        }
    }

    #[test]
    fn reels_are_joined_without_gaps() {
        let segments = two_reels().segments();
        assert_eq!(segments[0].offset, 0);
        assert_eq!(segments[1].offset, 100);
        assert_eq!(segments[1].start, 5000);
    }

    #[test]
    fn a_clip_is_cut_to_its_reel_and_what_lies_outside_is_left_out() {
        let segments = two_reels().segments();
        // A 2-pop before the first reel: not in the long play.
        assert!(place(
            Extent {
                start: 900,
                frames: 10
            },
            &segments
        )
        .is_empty());
        // Inside reel 1, whole.
        let pieces = place(
            Extent {
                start: 1010,
                frames: 20,
            },
            &segments,
        );
        assert_eq!(
            pieces,
            [Piece {
                skip: 0,
                frames: 20,
                offset: 10
            }]
        );
        // Running past reel 1's end: cut there.
        let pieces = place(
            Extent {
                start: 1090,
                frames: 50,
            },
            &segments,
        );
        assert_eq!(
            pieces,
            [Piece {
                skip: 0,
                frames: 10,
                offset: 90
            }]
        );
        // Starting before reel 2 (a pre-lap): only what is inside plays.
        let pieces = place(
            Extent {
                start: 4990,
                frames: 20,
            },
            &segments,
        );
        assert_eq!(
            pieces,
            [Piece {
                skip: 10,
                frames: 10,
                offset: 100
            }]
        );
    }

    #[test]
    fn a_reel_alone_starts_at_zero() {
        let timeline = two_reels();
        let window = timeline.window(Some("R2")).unwrap();
        let pieces = place(
            Extent {
                start: 5000,
                frames: 20,
            },
            &window,
        );
        assert_eq!(
            pieces,
            [Piece {
                skip: 0,
                frames: 20,
                offset: 0
            }]
        );
        assert!(timeline.window(Some("R3")).is_none());
    }

    #[test]
    fn without_reels_the_programme_is_one_stretch() {
        let timeline = Timeline {
            start: 1000,
            frames: 50,
            reels: Vec::new(),
        };
        let pieces = place(
            Extent {
                start: 1040,
                frames: 20,
            },
            &timeline.segments(),
        );
        // Cut at the programme's end.
        assert_eq!(
            pieces,
            [Piece {
                skip: 0,
                frames: 10,
                offset: 40
            }]
        );
    }
}
