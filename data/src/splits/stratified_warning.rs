//! [`StratifiedKFold::split_with_warning`]: scikit-learn's `StratifiedKFold` split with its
//! `UserWarning` returned as data ([`LeastPopulatedClassWarning`]) and the per-sample fold
//! numbers (`_make_test_folds`) alongside the `(train, test)` index lists.
//!
//! The fold assignment itself is [`StratifiedKFold::split`]'s (`stratified_kfold.rs`), which
//! follows scikit-learn 1.9.1's `_make_test_folds` exactly: classes numbered by first appearance, the
//! sorted class codes dealt round-robin over the folds to fix how many members of each class
//! every test fold gets, then those slots given to the members of each class in data order
//! (`shuffle=False`) or in an order shuffled by Kiln's seeded generator (`shuffle=True`). A
//! shuffled split cannot reproduce numpy's `RandomState` stream, so shuffled folds differ from
//! scikit-learn's index for index; their sizes and per-class counts are identical.

use std::fmt;

use crate::splits::{Fold, SplitError, StratifiedKFold};

/// scikit-learn's `UserWarning` "The least populated class in y has only N members, which is
/// less than n_splits=K.": some class is too small to appear in every test fold. The split
/// is still made (that class is missing from some folds), as in scikit-learn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeastPopulatedClassWarning {
    /// Members of the smallest class.
    pub min_members: usize,
    /// The requested number of folds.
    pub n_splits: usize,
}

impl fmt::Display for LeastPopulatedClassWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The least populated class in y has only {} members, which is less than n_splits={}.",
            self.min_members, self.n_splits
        )
    }
}

/// The result of [`StratifiedKFold::split_with_warning`].
#[derive(Clone, Debug, PartialEq)]
pub struct StratifiedSplit {
    /// `(train, test)` index lists of each fold, indices ascending (what iterating
    /// `StratifiedKFold.split(X, y)` yields).
    pub folds: Vec<Fold>,
    /// The test fold of every sample, in sample order (scikit-learn's `_make_test_folds`).
    pub test_fold_of: Vec<usize>,
    /// scikit-learn's warning, when some class has fewer than `n_splits` members.
    pub warning: Option<LeastPopulatedClassWarning>,
}

impl StratifiedKFold {
    /// [`StratifiedKFold::split`] with scikit-learn's warning as data and the fold number of
    /// each sample.
    ///
    /// Errors as scikit-learn raises: `n_splits < 2` or `n_splits > labels.len()`
    /// ([`SplitError::InvalidSplits`]), and `n_splits` above the member count of every class
    /// ([`SplitError::Stratification`], "n_splits=K cannot be greater than the number of
    /// members in each class.").
    pub fn split_with_warning<L: Ord + Clone>(
        &self,
        labels: &[L],
    ) -> Result<StratifiedSplit, SplitError> {
        let folds = self.split(labels)?;
        let mut test_fold_of = vec![0usize; labels.len()];
        for (fold, (_, test)) in folds.iter().enumerate() {
            for &i in test {
                test_fold_of[i] = fold;
            }
        }
        let mut sorted: Vec<&L> = labels.iter().collect();
        sorted.sort();
        let min_members = sorted
            .chunk_by(|a, b| a == b)
            .map(<[&L]>::len)
            .min()
            .unwrap_or(0);
        let warning = (min_members < self.n_splits).then_some(LeastPopulatedClassWarning {
            min_members,
            n_splits: self.n_splits,
        });
        Ok(StratifiedSplit {
            folds,
            test_fold_of,
            warning,
        })
    }
}
