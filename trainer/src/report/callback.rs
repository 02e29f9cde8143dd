//! [`ReportCallback`]: writes the training report when training ends.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::report::error::ReportError;
use crate::report::write::{ReportFiles, write_report};
use crate::training::args::TrainingArguments;
use crate::training::callback::Callback;
use crate::training::control::TrainerControl;
use crate::training::state::TrainerState;

/// The result of a [`ReportCallback`]'s last report, shared with whoever keeps a handle
/// (the callback itself is owned by the Trainer).
#[derive(Clone, Debug, Default)]
pub struct ReportOutcome(Arc<Mutex<Option<Result<ReportFiles, ReportError>>>>);

impl ReportOutcome {
    /// Takes the last result: the files written or the error; `None` before training has
    /// ended (or when taken already).
    pub fn take(&self) -> Option<Result<ReportFiles, ReportError>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    fn set(&self, result: Result<ReportFiles, ReportError>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
    }
}

/// At the end of training writes the loss, learning-rate and evaluation-metric curves as
/// SVG and PNG and `report.html` into `output_dir` (see [`crate::report::write_report`]).
/// A failure to write does not stop or fail training: it is reported once on standard
/// error and kept, with the files on success, in the [`ReportOutcome`] from
/// [`ReportCallback::outcome`].
///
/// ```no_run
/// # use kiln_trainer::ReportCallback;
/// let report = ReportCallback::new();
/// let outcome = report.outcome();
/// // trainer.with_callback(report).train(None)?;
/// if let Some(Err(e)) = outcome.take() {
///     eprintln!("no report: {e}");
/// }
/// ```
#[derive(Debug, Default)]
pub struct ReportCallback {
    dir: Option<PathBuf>,
    outcome: ReportOutcome,
}

impl ReportCallback {
    /// Writes into the run's `output_dir`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes into `dir` instead of `output_dir`.
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// A handle on the result of the report, to keep before handing the callback to the
    /// Trainer.
    pub fn outcome(&self) -> ReportOutcome {
        self.outcome.clone()
    }
}

impl Callback for ReportCallback {
    fn name(&self) -> String {
        "ReportCallback".into()
    }

    fn on_train_end(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
    ) {
        let dir = self.dir.clone().unwrap_or_else(|| args.output_dir.clone());
        let result = write_report(&dir, args, state);
        if let Err(e) = &result {
            eprintln!("kiln-trainer: no training report: {e}");
        }
        self.outcome.set(result);
    }
}
