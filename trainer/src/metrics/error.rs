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
    /// `average='binary'` was asked of labels that are not binary (more than two distinct
    /// labels in `y_true` and `y_pred` together).
    BinaryAverageOnMulticlass {
        /// Number of distinct labels in `y_true` and `y_pred`.
        classes: usize,
    },
    /// `pos_label` is not one of the two labels present.
    InvalidPosLabel {
        /// The positive label asked for.
        pos_label: i64,
        /// The sorted labels present.
        present: Vec<i64>,
    },
    /// `pos_label` was left out but `y_true` is not in {0, 1} or {-1, 1}.
    PosLabelRequired {
        /// The sorted labels of `y_true`.
        classes: Vec<i64>,
    },
    /// A score row has a different number of columns than the first row.
    RaggedScores {
        /// The row.
        row: usize,
        /// Its number of columns.
        columns: usize,
        /// The number of columns of row 0.
        expected: usize,
    },
    /// The number of classes does not match the number of score columns.
    ClassCount {
        /// Classes in `y_true` (or in `labels` when given).
        classes: usize,
        /// Columns of `y_score` / `y_proba`.
        columns: usize,
    },
    /// A multi-class ROC AUC score row does not sum to 1 (`np.allclose(1, row_sum)`).
    NotProbabilities {
        /// The first such row.
        row: usize,
        /// Its sum.
        sum: f64,
    },
    /// A probability is above 1 or below 0 (`log_loss`).
    ProbabilityOutOfRange {
        /// The largest value when above 1, else the smallest value.
        value: f64,
    },
    /// Only one label is known, so a probabilistic loss is not defined.
    SingleLabel {
        /// That label.
        label: i64,
    },
    /// `labels` holds a label twice.
    LabelsNotUnique,
    /// `labels` is not sorted increasingly (scikit-learn requires ordered labels there).
    LabelsNotOrdered,
    /// `y_true` holds a label missing from `labels`.
    UnknownLabel {
        /// The first such label.
        label: i64,
    },
    /// The averaging asked for is not defined for this metric (e.g. micro with one-vs-one).
    UnsupportedAverage {
        /// What was asked, e.g. `"average='micro' with multi_class='ovo'"`.
        what: &'static str,
    },
    /// `k` of top-k accuracy must be at least 1.
    InvalidK {
        /// The `k` given.
        k: usize,
    },
    /// The scores have a shape this metric cannot take.
    ScoreShape {
        /// What is wrong, in scikit-learn's words.
        what: String,
    },
    /// An evaluation prediction carries no `label_ids`.
    MissingLabels,
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
            MetricError::BinaryAverageOnMulticlass { .. } => f.write_str(
                "Target is multiclass but average='binary'. Please choose another average \
                 setting, one of [None, 'micro', 'macro', 'weighted'].",
            ),
            MetricError::InvalidPosLabel { pos_label, present } => write!(
                f,
                "pos_label={pos_label} is not a valid label. It should be one of {present:?}"
            ),
            MetricError::PosLabelRequired { classes } => write!(
                f,
                "y_true takes value in {classes:?} and pos_label is not specified: either make \
                 y_true take value in {{0, 1}} or {{-1, 1}} or pass pos_label explicitly."
            ),
            MetricError::RaggedScores {
                row,
                columns,
                expected,
            } => write!(
                f,
                "score row {row} has {columns} columns, row 0 has {expected}"
            ),
            MetricError::ClassCount { classes, columns } => write!(
                f,
                "number of classes, {classes}, not equal to the number of columns in the \
                 scores, {columns}"
            ),
            MetricError::NotProbabilities { row, sum } => write!(
                f,
                "Target scores need to be probabilities for multiclass roc_auc, i.e. they \
                 should sum up to 1.0 over classes (row {row} sums to {sum})"
            ),
            MetricError::ProbabilityOutOfRange { value } if *value > 1.0 => {
                write!(f, "y_prob contains values greater than 1: {value}")
            }
            MetricError::ProbabilityOutOfRange { value } => {
                write!(f, "y_prob contains values lower than 0: {value}")
            }
            MetricError::SingleLabel { label } => write!(
                f,
                "y_true contains only one label ({label}). Please provide the list of all \
                 expected class labels explicitly through the labels argument."
            ),
            MetricError::LabelsNotUnique => f.write_str("Parameter 'labels' must be unique"),
            MetricError::LabelsNotOrdered => f.write_str("Parameter 'labels' must be ordered"),
            MetricError::UnknownLabel { label } => write!(
                f,
                "'y_true' contains labels not in parameter 'labels' (e.g. {label})"
            ),
            MetricError::UnsupportedAverage { what } => write!(f, "{what} is not supported"),
            MetricError::InvalidK { k } => {
                write!(f, "k must be an int in the range [1, inf), got {k}")
            }
            MetricError::ScoreShape { what } => f.write_str(what),
            MetricError::MissingLabels => {
                f.write_str("the evaluation prediction has no label_ids to score against")
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

/// Checks a score matrix: non-empty, every row as long as the first, every value finite
/// (scikit-learn's `check_array`), and as many rows as `y_true` has labels. Returns the number
/// of columns.
pub(crate) fn check_matrix<R: AsRef<[f64]>>(
    y_true: usize,
    rows: &[R],
) -> Result<usize, MetricError> {
    check_lengths(y_true, rows.len())?;
    let expected = rows[0].as_ref().len();
    for (row, values) in rows.iter().enumerate() {
        let values = values.as_ref();
        if values.len() != expected {
            return Err(MetricError::RaggedScores {
                row,
                columns: values.len(),
                expected,
            });
        }
        if let Some(col) = values.iter().position(|v| !v.is_finite()) {
            return Err(MetricError::NonFiniteScore {
                index: row * expected + col,
            });
        }
    }
    if expected == 0 {
        return Err(MetricError::Empty);
    }
    Ok(expected)
}

/// Checks user `labels` as scikit-learn's ranking metrics do: unique, sorted, covering every
/// label of `y_true`.
pub(crate) fn check_ordered_labels(y_true: &[i64], labels: &[i64]) -> Result<(), MetricError> {
    let mut sorted = labels.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != labels.len() {
        return Err(MetricError::LabelsNotUnique);
    }
    if sorted != labels {
        return Err(MetricError::LabelsNotOrdered);
    }
    if let Some(&label) = y_true.iter().find(|t| labels.binary_search(t).is_err()) {
        return Err(MetricError::UnknownLabel { label });
    }
    Ok(())
}

/// The sorted distinct values of `ys` (`np.unique`).
pub(crate) fn sorted_unique(ys: &[i64]) -> Vec<i64> {
    let mut v = ys.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
