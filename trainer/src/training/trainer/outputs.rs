//! What the Trainer gives and takes: a batch's [`StepOutput`], the outputs of training,
//! evaluation and prediction, and where a run resumes from.

use std::path::PathBuf;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::training::state::Metrics;

/// What the model gives for one batch: the loss to minimise and, for evaluation and
/// prediction, the logits and labels (HF's model output with `loss` and `logits`).
pub struct StepOutput {
    /// The mean loss of the batch (a scalar).
    pub loss: Var,
    /// The predictions, `[batch, …]`; collected by evaluation and prediction.
    pub logits: Option<Tensor>,
    /// The labels, `[batch, …]`; collected with the logits.
    pub labels: Option<Tensor>,
}

impl StepOutput {
    /// A loss only (enough for training).
    pub fn loss(loss: Var) -> Self {
        StepOutput {
            loss,
            logits: None,
            labels: None,
        }
    }

    /// A loss with the batch's logits and labels.
    pub fn with_predictions(loss: Var, logits: Tensor, labels: Tensor) -> Self {
        StepOutput {
            loss,
            logits: Some(logits),
            labels: Some(labels),
        }
    }
}

/// The predictions and labels of a whole evaluation set, given to `compute_metrics` (HF's
/// `EvalPrediction`).
pub struct EvalPrediction {
    /// The logits of every example, concatenated along dim 0.
    pub predictions: Tensor,
    /// The labels of every example, when the model returned them.
    pub label_ids: Option<Tensor>,
}

/// What [`Trainer::predict`](super::Trainer::predict) returns (HF's `PredictionOutput`).
pub struct PredictionOutput {
    /// The logits of every example, when the model returned them.
    pub predictions: Option<Tensor>,
    /// The labels of every example, when the model returned them.
    pub label_ids: Option<Tensor>,
    /// `test_loss`, `test_<metric>` and the timing metrics.
    pub metrics: Metrics,
}

/// What [`Trainer::train`](super::Trainer::train) returns (HF's `TrainOutput`).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOutput {
    /// Optimizer steps taken in the whole run.
    pub global_step: usize,
    /// The mean per-step training loss over the whole run.
    pub training_loss: f64,
    /// `train_runtime`, `train_samples_per_second`, `train_steps_per_second`, `train_loss`.
    pub metrics: Metrics,
}

/// Where [`Trainer::train`](super::Trainer::train) resumes from (HF's `resume_from_checkpoint=True` or a path).
#[derive(Clone, Debug, PartialEq)]
pub enum ResumeFrom {
    /// The latest complete checkpoint in `output_dir`.
    Last,
    /// This checkpoint folder.
    Checkpoint(PathBuf),
}

/// How a batch becomes a loss: `compute_loss(model, batch)`.
pub type ComputeLoss<M, B> = Box<dyn Fn(&M, &B) -> StepOutput>;

/// How predictions become metrics: `compute_metrics(eval_prediction)`; keys without the
/// `eval_` prefix get it.
pub type ComputeMetrics = Box<dyn Fn(&EvalPrediction) -> Metrics>;
