//! `StratifiedKFold`: folds that keep the class ratios
//! (`sklearn.model_selection.StratifiedKFold`).

use super::kfold::folds_from_assignment;
use super::{Fold, SplitError, encode_by_first_appearance};
use crate::rng::shuffle;
use kiln_tensor::Generator;

/// Stratified k-fold cross-validation indices (`StratifiedKFold(n_splits, shuffle,
/// random_state)`).
///
/// Follows scikit-learn's allocation: classes are numbered by first appearance, the sorted
/// class codes are dealt round-robin to the folds, which fixes how many members of each
/// class every fold's test part gets (each within one of proportional); those slots are then
/// given to the class members in order, or in a seeded random order with shuffle. Without
/// shuffle the folds equal scikit-learn's; with shuffle the sizes and per-class counts do.
#[derive(Clone, Debug, PartialEq)]
pub struct StratifiedKFold {
    /// Number of folds (at least 2).
    pub n_splits: usize,
    /// Shuffle each class's members before assigning folds.
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl StratifiedKFold {
    /// `n_splits` folds without shuffling (scikit-learn's default is 5).
    pub fn new(n_splits: usize) -> Self {
        StratifiedKFold {
            n_splits,
            shuffle: false,
            seed: 0,
        }
    }

    /// Shuffles with `seed` (`shuffle=True, random_state=seed`).
    pub fn with_shuffle(mut self, seed: u64) -> Self {
        self.shuffle = true;
        self.seed = seed;
        self
    }

    /// The `(train, test)` index lists of each fold for samples labelled `labels`.
    ///
    /// Errors when `n_splits` is below 2 or above the number of samples, or above the size
    /// of every class (scikit-learn only warns when some classes are smaller than
    /// `n_splits`; here those classes are simply absent from some folds).
    pub fn split<L: Ord + Clone>(&self, labels: &[L]) -> Result<Vec<Fold>, SplitError> {
        let n = labels.len();
        let k = self.n_splits;
        if k < 2 || k > n {
            return Err(SplitError::InvalidSplits {
                n_splits: k,
                n_samples: n,
            });
        }
        let (codes, n_classes) = encode_by_first_appearance(labels);
        let mut counts = vec![0usize; n_classes];
        for &c in &codes {
            counts[c] += 1;
        }
        if counts.iter().all(|&c| k > c) {
            return Err(SplitError::Stratification {
                message: format!(
                    "n_splits={k} cannot be greater than the number of members in each class"
                ),
            });
        }
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        // allocation[class][fold]: members of `class` in the test part of `fold`.
        let mut allocation = vec![vec![0usize; k]; n_classes];
        for (pos, &c) in sorted.iter().enumerate() {
            allocation[c][pos % k] += 1;
        }
        let mut rng = Generator::new(self.seed);
        let mut fold_of = vec![0usize; n];
        for (class, per_fold) in allocation.iter().enumerate() {
            let mut folds: Vec<usize> = per_fold
                .iter()
                .enumerate()
                .flat_map(|(fold, &count)| std::iter::repeat_n(fold, count))
                .collect();
            if self.shuffle {
                shuffle(&mut folds, &mut rng);
            }
            let members = (0..n).filter(|&i| codes[i] == class);
            for (i, fold) in members.zip(folds) {
                fold_of[i] = fold;
            }
        }
        Ok(folds_from_assignment(&fold_of, k))
    }
}
