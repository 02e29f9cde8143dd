//! `KFold`: contiguous folds of (optionally shuffled) indices (`sklearn.model_selection.KFold`).

use super::{Fold, SplitError};
use crate::rng::permutation;
use kiln_tensor::Generator;

/// K-fold cross-validation indices (`KFold(n_splits, shuffle, random_state)`).
///
/// The first `n % n_splits` folds hold `n / n_splits + 1` samples, the others
/// `n / n_splits`, as scikit-learn. Without shuffle the folds equal scikit-learn's; with
/// shuffle the sizes do. Each `(train, test)` pair lists indices in ascending order.
#[derive(Clone, Debug, PartialEq)]
pub struct KFold {
    /// Number of folds (at least 2).
    pub n_splits: usize,
    /// Shuffle the samples before cutting folds.
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl KFold {
    /// `n_splits` folds without shuffling (scikit-learn's default is 5).
    pub fn new(n_splits: usize) -> Self {
        KFold {
            n_splits,
            shuffle: false,
            seed: 0,
        }
    }

    /// Shuffles with `seed` before cutting folds (`shuffle=True, random_state=seed`).
    pub fn with_shuffle(mut self, seed: u64) -> Self {
        self.shuffle = true;
        self.seed = seed;
        self
    }

    /// The `(train, test)` index lists of each fold over `0..n_samples`.
    pub fn split(&self, n_samples: usize) -> Result<Vec<Fold>, SplitError> {
        if self.n_splits < 2 || self.n_splits > n_samples {
            return Err(SplitError::InvalidSplits {
                n_splits: self.n_splits,
                n_samples,
            });
        }
        let order = if self.shuffle {
            permutation(n_samples, &mut Generator::new(self.seed))
        } else {
            (0..n_samples).collect()
        };
        let mut fold_of = vec![0usize; n_samples];
        let (base, extra) = (n_samples / self.n_splits, n_samples % self.n_splits);
        let mut start = 0;
        for fold in 0..self.n_splits {
            let size = base + usize::from(fold < extra);
            for &i in &order[start..start + size] {
                fold_of[i] = fold;
            }
            start += size;
        }
        Ok(folds_from_assignment(&fold_of, self.n_splits))
    }
}

/// `(train, test)` pairs from the fold number of every sample, indices ascending.
pub(crate) fn folds_from_assignment(fold_of: &[usize], n_splits: usize) -> Vec<Fold> {
    (0..n_splits)
        .map(|fold| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..fold_of.len()).partition(|&i| fold_of[i] == fold);
            (train, test)
        })
        .collect()
}
