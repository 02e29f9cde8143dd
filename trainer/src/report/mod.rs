//! Training reports: the loss, learning-rate and evaluation-metric curves of a run as SVG
//! and PNG charts, and one self-contained `report.html` showing them with the run's
//! arguments and final and best metrics.
//!
//! [`ReportCallback`] writes the report when training ends; [`write_report`] writes it for
//! any [`crate::TrainerState`], and [`write_report_from_checkpoint`] for a saved run.
//! [`LineChart`] is the chart behind them, for any other x/y plot (an lr_find curve on a
//! log x axis). SVG is written as text; PNG is rasterised here with a built-in bitmap font,
//! so no font file or plotting library is needed.
//!
//! ```
//! use kiln_trainer::report::{LineChart, Series};
//!
//! let chart = LineChart::new("Learning-rate range test")
//!     .with_labels("learning rate", "loss")
//!     .with_log_x(true)
//!     .with_series(Series::new("loss", vec![(1e-6, 2.3), (1e-4, 1.9), (1e-2, 0.8), (1.0, 4.0)]));
//! assert!(chart.to_svg().contains("<polyline"));
//! assert_eq!(&chart.to_png()[1..4], b"PNG");
//! ```

pub mod callback;
pub mod chart;
pub mod curves;
pub mod error;
mod font;
mod html;
mod layout;
mod png;
mod raster;
mod scale;
pub mod summary;
mod svg;
pub mod write;

pub use callback::{ReportCallback, ReportOutcome};
pub use chart::{LineChart, PALETTE, Rgb, Series};
pub use curves::{Curves, Points};
pub use error::ReportError;
pub use html::report_html;
pub use png::PNG_SIGNATURE;
pub use summary::{MetricSummary, summarize};
pub use write::{
    ChartFiles, REPORT_FILE, ReportFiles, read_trainer_state, write_report,
    write_report_from_checkpoint, write_report_from_files,
};
