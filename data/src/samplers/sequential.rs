//! `SequentialSampler`: `0, 1, …, n-1` every epoch.

use super::Sampler;

/// Visits `0..len` in order every epoch (`torch.utils.data.SequentialSampler`).
#[derive(Clone, Debug)]
pub struct SequentialSampler {
    len: usize,
}

impl SequentialSampler {
    /// A sampler over `len` items.
    pub fn new(len: usize) -> Self {
        SequentialSampler { len }
    }
}

impl Sampler for SequentialSampler {
    fn len(&self) -> usize {
        self.len
    }

    fn indices(&self, _epoch: u64) -> Vec<usize> {
        (0..self.len).collect()
    }
}
