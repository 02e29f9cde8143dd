//! `WeightedRandomSampler`: indices drawn with probability proportional to a weight.

use super::Sampler;
use crate::rng::epoch_generator;

/// Draws `num_samples` indices in `0..weights.len()`, index `i` with probability
/// `weights[i] / sum(weights)` (`torch.utils.data.WeightedRandomSampler(weights,
/// num_samples, replacement=True, generator)`), the usual way to oversample rare classes.
///
/// Without replacement, an index is drawn at most once and the order follows sequential
/// weighted draws (Efraimidis–Spirakis keys `ln(u) / w`).
#[derive(Clone, Debug)]
pub struct WeightedRandomSampler {
    cumulative: Vec<f64>,
    weights: Vec<f64>,
    num_samples: usize,
    replacement: bool,
    seed: u64,
}

impl WeightedRandomSampler {
    /// A sampler with replacement. Panics, naming the problem, when a weight is negative or
    /// not finite or when all weights are zero while `num_samples > 0`.
    pub fn new(weights: Vec<f64>, num_samples: usize, seed: u64) -> Self {
        if let Some((i, w)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            panic!("WeightedRandomSampler: weight {i} is {w}; weights must be finite and >= 0");
        }
        let mut acc = 0.0;
        let cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        assert!(
            num_samples == 0 || acc > 0.0,
            "WeightedRandomSampler: the weights sum to zero, nothing can be drawn"
        );
        WeightedRandomSampler {
            cumulative,
            weights,
            num_samples,
            replacement: true,
            seed,
        }
    }

    /// Draws each index at most once (`replacement=False`); panics when fewer than
    /// `num_samples` weights are positive, as `torch.multinomial` does.
    pub fn with_replacement(mut self, replacement: bool) -> Self {
        if !replacement {
            let positive = self.weights.iter().filter(|&&w| w > 0.0).count();
            assert!(
                self.num_samples <= positive,
                "WeightedRandomSampler: cannot draw {} samples without replacement from {positive} positive weights",
                self.num_samples
            );
        }
        self.replacement = replacement;
        self
    }
}

impl Sampler for WeightedRandomSampler {
    fn len(&self) -> usize {
        self.num_samples
    }

    fn indices(&self, epoch: u64) -> Vec<usize> {
        let mut rng = epoch_generator(self.seed, epoch);
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        if self.replacement {
            let last = self.cumulative.len().saturating_sub(1);
            return (0..self.num_samples)
                .map(|_| {
                    let target = rng.uniform() * total;
                    // First index whose cumulative weight exceeds the target; zero-weight
                    // indices share their neighbour's cumulative value and are never chosen.
                    self.cumulative.partition_point(|&c| c <= target).min(last)
                })
                .collect();
        }
        let mut keyed: Vec<(f64, usize)> = self
            .weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0.0)
            .map(|(i, &w)| ((1.0 - rng.uniform()).ln() / w, i))
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        keyed
            .into_iter()
            .take(self.num_samples)
            .map(|(_, i)| i)
            .collect()
    }
}
