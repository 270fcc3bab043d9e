//! The allocentric point-source panner of ITU-R BS.2127 for cartesian
//! positions.
//!
//! The loudspeakers sit on a grid in the room-centric cube: in horizontal
//! planes (one Z each), each plane in rows (one Y each), each row in
//! columns (one X each). A position is panned separably: between the two
//! planes that bracket its Z, within each plane between the two rows that
//! bracket its Y, within each row between the two loudspeakers that
//! bracket its X. Each of these is a sine/cosine balance pan: at a fraction
//! `a` of the way from the lower to the upper value the gains are
//! `cos(a·π/2)` and `sin(a·π/2)`. A coordinate on a value, or beyond the
//! first or the last, goes to that value alone at unity. A loudspeaker's
//! gain is the product of its plane's, its row's and its column's gains.
//!
//! Because `cos² + sin² = 1` at every stage, the squared gains always sum
//! to one: the panner is power-normalised by construction and needs no
//! further normalisation, and a position on a loudspeaker gives that
//! loudspeaker alone at unity.

use std::f64::consts::FRAC_PI_2;

use super::target::Position;

/// One row: loudspeakers sorted by X, each with its index in the layout.
#[derive(Debug, Clone)]
struct Row {
    y: f64,
    columns: Vec<(f64, usize)>,
}

/// One plane: rows sorted by Y.
#[derive(Debug, Clone)]
struct Plane {
    z: f64,
    rows: Vec<Row>,
}

/// The allocentric panner over a set of (non-LFE) loudspeaker positions.
#[derive(Debug, Clone)]
pub struct AllocentricPanner {
    planes: Vec<Plane>,
    channels: usize,
}

/// Where a value falls among sorted grid values: one index at unity, or two
/// with their balance gains.
enum Bracket {
    One(usize),
    Two(usize, f64, usize, f64),
}

fn bracket(values: impl ExactSizeIterator<Item = f64> + Clone, v: f64) -> Bracket {
    let n = values.len();
    let mut previous: Option<(usize, f64)> = None;
    for (i, value) in values.enumerate() {
        if v == value {
            return Bracket::One(i);
        }
        if value > v {
            return match previous {
                None => Bracket::One(i),
                Some((j, lower)) => {
                    let a = (v - lower) / (value - lower) * FRAC_PI_2;
                    Bracket::Two(j, a.cos(), i, a.sin())
                }
            };
        }
        previous = Some((i, value));
    }
    Bracket::One(n.saturating_sub(1))
}

impl AllocentricPanner {
    /// A panner over `positions` (the gains it returns are in this order).
    /// Two loudspeakers at one position are kept apart: the later one is
    /// put beside the earlier in its row, which never happens for the
    /// layouts of [`super::TargetLayout`].
    pub fn new(positions: &[Position]) -> Self {
        let mut planes: Vec<Plane> = Vec::new();
        for (index, p) in positions.iter().enumerate() {
            let plane = match planes.iter().position(|pl| pl.z == p.z) {
                Some(i) => i,
                None => {
                    planes.push(Plane {
                        z: p.z,
                        rows: Vec::new(),
                    });
                    planes.len() - 1
                }
            };
            let rows = &mut planes[plane].rows;
            let row = match rows.iter().position(|r| r.y == p.y) {
                Some(i) => i,
                None => {
                    rows.push(Row {
                        y: p.y,
                        columns: Vec::new(),
                    });
                    rows.len() - 1
                }
            };
            rows[row].columns.push((p.x, index));
        }
        planes.sort_by(|a, b| a.z.total_cmp(&b.z));
        for plane in &mut planes {
            plane.rows.sort_by(|a, b| a.y.total_cmp(&b.y));
            for row in &mut plane.rows {
                row.columns.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
        }
        Self {
            planes,
            channels: positions.len(),
        }
    }

    /// The number of loudspeakers.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The gains for a source at `position`, one per loudspeaker.
    pub fn gains(&self, position: Position) -> Vec<f64> {
        let mut gains = vec![0.0; self.channels];
        let z_values = self.planes.iter().map(|p| p.z);
        for (plane, gz) in pairs(bracket(z_values, position.z)) {
            let Some(plane) = self.planes.get(plane) else {
                continue;
            };
            let y_values = plane.rows.iter().map(|r| r.y);
            for (row, gy) in pairs(bracket(y_values, position.y)) {
                let Some(row) = plane.rows.get(row) else {
                    continue;
                };
                let x_values = row.columns.iter().map(|c| c.0);
                for (column, gx) in pairs(bracket(x_values, position.x)) {
                    if let Some(&(_, index)) = row.columns.get(column) {
                        if let Some(g) = gains.get_mut(index) {
                            *g = gz * gy * gx;
                        }
                    }
                }
            }
        }
        gains
    }
}

fn pairs(b: Bracket) -> Vec<(usize, f64)> {
    match b {
        Bracket::One(i) => vec![(i, 1.0)],
        Bracket::Two(i, gi, j, gj) => vec![(i, gi), (j, gj)],
    }
}
