//! Why a metric cannot be computed on the given labels or scores.

use std::fmt;

/// A rejected metric call (scikit-learn raises `ValueError` in the same cases).
#[derive(Clone, Debug, PartialEq)]
pub enum MetricError {
    /// The label (or score) slices have different lengths.
    LengthMismatch {
        /// Length of `y_true`.
        y_true: usize,
        /// Length of `y_pred` / `y_score`.
        other: usize,
    },
    /// No samples were given.
    Empty,
    /// ROC AUC needs exactly two classes in `y_true`; this many were found.
    NotBinary {
        /// Number of distinct labels in `y_true`.
        classes: usize,
    },
    /// A score is NaN or infinite.
    NonFiniteScore {
        /// Position of the first such score.
        index: usize,
    },
    /// `target_names` must name every label.
    TargetNames {
        /// Number of labels reported.
        labels: usize,
        /// Number of names given.
        names: usize,
    },
    /// None of the labels asked for occurs in `y_true`.
    NoKnownLabel,
}

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricError::LengthMismatch { y_true, other } => write!(
                f,
                "found input variables with inconsistent numbers of samples: [{y_true}, {other}]"
            ),
            MetricError::Empty => f.write_str("no samples given"),
            MetricError::NotBinary { classes: 1 } => f.write_str(
                "only one class present in y_true; ROC AUC score is not defined in that case",
            ),
            MetricError::NotBinary { classes } => {
                write!(f, "ROC AUC needs a binary y_true, found {classes} classes")
            }
            MetricError::NonFiniteScore { index } => {
                write!(f, "y_score[{index}] is NaN or infinite")
            }
            MetricError::TargetNames { labels, names } => write!(
                f,
                "number of classes, {labels}, does not match size of target_names, {names}"
            ),
            MetricError::NoKnownLabel => {
                f.write_str("none of the given labels occurs in y_true or y_pred")
            }
        }
    }
}

impl std::error::Error for MetricError {}

/// Checks that `y_true` and `other` are non-empty and of equal length.
pub(crate) fn check_lengths(y_true: usize, other: usize) -> Result<(), MetricError> {
    if y_true != other {
        return Err(MetricError::LengthMismatch { y_true, other });
    }
    if y_true == 0 {
        return Err(MetricError::Empty);
    }
    Ok(())
}
