//! What a cross-validation run returns: per-fold results, the out-of-fold predictions and
//! the summary table.

use std::path::PathBuf;

use kiln_data::LeastPopulatedClassWarning;
use kiln_tensor::Tensor;

use super::CvSummary;
use crate::training::state::Metrics;
use crate::training::trainer::TrainOutput;

/// One fold of a cross-validation run.
#[derive(Clone, Debug)]
pub struct FoldResult {
    /// The fold (0-based), as `enumerate(skf.split(...))` numbers it.
    pub fold: usize,
    /// Rows trained on, ascending.
    pub train_indices: Vec<usize>,
    /// Rows held out and evaluated, ascending.
    pub test_indices: Vec<usize>,
    /// The fold's `output_dir` (`<output_dir>/fold-<fold>`): its checkpoints and logs.
    pub output_dir: PathBuf,
    /// What [`crate::Trainer::train`] returned.
    pub train_output: TrainOutput,
    /// [`crate::Trainer::evaluate`] on the held-out rows after training: `eval_loss`, the
    /// `compute_metrics` values as `eval_<name>`, and timings.
    pub metrics: Metrics,
}

/// The result of [`crate::cv::CrossValidation::run`].
pub struct CvOutput<M> {
    /// Every fold, in order.
    pub folds: Vec<FoldResult>,
    /// The trained model of every fold (with the best checkpoint's weights when
    /// `load_best_model_at_end`), e.g. to average their test predictions as the seeds do.
    pub models: Vec<M>,
    /// Out-of-fold predictions: one row per dataset row, in dataset order, each predicted by
    /// the model that did not train on it; f32 `[n_rows, …]` (the seeds' `oof_df["preds"]`).
    pub oof_predictions: Tensor,
    /// The held-out fold of each dataset row (the seeds' `train["fold"]`).
    pub oof_fold: Vec<usize>,
    /// Mean ± std of every evaluation metric over the folds.
    pub summary: CvSummary,
    /// scikit-learn's "least populated class" warning, when a class has fewer members than
    /// folds (the run still goes ahead, as in scikit-learn).
    pub warning: Option<LeastPopulatedClassWarning>,
}
