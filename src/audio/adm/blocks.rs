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
//!
//! Every path point and every cut is then put on the nearest multiple of
//! the [`quantum`] (12 samples at 48 kHz, 24 at 96 kHz: 250 µs), the
//! fewest samples that are a whole number of the 10 µs an ADM time
//! (`hh:mm:ss.zzzzz`) counts in, so that each block's `rtime` and
//! `duration` are exact in the file, the blocks tile it exactly, and any
//! renderer of the master (ear, the Dolby Atmos Renderer) starts each
//! block on the very sample sndtrk's re-render does. Only the programme's
//! end, where the last block ends, is written to the nearest 10 µs.

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

/// The fewest samples at `rate` that make a whole number of 10 µs (12
/// at 48 kHz, 24 at 96 kHz).
pub fn quantum(rate: u32) -> u64 {
    let rate = u64::from(rate.max(1));
    let (mut a, mut b) = (rate, 100_000u64);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    rate / a
}

/// `t` on the nearest multiple of `q`.
fn snap(t: i64, q: i64) -> i64 {
    (t + q / 2).div_euclid(q) * q
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
    let q = quantum(rate) as i64;
    // On the quantum; a point in the programme stays in it (at worst on
    // its end, the one time not on the quantum).
    let snapped: Vec<Point> = points
        .iter()
        .map(|point| {
            let at = snap(point.at, q);
            Point {
                at: if point.at <= end && at > end { end } else { at },
                ..*point
            }
        })
        .collect();
    let points = snapped.as_slice();
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
            cuts.push(snap(a.at + k * length / n, q));
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
        // Still until 4800, a line to 4800 + 4096 (four grid blocks, on the
        // 12-sample quantum: the end point 8896 is 8892), still after.
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
                (4_800, 1_020),
                (5_820, 1_032),
                (6_852, 1_020),
                (7_872, 1_020),
                (8_892, 11_108)
            ]
        );
        // Each block at its end's place on the line from 4800 to 8892.
        for block in &blocks {
            let end = (block.start + block.frames).min(8_892) as f64;
            let x = (-1.0 + 2.0 * (end - 4_800.0).max(0.0) / 4_092.0).min(1.0);
            assert!((block.x - x).abs() < 1e-12, "{block:?} for {x}");
        }
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
        // 10 000 samples is not on the 12-sample quantum: 9 996 is.
        assert_eq!(spans, [(0, 9_996, -1.0), (9_996, 10_004, 1.0)]);
        assert_eq!(blocks[1].interpolation, 250);
    }

    #[test]
    fn every_block_time_is_a_whole_number_of_ten_microseconds() {
        for rate in [48_000u32, 96_000] {
            let q = quantum(rate);
            assert_eq!(q * 100_000 % u64::from(rate), 0);
            let blocks = compile(
                &[
                    point(1_001, -1.0, false),
                    point(50_003, 1.0, false),
                    point(77_777, -0.5, true),
                    point(90_001, 0.5, false),
                ],
                100_001,
                rate,
            );
            for pair in blocks.windows(2) {
                assert_eq!(pair[0].start + pair[0].frames, pair[1].start);
                assert_eq!(pair[1].start % q, 0, "{rate}: {:?}", pair[1]);
            }
            let total: u64 = blocks.iter().map(|b| b.frames).sum();
            assert_eq!(total, 100_001);
        }
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
