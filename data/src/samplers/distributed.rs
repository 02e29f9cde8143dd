//! `DistributedSampler`: the share of each epoch's indices that one rank of a data-parallel
//! job visits.

use super::Sampler;
use crate::rng::{epoch_generator, permutation};

/// Splits each epoch's indices of a dataset of `data_len` items among `num_replicas` ranks
/// and yields rank `rank`'s share (`torch.utils.data.distributed.DistributedSampler`).
///
/// As PyTorch: the epoch's order (a shuffle seeded by `seed + epoch`, the same on every rank,
/// or `0..data_len`) is padded by repeating its start until every rank gets
/// `ceil(data_len / num_replicas)` indices, or, with `drop_last`, cut to
/// `floor(data_len / num_replicas)` per rank; rank `r` then takes positions
/// `r, r + num_replicas, r + 2·num_replicas, …`. With one replica the order is exactly
/// [`super::RandomSampler`]'s (or [`super::SequentialSampler`]'s), so one process with batch
/// `2b` and two with batch `b` see the same samples in each global batch.
///
/// The epoch is an argument of [`Sampler::indices`] (PyTorch's `set_epoch`), so every
/// epoch reshuffles without state. Pure: no communication, no MPI.
#[derive(Clone, Debug)]
pub struct DistributedSampler {
    data_len: usize,
    num_replicas: usize,
    rank: usize,
    shuffle: bool,
    seed: u64,
    drop_last: bool,
    even_shares: bool,
}

impl DistributedSampler {
    /// Rank `rank`'s share of `data_len` items among `num_replicas`, shuffled with seed 0 and
    /// padded (PyTorch's defaults `shuffle=True, seed=0, drop_last=False`). Panics when
    /// `num_replicas` is 0 or `rank >= num_replicas`, as PyTorch raises.
    pub fn new(data_len: usize, num_replicas: usize, rank: usize) -> Self {
        assert!(
            num_replicas > 0 && rank < num_replicas,
            "DistributedSampler: invalid rank {rank}, rank should be in the interval [0, {}]",
            num_replicas.saturating_sub(1)
        );
        DistributedSampler {
            data_len,
            num_replicas,
            rank,
            shuffle: true,
            seed: 0,
            drop_last: false,
            even_shares: true,
        }
    }

    /// Whether each epoch is shuffled (`shuffle=`).
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The shuffle seed, which must be the same on every rank (`seed=`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Drops the tail that does not divide evenly instead of padding (`drop_last=`).
    pub fn with_drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// With `false`, neither pads nor drops: rank `r` takes positions `r, r + num_replicas,
    /// …` below `data_len`, so shares differ in length by at most one and every index is
    /// visited exactly once over all ranks. For evaluation, where a repeated example would
    /// count twice (accelerate's `even_batches=False`); not in PyTorch's sampler.
    pub fn with_even_shares(mut self, even_shares: bool) -> Self {
        self.even_shares = even_shares;
        self
    }

    /// Indices over all ranks (`total_size`): `data_len` when shares are uneven.
    pub fn total_size(&self) -> usize {
        if self.even_shares {
            self.len() * self.num_replicas
        } else {
            self.data_len
        }
    }
}

impl Sampler for DistributedSampler {
    fn len(&self) -> usize {
        if !self.even_shares {
            return self
                .data_len
                .saturating_sub(self.rank)
                .div_ceil(self.num_replicas);
        }
        if self.drop_last {
            self.data_len / self.num_replicas
        } else {
            self.data_len.div_ceil(self.num_replicas)
        }
    }

    fn indices(&self, epoch: u64) -> Vec<usize> {
        let total = self.total_size();
        if total == 0 {
            return Vec::new();
        }
        let order: Vec<usize> = if self.shuffle {
            permutation(self.data_len, &mut epoch_generator(self.seed, epoch))
        } else {
            (0..self.data_len).collect()
        };
        order
            .iter()
            .copied()
            .cycle()
            .take(total)
            .skip(self.rank)
            .step_by(self.num_replicas)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samplers::RandomSampler;

    #[test]
    fn shares_partition_the_epoch_and_pad_like_pytorch() {
        // PyTorch, no shuffle, 10 items over 3 ranks: padded to 12 with [0, 1].
        let shares: Vec<Vec<usize>> = (0..3)
            .map(|r| {
                DistributedSampler::new(10, 3, r)
                    .with_shuffle(false)
                    .indices(0)
            })
            .collect();
        assert_eq!(shares[0], [0, 3, 6, 9]);
        assert_eq!(shares[1], [1, 4, 7, 0]);
        assert_eq!(shares[2], [2, 5, 8, 1]);
        // drop_last: 3 each, the tail 9 dropped.
        let dropped = DistributedSampler::new(10, 3, 2)
            .with_shuffle(false)
            .with_drop_last(true);
        assert_eq!(dropped.len(), 3);
        assert_eq!(dropped.indices(0), [2, 5, 8]);
    }

    #[test]
    fn padding_repeats_the_order_when_ranks_outnumber_items() {
        // PyTorch repeats the whole list as many times as needed: 2 items, 5 ranks.
        let all: Vec<usize> = (0..5)
            .flat_map(|r| {
                DistributedSampler::new(2, 5, r)
                    .with_shuffle(false)
                    .indices(0)
            })
            .collect();
        assert_eq!(all, [0, 1, 0, 1, 0]);
    }

    #[test]
    fn one_replica_is_the_random_sampler_and_shuffles_agree_across_ranks() {
        for epoch in 0..3 {
            let alone = DistributedSampler::new(17, 1, 0)
                .with_seed(5)
                .indices(epoch);
            assert_eq!(alone, RandomSampler::new(17, 5).indices(epoch));
            let (a, b) = (
                DistributedSampler::new(17, 2, 0)
                    .with_seed(5)
                    .indices(epoch),
                DistributedSampler::new(17, 2, 1)
                    .with_seed(5)
                    .indices(epoch),
            );
            let interleaved: Vec<usize> = a.iter().zip(&b).flat_map(|(x, y)| [*x, *y]).collect();
            assert_eq!(interleaved[..17], alone[..]);
        }
        let (e0, e1) = (
            DistributedSampler::new(50, 2, 0).indices(0),
            DistributedSampler::new(50, 2, 0).indices(1),
        );
        assert_ne!(e0, e1, "set_epoch must reshuffle");
    }

    #[test]
    fn uneven_shares_visit_every_index_once() {
        let shares: Vec<Vec<usize>> = (0..3)
            .map(|r| {
                DistributedSampler::new(7, 3, r)
                    .with_shuffle(false)
                    .with_even_shares(false)
            })
            .map(|s| {
                let indices = s.indices(0);
                assert_eq!(indices.len(), s.len());
                indices
            })
            .collect();
        assert_eq!(shares, [vec![0, 3, 6], vec![1, 4], vec![2, 5]]);
        let tiny = DistributedSampler::new(1, 3, 2).with_even_shares(false);
        assert!(tiny.is_empty() && tiny.indices(0).is_empty());
    }

    #[test]
    fn empty_dataset_yields_nothing() {
        let s = DistributedSampler::new(0, 4, 3);
        assert!(s.is_empty());
        assert!(s.indices(0).is_empty());
    }

    #[test]
    #[should_panic(expected = "invalid rank 2")]
    fn rank_out_of_range_panics() {
        DistributedSampler::new(10, 2, 2);
    }
}
