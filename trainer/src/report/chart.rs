//! [`LineChart`]: a titled x/y line chart of one or more [`Series`], drawn to SVG
//! ([`LineChart::to_svg`]) or PNG ([`LineChart::to_png`]) with the same layout. Training
//! curves use it, and so can any other plot (an lr_find range test: learning rate on a log
//! x axis against loss).

use std::path::Path;

use crate::report::error::ReportError;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The colours given to series without one, in order (matplotlib's `tab10`).
pub const PALETTE: [Rgb; 6] = [
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
];

/// One named line of `(x, y)` points, drawn in the order given. Points with a non-finite
/// coordinate (or `x <= 0` on a log x axis) are left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend text.
    pub name: String,
    /// The points, `(x, y)`.
    pub points: Vec<(f64, f64)>,
    /// The line colour; `None` takes the next colour of [`PALETTE`].
    pub color: Option<Rgb>,
}

impl Series {
    /// A series named `name` in the palette's next colour.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            color: None,
        }
    }

    /// The same series drawn in `color`.
    pub fn with_color(mut self, color: Rgb) -> Self {
        self.color = Some(color);
        self
    }
}

/// A line chart: title, axis labels, an optional log10 x axis and any number of series
/// (a legend appears when there are two or more). Sizes are in pixels; the SVG uses them
/// as its view box.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    /// The title above the plot.
    pub title: String,
    /// The label under the x axis.
    pub x_label: String,
    /// The label beside the y axis.
    pub y_label: String,
    /// Whether the x axis is logarithmic (base 10).
    pub log_x: bool,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The lines.
    pub series: Vec<Series>,
}

impl LineChart {
    /// An empty 800×480 chart titled `title`, with linear axes.
    pub fn new(title: impl Into<String>) -> Self {
        LineChart {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            width: 800,
            height: 480,
            series: Vec::new(),
        }
    }

    /// Sets the axis labels.
    pub fn with_labels(mut self, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        self.x_label = x_label.into();
        self.y_label = y_label.into();
        self
    }

    /// A logarithmic (`true`) or linear x axis.
    pub fn with_log_x(mut self, log_x: bool) -> Self {
        self.log_x = log_x;
        self
    }

    /// Sets the image size in pixels (at least 200×150).
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width.max(200);
        self.height = height.max(150);
        self
    }

    /// Adds a line.
    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// The number of points of `series` that are drawn (the finite ones, and on a log x
    /// axis only those with `x > 0`).
    pub fn drawn_points(&self, series: usize) -> usize {
        self.series.get(series).map_or(0, |s| {
            s.points
                .iter()
                .filter(|&&(x, y)| x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0))
                .count()
        })
    }

    /// Writes [`LineChart::to_svg`] to `path`.
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<(), ReportError> {
        write_file(path.as_ref(), self.to_svg().as_bytes())
    }

    /// Writes [`LineChart::to_png`] to `path`.
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<(), ReportError> {
        write_file(path.as_ref(), &self.to_png())
    }
}

/// Writes `bytes` to `path`, naming the path in the error.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}
