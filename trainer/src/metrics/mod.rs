//! Classification metrics with scikit-learn's names, definitions and edge cases
//! (`sklearn.metrics`): accuracy, precision / recall / F-score / support per class and
//! averaged (including `average='binary'` with `pos_label`), binary and multi-class ROC AUC,
//! the ROC curve, average precision, log-loss, the Matthews correlation coefficient, top-k
//! accuracy, the confusion matrix and the classification report as text or as a dictionary;
//! [`MetricSet`] composes them for a Trainer's `compute_metrics`.
//!
//! Labels are `i64` class ids (Kiln's label dtype); scores are `f64`; score and probability
//! matrices are slices of rows (`&[Vec<f64>]`, `&[[f64; C]]`, `&[&[f64]]`). Where
//! scikit-learn emits an `UndefinedMetricWarning`, the functions taking a
//! [`MetricWarnings`] collector record an [`UndefinedMetric`] there (see [`warnings`]'s
//! module docs); bad input is a [`MetricError`], never a panic.
//!
//! ```
//! use kiln_trainer::metrics::{ReportOptions, accuracy_score, classification_report, roc_auc_score};
//!
//! let y_true = [0, 1, 1, 0];
//! let y_pred = [0, 1, 0, 0];
//! assert_eq!(accuracy_score(&y_true, &y_pred).unwrap(), 0.75);
//! assert_eq!(roc_auc_score(&y_true, &[0.1, 0.9, 0.4, 0.4]).unwrap(), 0.875);
//! let report = classification_report(&y_true, &y_pred, &ReportOptions::default()).unwrap();
//! assert!(report.contains("    accuracy                           0.75         4\n"));
//! ```

mod accuracy;
mod average_precision;
mod binary;
mod compose;
mod confusion;
mod error;
mod log_loss;
mod matthews;
mod multiclass_auc;
mod prf;
mod report;
mod report_dict;
mod roc_auc;
mod roc_curve;
mod top_k;
pub mod warnings;

pub use accuracy::accuracy_score;
pub use average_precision::average_precision_score;
pub use binary::{
    ScoreAverage, f1_score, fbeta_score, precision_recall_fscore, precision_score, recall_score,
};
pub use compose::{Metric, MetricSet};
pub use confusion::{ConfusionMatrix, confusion_matrix, unique_labels};
pub use error::MetricError;
pub use log_loss::{LogLossOptions, log_loss};
pub use matthews::matthews_corrcoef;
pub use multiclass_auc::{
    AucAverage, MultiClass, MulticlassRocAucOptions, roc_auc_score_multiclass,
};
pub use prf::{
    Average, AveragedScores, PrecisionRecallFscore, PrfOptions, ZeroDivision,
    precision_recall_fscore_average, precision_recall_fscore_support,
};
pub use report::{ReportOptions, classification_report};
pub use report_dict::{ReportDict, ReportEntry, ReportRow, classification_report_dict};
pub use roc_auc::roc_auc_score;
pub use roc_curve::{RocCurve, RocCurveOptions, roc_curve};
pub use top_k::{TopKOptions, top_k_accuracy_score};
pub use warnings::{IllDefinedScore, MetricWarnings, UndefinedMetric};
