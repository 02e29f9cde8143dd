//! `BatchSampler`: groups a sampler's indices into batches.

use super::{BatchSample, Sampler};

/// Cuts the indices of a [`Sampler`] into consecutive batches of `batch_size`
/// (`torch.utils.data.BatchSampler(sampler, batch_size, drop_last)`). The last, shorter
/// batch is kept unless `drop_last`.
pub struct BatchSampler {
    sampler: Box<dyn Sampler>,
    batch_size: usize,
    drop_last: bool,
}

impl BatchSampler {
    /// Batches of `batch_size` from `sampler`; panics when `batch_size` is 0.
    pub fn new(sampler: impl Sampler + 'static, batch_size: usize, drop_last: bool) -> Self {
        Self::from_boxed(Box::new(sampler), batch_size, drop_last)
    }

    /// As [`BatchSampler::new`] for an already boxed sampler.
    pub fn from_boxed(sampler: Box<dyn Sampler>, batch_size: usize, drop_last: bool) -> Self {
        assert!(
            batch_size > 0,
            "BatchSampler: batch_size must be positive, got 0"
        );
        BatchSampler {
            sampler,
            batch_size,
            drop_last,
        }
    }
}

impl BatchSample for BatchSampler {
    fn len(&self) -> usize {
        let n = self.sampler.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    fn batches(&self, epoch: u64) -> Vec<Vec<usize>> {
        let indices = self.sampler.indices(epoch);
        let mut out: Vec<Vec<usize>> = indices
            .chunks(self.batch_size)
            .map(<[usize]>::to_vec)
            .collect();
        if self.drop_last && out.last().is_some_and(|b| b.len() < self.batch_size) {
            out.pop();
        }
        out
    }
}
