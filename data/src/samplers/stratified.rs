//! `StratifiedBatchSampler`: batches that keep the dataset's class ratios.

use super::BatchSample;
use crate::rng::{epoch_generator, shuffle};
use crate::splits::encode_labels;

/// Batches in which every class appears in proportion to its share of the dataset (a
/// batch's count of a class stays within about one of `batch_size * n_class / n`; the
/// property tests check a gap below two with three classes), like scikit-learn's
/// `StratifiedKFold` applied per batch; useful for small batches over imbalanced labels.
///
/// Each epoch shuffles the members of every class (seed + epoch), spreads each class
/// evenly along the epoch (member `k` of a class of `n_c` sits at position
/// `(k + offset_c) / n_c`), then cuts the merged order into batches. Every index appears
/// once per epoch (the last short batch is dropped with `drop_last`).
#[derive(Clone, Debug)]
pub struct StratifiedBatchSampler {
    classes: Vec<Vec<usize>>,
    n: usize,
    batch_size: usize,
    drop_last: bool,
    seed: u64,
}

impl StratifiedBatchSampler {
    /// Batches of `batch_size` over items labelled `labels[i]`; panics when `batch_size`
    /// is 0.
    pub fn new<L: Ord + Clone>(
        labels: &[L],
        batch_size: usize,
        drop_last: bool,
        seed: u64,
    ) -> Self {
        assert!(
            batch_size > 0,
            "StratifiedBatchSampler: batch_size must be positive, got 0"
        );
        let (codes, n_classes) = encode_labels(labels);
        let mut classes = vec![Vec::new(); n_classes];
        for (i, &c) in codes.iter().enumerate() {
            classes[c].push(i);
        }
        StratifiedBatchSampler {
            classes,
            n: labels.len(),
            batch_size,
            drop_last,
            seed,
        }
    }
}

impl BatchSample for StratifiedBatchSampler {
    fn len(&self) -> usize {
        if self.drop_last {
            self.n / self.batch_size
        } else {
            self.n.div_ceil(self.batch_size)
        }
    }

    fn batches(&self, epoch: u64) -> Vec<Vec<usize>> {
        let mut rng = epoch_generator(self.seed, epoch);
        let mut keyed: Vec<(f64, usize)> = Vec::with_capacity(self.n);
        for members in &self.classes {
            let mut members = members.clone();
            shuffle(&mut members, &mut rng);
            let n_c = members.len() as f64;
            let offset = rng.uniform();
            for (k, idx) in members.into_iter().enumerate() {
                keyed.push(((k as f64 + offset) / n_c, idx));
            }
        }
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
        let mut out: Vec<Vec<usize>> = order
            .chunks(self.batch_size)
            .map(<[usize]>::to_vec)
            .collect();
        if self.drop_last && out.last().is_some_and(|b| b.len() < self.batch_size) {
            out.pop();
        }
        out
    }
}
