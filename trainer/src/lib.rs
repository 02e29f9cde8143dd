//! # kiln-trainer
//!
//! Training and evaluation on top of the other Kiln crates. So far it holds [`metrics`]:
//! scikit-learn's classification metrics (`accuracy_score`, `precision_recall_fscore_support`,
//! `roc_auc_score`, `confusion_matrix`, `classification_report`) with identical numbers and
//! report text; and [`classic`]: scikit-learn's `LogisticRegression` (L-BFGS, same optimum)
//! for features from a frozen encoder; and [`Trainer`], Hugging Face's training loop for any
//! `kiln_nn::Module` with [`TrainingArguments`] (same names and defaults, from JSON or TOML),
//! callbacks ([`EarlyStoppingCallback`], progress lines, a JSONL log), atomic checkpoints in
//! HF's layout and a resume that is bit-identical to an uninterrupted run.
//! [`report`] turns a run's log into loss, learning-rate and metric curves (SVG and PNG) and a
//! self-contained `report.html`, written at the end of training by [`ReportCallback`].
//! [`cv`] runs stratified k-fold cross-validation with a Trainer per fold (out-of-fold
//! predictions, mean ± std table); [`learner`] has ktrain's one-liners: a [`Learner`] with
//! `fit_onecycle`, `fit` and `lr_find`, and a text-classification [`Predictor`].
//! The seeds' end-to-end examples (`number_sum`, `number_product`, `fashion_mnist_mlp`,
//! `tfidf_logreg`, `embeddings`, `bert_features_logreg`, `finetune_minilm`) are in
//! `examples/`.

pub mod classic;
pub mod cv;
pub mod learner;
pub mod metrics;
pub mod recipes;
pub mod report;
pub mod training;

pub use cv::{CrossValidation, CvError, CvOutput, CvSummary, FoldResult, SummaryRow};
pub use learner::{
    Learner, LearnerError, LrFindConfig, LrFindResult, Predictor, PredictorConfig, PredictorError,
};
pub use report::{LineChart, ReportCallback, ReportError, ReportFiles, Series, write_report};
pub use training::args::{IntervalStrategy, OptimizerName, SchedulerType, TrainingArguments};
pub use training::callback::Callback;
pub use training::control::TrainerControl;
pub use training::early_stopping::EarlyStoppingCallback;
pub use training::error::{ArgsError, CheckpointError, TrainerError};
pub use training::progress::{JsonlLogCallback, ProgressCallback};
pub use training::state::{LogEntry, Metrics, TrainerState};
pub use training::trainer::{
    ComputeLoss, ComputeMetrics, EvalPrediction, PredictionOutput, ResumeFrom, StepOutput,
    TrainOutput, Trainer,
};
