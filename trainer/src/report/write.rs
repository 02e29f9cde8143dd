//! Writing a run's report into a folder: every chart as SVG and PNG and `report.html`,
//! from a live [`TrainerState`] or from a saved checkpoint's `trainer_state.json` and
//! `training_args.json`.

use std::path::{Path, PathBuf};

use crate::report::chart::write_file;
use crate::report::curves::Curves;
use crate::report::error::ReportError;
use crate::report::html;
use crate::training::args::TrainingArguments;
use crate::training::checkpoint::{ARGS_FILE, TRAINER_STATE_FILE};
use crate::training::state::TrainerState;

/// Name of the HTML report inside the output folder.
pub const REPORT_FILE: &str = "report.html";

/// One chart's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartFiles {
    /// The file stem (`loss`, `learning_rate`, `eval_accuracy`, …).
    pub name: String,
    /// `<dir>/<name>.svg`.
    pub svg: PathBuf,
    /// `<dir>/<name>.png`.
    pub png: PathBuf,
}

/// What a report wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFiles {
    /// The folder written into.
    pub dir: PathBuf,
    /// The charts, in the order the page shows them.
    pub charts: Vec<ChartFiles>,
    /// `<dir>/report.html`.
    pub html: PathBuf,
}

impl ReportFiles {
    /// Every file written: each chart's SVG and PNG, then `report.html`.
    pub fn paths(&self) -> Vec<&Path> {
        self.charts
            .iter()
            .flat_map(|c| [c.svg.as_path(), c.png.as_path()])
            .chain([self.html.as_path()])
            .collect()
    }
}

/// Writes the report of a run into `dir` (created if missing): `loss.svg/png` (training
/// loss, and `eval_loss` when evaluated), `learning_rate.svg/png`, one `<metric>.svg/png`
/// per other evaluation metric (`eval_accuracy`, …) and `report.html`. Curves with no
/// logged point are left out. Files already there are replaced.
pub fn write_report(
    dir: impl AsRef<Path>,
    args: &TrainingArguments,
    state: &TrainerState,
) -> Result<ReportFiles, ReportError> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let charts = Curves::from_log_history(&state.log_history).charts();
    let mut written = Vec::with_capacity(charts.len());
    for (name, chart) in &charts {
        let files = ChartFiles {
            name: name.clone(),
            svg: dir.join(format!("{name}.svg")),
            png: dir.join(format!("{name}.png")),
        };
        chart.write_svg(&files.svg)?;
        chart.write_png(&files.png)?;
        written.push(files);
    }
    let page = dir.join(REPORT_FILE);
    write_file(&page, html::render(args, state, &charts).as_bytes())?;
    Ok(ReportFiles {
        dir: dir.to_path_buf(),
        charts: written,
        html: page,
    })
}

/// Reads a saved `trainer_state.json`.
pub fn read_trainer_state(path: impl AsRef<Path>) -> Result<TrainerState, ReportError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::State {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::State {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// [`write_report`] for a saved run: the state from `state_file` (`trainer_state.json`),
/// the arguments from `args_file` (`training_args.json`, or a `.toml` arguments file),
/// written into `dir`.
pub fn write_report_from_files(
    state_file: impl AsRef<Path>,
    args_file: impl AsRef<Path>,
    dir: impl AsRef<Path>,
) -> Result<ReportFiles, ReportError> {
    let state = read_trainer_state(state_file)?;
    let args = TrainingArguments::from_file(args_file)?;
    write_report(dir, &args, &state)
}

/// [`write_report_from_files`] with both files from one checkpoint folder
/// (`checkpoint-<step>/trainer_state.json` and `training_args.json`).
pub fn write_report_from_checkpoint(
    checkpoint: impl AsRef<Path>,
    dir: impl AsRef<Path>,
) -> Result<ReportFiles, ReportError> {
    let checkpoint = checkpoint.as_ref();
    write_report_from_files(
        checkpoint.join(TRAINER_STATE_FILE),
        checkpoint.join(ARGS_FILE),
        dir,
    )
}
