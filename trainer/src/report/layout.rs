//! Where everything of a [`LineChart`] goes, in pixels: computed once and drawn by both the
//! SVG and the PNG renderer, so the two images show the same chart.

use crate::report::chart::{LineChart, PALETTE, Rgb};
use crate::report::scale::Scale;

/// Pixels between the plot and the image edge: left (tick labels and y label), right, top
/// (title) and bottom (tick labels and x label).
const MARGIN: (f64, f64, f64, f64) = (104.0, 24.0, 48.0, 64.0);

/// A rectangle in pixels, y growing downwards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// A tick: its pixel position along its axis and its label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedTick {
    pub pos: f64,
    pub label: String,
}

/// A series mapped to pixels.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedSeries {
    pub name: String,
    pub color: Rgb,
    pub points: Vec<(f64, f64)>,
}

/// The laid-out chart. Text positions are the centres of the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Layout {
    pub width: f64,
    pub height: f64,
    pub plot: Rect,
    pub x_ticks: Vec<PlacedTick>,
    pub y_ticks: Vec<PlacedTick>,
    pub series: Vec<PlacedSeries>,
    pub title: (f64, f64),
    pub x_label: (f64, f64),
    pub y_label: (f64, f64),
    /// Whether to draw a legend (two or more series).
    pub legend: bool,
    /// Whether no series has a point to draw.
    pub empty: bool,
}

/// Series with at most this many points also get a dot at each point.
pub(crate) const MARKER_LIMIT: usize = 40;

impl LineChart {
    /// Lays the chart out at its pixel size.
    pub(crate) fn layout(&self) -> Layout {
        let (width, height) = (f64::from(self.width), f64::from(self.height));
        let plot = Rect {
            left: MARGIN.0,
            top: MARGIN.2,
            right: width - MARGIN.1,
            bottom: height - MARGIN.3,
        };
        let shown =
            |&&(x, y): &&(f64, f64)| x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0);
        let all = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter().filter(shown))
        };
        let x_scale = Scale::fit(all().map(|p| p.0), self.log_x, false);
        let y_scale = Scale::fit(all().map(|p| p.1), false, true);
        let whole_x = all().all(|p| p.0.fract() == 0.0);
        let to_x = |v: f64| plot.left + x_scale.fraction(v) * (plot.right - plot.left);
        let to_y = |v: f64| plot.bottom - y_scale.fraction(v) * (plot.bottom - plot.top);
        let place = |ticks: Vec<crate::report::scale::Tick>, to: &dyn Fn(f64) -> f64| {
            ticks
                .into_iter()
                .map(|t| PlacedTick {
                    pos: to(t.value),
                    label: t.label,
                })
                .collect()
        };
        let series: Vec<PlacedSeries> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| PlacedSeries {
                name: s.name.clone(),
                color: s.color.unwrap_or(PALETTE[i % PALETTE.len()]),
                points: s
                    .points
                    .iter()
                    .filter(shown)
                    .map(|&(x, y)| (to_x(x), to_y(y)))
                    .collect(),
            })
            .collect();
        Layout {
            width,
            height,
            plot,
            x_ticks: place(x_scale.ticks(7, whole_x), &to_x),
            y_ticks: place(y_scale.ticks(6, false), &to_y),
            empty: series.iter().all(|s| s.points.is_empty()),
            legend: series.len() >= 2,
            series,
            title: (width / 2.0, MARGIN.2 / 2.0),
            x_label: ((plot.left + plot.right) / 2.0, height - 18.0),
            y_label: (20.0, (plot.top + plot.bottom) / 2.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Series;

    #[test]
    fn points_fill_the_plot_from_first_to_last_step() {
        let chart = LineChart::new("loss").with_series(Series::new(
            "loss",
            vec![(10.0, 1.0), (20.0, 0.5), (30.0, f64::NAN), (40.0, 0.25)],
        ));
        let layout = chart.layout();
        let points = &layout.series[0].points;
        assert_eq!(points.len(), 3);
        assert_eq!(points[0].0, layout.plot.left);
        assert_eq!(points[2].0, layout.plot.right);
        // y is padded, so the extremes sit inside the plot, highest value on top.
        assert!(points[0].1 > layout.plot.top && points[2].1 < layout.plot.bottom);
        assert!(points[0].1 < points[2].1);
        assert!(!layout.legend && !layout.empty);
        assert!(
            layout
                .x_ticks
                .iter()
                .all(|t| t.pos >= layout.plot.left - 1e-9)
        );
    }

    #[test]
    fn a_log_axis_drops_points_it_cannot_show() {
        let chart = LineChart::new("lr find")
            .with_log_x(true)
            .with_series(Series::new("a", vec![(0.0, 1.0), (1e-5, 1.0), (1e-1, 2.0)]))
            .with_series(Series::new("b", vec![]));
        let layout = chart.layout();
        assert_eq!(layout.series[0].points.len(), 2);
        assert_eq!(chart.drawn_points(0), 2);
        assert!(layout.legend);
        assert_eq!(
            layout.x_ticks.first().map(|t| t.label.as_str()),
            Some("1e-5")
        );
    }
}
