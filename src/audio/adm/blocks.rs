//! An object's movement compiled to audioBlockFormats on a sample-exact
//! grid: what the ADM master writes and what a renderer of the scene reads,
//! so that both place the object alike.
//!
//! The rule: the programme `[0, frames)` is cut at every path point inside
//! it, and each stretch between two points where the object moves (a
//! straight line, the later point not a `jump`) is cut again into
//! `ceil(length / grid)` blocks of near-equal length (boundaries at
//! `start + floor(k · length / n)` samples), `grid` being 1024 samples at
//! 48 kHz (21.3 ms; scaled with the rate: `rate / 46.875`, 2048 at 96 kHz).
//! A path's points always end blocks (neighbouring blocks of one position
//! are otherwise one). Each block holds the object's position at the
//! block's end, the line's there, reached as the Dolby Atmos Master ADM Profile asks: `jumpPosition`
//! 1 with an `interpolationLength` of 0 on the first block and 0.005208 s
//! after (250 samples at 48 kHz), so the object glides to each block's
//! position over its first 5.2 ms and holds it. Where the object stands
//! still (before its first point, after its last, and up to a `jump`) one
//! block spans the stretch between points; a jump is the block that starts at the
//! jump point. An object that never moves has one block, the programme
//! long.

/// One point of an object's path, on the programme's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Samples from the programme's first sample (negative before it).
    pub at: i64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
    /// Reached at once from the point before.
    pub jump: bool,
}

/// One audioBlockFormat: a stretch of the programme and the position the
/// object reaches in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    /// First sample (`rtime`), from the programme's start.
    pub start: u64,
    /// Length in samples (`duration`).
    pub frames: u64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
    /// Samples over which the object moves from the previous block's
    /// position to this one's (`interpolationLength`; 0 for the first).
    pub interpolation: u64,
}

/// The grid of a moving stretch at `rate`: 1024 samples at 48 kHz.
pub fn grid(rate: u32) -> u64 {
    (u64::from(rate) * 1024 / 48_000).max(1)
}

/// The profile's interpolation length at `rate`, 0.005208 s rounded to
/// whole samples (250 at 48 kHz, 500 at 96 kHz).
pub fn interpolation(rate: u32) -> u64 {
    (f64::from(rate) * 0.005208).round() as u64
}

/// The blocks of an object whose path is `points` (in time order, as the
/// resolver leaves them) over a programme of `frames` samples at `rate`.
/// An empty path (never, for a resolved object) stands at the front
/// centre.
pub fn compile(points: &[Point], frames: u64, rate: u32) -> Vec<Block> {
    let frames = frames.max(1);
    let end = i64::try_from(frames).unwrap_or(i64::MAX);
    let first = points.first().copied().unwrap_or(Point {
        at: 0,
        x: 0.0,
        y: 1.0,
        z: 0.0,
        jump: false,
    });
    let position = |t: i64| -> (f64, f64, f64) { position_before(points, first, t) };
    // The boundaries: 0, every point inside the programme, and the grid of
    // every moving stretch; then the end.
    let mut cuts: Vec<i64> = vec![0];
    let grid = grid(rate) as i64;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.jump || b.at <= a.at {
            continue;
        }
        let length = b.at - a.at;
        let n = (length + grid - 1) / grid;
        for k in 0..=n {
            cuts.push(a.at + k * length / n);
        }
    }
    // A path's points end blocks (a lone `position` cuts nothing).
    let kept: Vec<i64> = if points.len() > 1 {
        points.iter().map(|point| point.at).collect()
    } else {
        Vec::new()
    };
    cuts.extend(&kept);
    cuts.push(end);
    cuts.retain(|cut| (0..=end).contains(cut));
    cuts.sort_unstable();
    cuts.dedup();
    let step = interpolation(rate);
    let mut blocks: Vec<Block> = Vec::new();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (x, y, z) = position(b);
        if let Some(last) = blocks.last_mut() {
            if (last.x, last.y, last.z) == (x, y, z) && !kept.contains(&a) {
                last.frames += (b - a) as u64;
                continue;
            }
        }
        blocks.push(Block {
            start: a as u64,
            frames: (b - a) as u64,
            x,
            y,
            z,
            interpolation: if blocks.is_empty() { 0 } else { step },
        });
    }
    blocks
}

/// Where the object is just before sample `t` (its position at `t` on a
/// line, the held point before a jump at `t`).
fn position_before(points: &[Point], first: Point, t: i64) -> (f64, f64, f64) {
    if t <= first.at {
        return (first.x, first.y, first.z);
    }
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if t <= b.at {
            if b.jump || b.at <= a.at {
                return (a.x, a.y, a.z);
            }
            let f = (t - a.at) as f64 / (b.at - a.at) as f64;
            return (
                a.x + (b.x - a.x) * f,
                a.y + (b.y - a.y) * f,
                a.z + (b.z - a.z) * f,
            );
        }
    }
    let last = points.last().copied().unwrap_or(first);
    (last.x, last.y, last.z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at: i64, x: f64, jump: bool) -> Point {
        Point {
            at,
            x,
            y: 1.0,
            z: 0.0,
            jump,
        }
    }

    #[test]
    fn a_still_object_is_one_block_the_programme_long() {
        let blocks = compile(&[point(500, 0.5, false)], 48_000, 48_000);
        assert_eq!(blocks.len(), 1);
        assert_eq!((blocks[0].start, blocks[0].frames), (0, 48_000));
        assert_eq!((blocks[0].x, blocks[0].interpolation), (0.5, 0));
    }

    #[test]
    fn a_line_is_cut_on_the_grid_and_each_block_ends_on_the_line() {
        // Still until 4800, a line to 4800 + 4096 (four grid blocks), still after.
        let blocks = compile(
            &[point(4_800, -1.0, false), point(8_896, 1.0, false)],
            20_000,
            48_000,
        );
        let spans: Vec<(u64, u64)> = blocks.iter().map(|b| (b.start, b.frames)).collect();
        assert_eq!(
            spans,
            [
                (0, 4_800),
                (4_800, 1_024),
                (5_824, 1_024),
                (6_848, 1_024),
                (7_872, 1_024),
                (8_896, 11_104)
            ]
        );
        let xs: Vec<f64> = blocks.iter().map(|b| b.x).collect();
        assert_eq!(xs, [-1.0, -0.5, 0.0, 0.5, 1.0, 1.0]);
        assert_eq!(blocks[0].interpolation, 0);
        assert!(blocks[1..].iter().all(|b| b.interpolation == 250));
        let total: u64 = blocks.iter().map(|b| b.frames).sum();
        assert_eq!(total, 20_000);
    }

    #[test]
    fn a_jump_holds_the_point_before_then_starts_a_block_at_the_new_one() {
        let blocks = compile(
            &[point(0, -1.0, false), point(10_000, 1.0, true)],
            20_000,
            48_000,
        );
        let spans: Vec<(u64, u64, f64)> = blocks.iter().map(|b| (b.start, b.frames, b.x)).collect();
        assert_eq!(spans, [(0, 10_000, -1.0), (10_000, 10_000, 1.0)]);
        assert_eq!(blocks[1].interpolation, 250);
    }

    #[test]
    fn points_outside_the_programme_clip_to_it() {
        let blocks = compile(
            &[point(-2_048, -1.0, false), point(2_048, 1.0, false)],
            2_048,
            48_000,
        );
        assert_eq!(blocks.first().map(|b| b.start), Some(0));
        let total: u64 = blocks.iter().map(|b| b.frames).sum();
        assert_eq!(total, 2_048);
        assert_eq!(blocks.last().map(|b| b.x), Some(1.0));
    }
}
