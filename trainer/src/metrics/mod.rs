//! Classification metrics with scikit-learn's names, definitions and edge cases
//! (`sklearn.metrics`): accuracy, precision / recall / F-score / support per class and
//! averaged, binary ROC AUC, the confusion matrix and the text classification report.
//!
//! Labels are `i64` class ids (Kiln's label dtype); scores are `f64`.
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
mod confusion;
mod error;
mod prf;
mod report;
mod roc_auc;

pub use accuracy::accuracy_score;
pub use confusion::{ConfusionMatrix, confusion_matrix, unique_labels};
pub use error::MetricError;
pub use prf::{
    Average, AveragedScores, PrecisionRecallFscore, PrfOptions, ZeroDivision,
    precision_recall_fscore_average, precision_recall_fscore_support,
};
pub use report::{ReportOptions, classification_report};
pub use roc_auc::roc_auc_score;
