//! One deliverable's loudness plot as inline SVG, drawn with `plotters`:
//! its momentary and short-term loudness and its true peak over the
//! programme's timecode, with the spec's target loudness, its tolerance
//! band and its true-peak ceiling.
//!
//! The curve has a point per 100 ms; a plot of a long programme shows at
//! most [`MAX_POINTS`] per line, each the highest of the points it
//! stands for (a peak is never smoothed away). Points before a window is
//! full are left out; silence sits on the plot's floor.

use plotters::prelude::*;

use crate::{
    model::time::{FrameRate, Timecode},
    stages::curve::{level, Curve, POINTS_PER_SECOND},
};

/// The most points a line of one plot draws.
pub const MAX_POINTS: usize = 1500;

/// The plot's floor and ceiling in LUFS / dBTP.
const FLOOR: f64 = -60.0;
const CEILING: f64 = 3.0;

/// The colours of the lines: momentary, short-term, true peak.
pub const MOMENTARY: RGBColor = RGBColor(158, 202, 225);
pub const SHORT_TERM: RGBColor = RGBColor(33, 102, 172);
pub const TRUE_PEAK: RGBColor = RGBColor(214, 96, 77);
const BAND: RGBColor = RGBColor(102, 189, 99);

/// What a plot marks from the spec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// The target loudness and its tolerance, in LUFS and LU.
    pub loudness: Option<(f64, f64)>,
    /// The true-peak ceiling in dBTP.
    pub true_peak: Option<f64>,
}

/// Where the programme starts on the clock, to label the time axis.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub frame_rate: FrameRate,
    pub drop_frame: bool,
    /// The first sample's position since midnight, at `sample_rate`.
    pub start_sample: u64,
    pub sample_rate: u32,
}

impl Clock {
    /// The timecode `seconds` into the programme.
    fn timecode(&self, seconds: f64) -> String {
        let offset = (seconds.max(0.0) * f64::from(self.sample_rate)).round() as u64;
        Timecode::from_samples(
            self.start_sample.saturating_add(offset),
            self.frame_rate,
            self.drop_frame,
            self.sample_rate.max(1),
        )
        .to_string()
    }
}

/// The SVG of `curve`, `title` its accessible name (escaped by the caller).
pub fn svg(curve: &Curve, limits: Limits, clock: Clock, title: &str) -> Result<String, String> {
    let seconds = (curve.len().max(1) as f64) / f64::from(POINTS_PER_SECOND);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (960, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|error| error.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(52)
            .build_cartesian_2d(0.0..seconds, FLOOR..CEILING)
            .map_err(|error| error.to_string())?;
        let label = |x: &f64| clock.timecode(*x);
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(8)
            .x_label_formatter(&label)
            .y_label_formatter(&|y: &f64| format!("{y:.0}"))
            .y_desc("LUFS / dBTP")
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(|error| error.to_string())?;
        if let Some((target, tolerance)) = limits.loudness {
            let low = (target - tolerance).max(FLOOR);
            let high = (target + tolerance).min(CEILING);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, low), (seconds, high)],
                    BAND.mix(0.18).filled(),
                )))
                .map_err(|error| error.to_string())?;
            chart
                .draw_series(LineSeries::new(
                    [(0.0, target), (seconds, target)],
                    BAND.stroke_width(1),
                ))
                .map_err(|error| error.to_string())?;
        }
        if let Some(ceiling) = limits.true_peak {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, ceiling), (seconds, ceiling)],
                    TRUE_PEAK.mix(0.6).stroke_width(1),
                ))
                .map_err(|error| error.to_string())?;
        }
        for (series, colour, width) in [
            (&curve.momentary, MOMENTARY, 1),
            (&curve.short_term, SHORT_TERM, 2),
            (&curve.true_peak, TRUE_PEAK, 1),
        ] {
            for run in runs(series) {
                chart
                    .draw_series(LineSeries::new(run, colour.stroke_width(width)))
                    .map_err(|error| error.to_string())?;
            }
        }
        root.present().map_err(|error| error.to_string())?;
    }
    // Inline in HTML the SVG namespace is implied; the page names no URL.
    let text = text.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
    let opening = format!("<svg class=\"plot\" role=\"img\" aria-label=\"{title}\" ");
    Ok(text.replacen("<svg ", &opening, 1))
}

/// The points of `series` to draw, as (seconds, level) runs between the
/// points without a value, at most [`MAX_POINTS`] in all: each the highest
/// of the points it stands for.
fn runs(series: &[i16]) -> Vec<Vec<(f64, f64)>> {
    let step = series.len().div_ceil(MAX_POINTS).max(1);
    let mut runs = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (bucket, values) in series.chunks(step).enumerate() {
        let highest = values
            .iter()
            .filter_map(|value| level(*value))
            .fold(None, |highest: Option<f64>, value| {
                Some(highest.map_or(value, |highest| highest.max(value)))
            });
        match highest {
            Some(value) => {
                // A point stands at the end of its 100 ms.
                let seconds =
                    ((bucket * step + values.len()) as f64) / f64::from(POINTS_PER_SECOND);
                run.push((seconds, value.clamp(FLOOR, CEILING)));
            }
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_curves_are_thinned_to_their_peaks() {
        let mut series = vec![crate::stages::curve::NONE; 29];
        series.extend((0..72_000).map(|index| if index == 5000 { -100 } else { -2300 }));
        let runs = runs(&series);
        assert_eq!(runs.len(), 1);
        assert!(runs[0].len() <= MAX_POINTS);
        let loudest = runs[0].iter().map(|point| point.1).fold(f64::MIN, f64::max);
        assert_eq!(loudest, -1.0);
    }

    #[test]
    fn a_plot_is_an_svg_with_timecode_labels_and_no_url() {
        let mut curve = Curve::default();
        for index in 0..600 {
            let level = -23.0 + f64::from(index % 50) / 10.0;
            curve.push(Some(level), (index >= 29).then_some(level), 0.25);
        }
        let clock = Clock {
            frame_rate: FrameRate::from_fps(24.0).unwrap(),
            drop_frame: false,
            start_sample: 3600 * 48_000,
            sample_rate: 48_000,
        };
        let limits = Limits {
            loudness: Some((-23.0, 1.0)),
            true_peak: Some(-1.0),
        };
        let svg = svg(&curve, limits, clock, "stereo").unwrap();
        assert!(svg.starts_with("<svg class=\"plot\" role=\"img\" aria-label=\"stereo\" "));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("01:00:00:00"), "{svg}");
        assert!(svg.contains("<text"));
        assert!(!svg.contains("http"));
        assert_eq!(svg.matches("<svg").count(), 1);
    }
}
