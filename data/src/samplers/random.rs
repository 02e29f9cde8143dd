//! `RandomSampler`: a seeded shuffle per epoch, with or without replacement.

use super::Sampler;
use crate::rng::{below, epoch_generator, permutation};

/// Visits the indices of a dataset of `data_len` items in random order
/// (`torch.utils.data.RandomSampler(data_source, replacement, num_samples, generator)`).
///
/// Epoch `e` draws from a generator seeded with `seed + e`. Without replacement and with
/// `num_samples > data_len`, whole permutations are concatenated, as PyTorch does.
#[derive(Clone, Debug)]
pub struct RandomSampler {
    data_len: usize,
    replacement: bool,
    num_samples: Option<usize>,
    seed: u64,
}

impl RandomSampler {
    /// A shuffle of `0..data_len` per epoch without replacement, seeded by `seed`.
    pub fn new(data_len: usize, seed: u64) -> Self {
        RandomSampler {
            data_len,
            replacement: false,
            num_samples: None,
            seed,
        }
    }

    /// Draws with replacement (`replacement=True`).
    pub fn with_replacement(mut self, replacement: bool) -> Self {
        self.replacement = replacement;
        self
    }

    /// Draws `num_samples` indices per epoch instead of `data_len` (`num_samples=`).
    pub fn with_num_samples(mut self, num_samples: usize) -> Self {
        self.num_samples = Some(num_samples);
        self
    }
}

impl Sampler for RandomSampler {
    fn len(&self) -> usize {
        if self.data_len == 0 {
            return 0;
        }
        self.num_samples.unwrap_or(self.data_len)
    }

    fn indices(&self, epoch: u64) -> Vec<usize> {
        let n = self.len();
        if n == 0 {
            return Vec::new();
        }
        let mut rng = epoch_generator(self.seed, epoch);
        if self.replacement {
            return (0..n).map(|_| below(&mut rng, self.data_len)).collect();
        }
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let p = permutation(self.data_len, &mut rng);
            let take = (n - out.len()).min(p.len());
            out.extend_from_slice(&p[..take]);
        }
        out
    }
}
