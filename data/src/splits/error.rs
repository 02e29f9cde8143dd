//! The error type of the split functions.

use std::fmt;

/// Why a split could not be made; the messages follow scikit-learn's `ValueError`s.
#[derive(Clone, Debug, PartialEq)]
pub enum SplitError {
    /// A size is out of range for `n_samples` (a fraction outside (0, 1), a count of 0 or
    /// `>= n_samples`, or sizes that add up to more than the data).
    InvalidSize {
        /// What is wrong, in words.
        message: String,
    },
    /// `random_split` lengths do not add up to the dataset length (or fractions to 1).
    LengthsMismatch {
        /// Sum of the requested lengths.
        requested: usize,
        /// Number of items in the dataset.
        available: usize,
    },
    /// `n_splits` is below 2 or above the number of samples.
    InvalidSplits {
        /// Requested number of folds.
        n_splits: usize,
        /// Number of samples.
        n_samples: usize,
    },
    /// A stratified split cannot honour the classes.
    Stratification {
        /// What is wrong, in words.
        message: String,
    },
    /// `stratify` labels have a different length from the data.
    LabelCount {
        /// Number of samples.
        n_samples: usize,
        /// Number of labels.
        n_labels: usize,
    },
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::InvalidSize { message } | SplitError::Stratification { message } => {
                f.write_str(message)
            }
            SplitError::LengthsMismatch {
                requested,
                available,
            } => write!(
                f,
                "sum of input lengths ({requested}) does not equal the length of the input dataset ({available})"
            ),
            SplitError::InvalidSplits {
                n_splits,
                n_samples,
            } => write!(
                f,
                "cannot make n_splits={n_splits} folds of n_samples={n_samples} (need 2 <= n_splits <= n_samples)"
            ),
            SplitError::LabelCount {
                n_samples,
                n_labels,
            } => write!(
                f,
                "found {n_labels} stratify labels for {n_samples} samples"
            ),
        }
    }
}

impl std::error::Error for SplitError {}
