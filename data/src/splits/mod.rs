//! Splitting a dataset: `random_split` (PyTorch), `train_test_split`, `KFold` and
//! `StratifiedKFold` (scikit-learn), with their size rules.

mod error;
mod kfold;
mod random_split;
mod stratified_kfold;
mod stratified_warning;
mod train_test_split;

pub use error::SplitError;
pub use kfold::KFold;
pub use random_split::{SplitLengths, random_split, random_split_indices};
pub use stratified_kfold::StratifiedKFold;
pub use stratified_warning::{LeastPopulatedClassWarning, StratifiedSplit};
pub use train_test_split::{SplitSize, TrainTestSplit, train_test_split};

/// One cross-validation fold: `(train, test)` index lists, each ascending.
pub type Fold = (Vec<usize>, Vec<usize>);

/// Encodes labels as `0..n_classes` in sorted label order (`np.unique(y,
/// return_inverse=True)`); returns the codes and the number of classes.
pub(crate) fn encode_labels<L: Ord + Clone>(labels: &[L]) -> (Vec<usize>, usize) {
    let mut classes: Vec<L> = labels.to_vec();
    classes.sort();
    classes.dedup();
    let codes = labels
        .iter()
        .map(|l| classes.binary_search(l).unwrap_or(0))
        .collect();
    (codes, classes.len())
}

/// Encodes labels as `0..n_classes` in order of first appearance, as `StratifiedKFold`
/// does; returns the codes and the number of classes.
pub(crate) fn encode_by_first_appearance<L: Ord + Clone>(labels: &[L]) -> (Vec<usize>, usize) {
    let (sorted_codes, n_classes) = encode_labels(labels);
    let mut rank = vec![usize::MAX; n_classes];
    let mut next = 0;
    for &c in &sorted_codes {
        if rank[c] == usize::MAX {
            rank[c] = next;
            next += 1;
        }
    }
    (sorted_codes.iter().map(|&c| rank[c]).collect(), n_classes)
}
