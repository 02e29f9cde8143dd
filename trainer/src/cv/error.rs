//! [`CvError`]: why a cross-validation run stopped, naming the fold.

use std::fmt;

use kiln_data::splits::SplitError;

use crate::training::error::TrainerError;

/// Why [`crate::cv::CrossValidation::run`] failed.
#[derive(Debug)]
pub enum CvError {
    /// The labels do not match the dataset row for row.
    LabelCount {
        /// Rows of the dataset.
        n_rows: usize,
        /// Labels given.
        n_labels: usize,
    },
    /// `StratifiedKFold` refused the labels (too few samples or class members, as
    /// scikit-learn's `ValueError`s).
    Split(SplitError),
    /// The Trainer of a fold failed (bad arguments, a failed save, an unknown metric…).
    Trainer {
        /// The fold (0-based).
        fold: usize,
        /// What the Trainer said (boxed: it is large).
        source: Box<TrainerError>,
    },
    /// `compute_loss` returned no logits for the held-out rows, so there are no out-of-fold
    /// predictions (return them with [`crate::StepOutput::with_predictions`]).
    NoPredictions {
        /// The fold.
        fold: usize,
    },
    /// A fold's predictions do not have one row per held-out row, or their row shape differs
    /// from the first fold's.
    PredictionShape {
        /// The fold.
        fold: usize,
        /// Shape of that fold's predictions.
        got: Vec<usize>,
        /// The shape expected (`[held-out rows, …first fold's row shape]`).
        expected: Vec<usize>,
    },
}

impl fmt::Display for CvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CvError::LabelCount { n_rows, n_labels } => write!(
                f,
                "cross-validation: {n_labels} labels for a dataset of {n_rows} rows"
            ),
            CvError::Split(e) => write!(f, "cross-validation split: {e}"),
            CvError::Trainer { fold, source } => write!(f, "fold {fold}: {source}"),
            CvError::NoPredictions { fold } => write!(
                f,
                "fold {fold}: compute_loss returned no logits, so there are no out-of-fold \
                 predictions (use StepOutput::with_predictions)"
            ),
            CvError::PredictionShape {
                fold,
                got,
                expected,
            } => write!(
                f,
                "fold {fold}: predictions of shape {got:?}, expected {expected:?}"
            ),
        }
    }
}

impl std::error::Error for CvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CvError::Split(e) => Some(e),
            CvError::Trainer { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<SplitError> for CvError {
    fn from(e: SplitError) -> Self {
        CvError::Split(e)
    }
}
