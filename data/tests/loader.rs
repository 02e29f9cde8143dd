//! DataLoader properties: coverage, determinism across worker counts, drop_last, epochs,
//! bounded prefetch, panics from workers, samplers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kiln_data::samplers::{RandomSampler, Sampler, StratifiedBatchSampler, WeightedRandomSampler};
use kiln_data::{DataLoader, Dataset, FnDataset, TensorDataset, VecDataset};
use kiln_tensor::Tensor;
use proptest::prelude::*;

/// A loader whose items are their own indices, collated as a plain list.
type IndexLoader = DataLoader<VecDataset<usize>, fn(Vec<usize>) -> Vec<usize>>;

fn index_loader(n: usize) -> IndexLoader {
    DataLoader::new(VecDataset((0..n).collect::<Vec<usize>>()))
        .with_collate(identity as fn(Vec<usize>) -> Vec<usize>)
}

fn identity(items: Vec<usize>) -> Vec<usize> {
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_index_once_per_epoch(n in 0usize..300, bs in 1usize..40, shuffle in any::<bool>(), drop_last in any::<bool>(), seed in any::<u64>()) {
        let loader = index_loader(n).with_batch_size(bs).with_shuffle(shuffle).with_drop_last(drop_last).with_seed(seed);
        let batches: Vec<Vec<usize>> = loader.iter().collect();
        let expected_batches = if drop_last { n / bs } else { n.div_ceil(bs) };
        prop_assert_eq!(batches.len(), expected_batches);
        prop_assert_eq!(loader.len(), expected_batches);
        let mut seen = vec![0usize; n];
        for (i, b) in batches.iter().enumerate() {
            // Only the last batch may be short, and never with drop_last.
            if i + 1 < batches.len() || drop_last { prop_assert_eq!(b.len(), bs); }
            prop_assert!(!b.is_empty() && b.len() <= bs);
            for &x in b { seen[x] += 1; }
        }
        let covered = seen.iter().filter(|&&s| s == 1).count();
        prop_assert!(seen.iter().all(|&s| s <= 1));
        if drop_last {
            prop_assert_eq!(covered, (n / bs) * bs);
        } else {
            prop_assert_eq!(covered, n);
        }
    }

    #[test]
    fn same_order_for_0_1_and_4_workers(n in 1usize..200, bs in 1usize..17, seed in any::<u64>(), drop_last in any::<bool>(), prefetch in 1usize..4) {
        let run = |workers: usize| -> Vec<Vec<Vec<usize>>> {
            let loader = index_loader(n).with_batch_size(bs).with_shuffle(true).with_seed(seed)
                .with_drop_last(drop_last).with_num_workers(workers).with_prefetch_factor(prefetch);
            (0..3).map(|_| loader.iter().collect()).collect()
        };
        let zero = run(0);
        prop_assert_eq!(&zero, &run(1));
        prop_assert_eq!(&zero, &run(4));
    }

    #[test]
    fn epochs_reshuffle_deterministically(n in 20usize..200, seed in any::<u64>()) {
        let loader = index_loader(n).with_batch_size(7).with_shuffle(true).with_seed(seed);
        let e0: Vec<usize> = loader.iter().flatten().collect();
        let e1: Vec<usize> = loader.iter().flatten().collect();
        // 20! orderings: two epochs agree only by a bug.
        prop_assert_ne!(&e0, &e1);
        let replay: Vec<usize> = loader.iter_epoch(0).flatten().collect();
        prop_assert_eq!(&e0, &replay);
        let again = index_loader(n).with_batch_size(7).with_shuffle(true).with_seed(seed);
        prop_assert_eq!(e0, again.iter().flatten().collect::<Vec<_>>());
    }

    #[test]
    fn a_resumed_epoch_gives_the_remaining_batches(n in 0usize..120, bs in 1usize..9, skip in 0usize..20, workers in 0usize..3, seed in any::<u64>()) {
        let loader = index_loader(n).with_batch_size(bs).with_shuffle(true).with_seed(seed).with_num_workers(workers);
        let whole: Vec<Vec<usize>> = loader.iter_epoch(2).collect();
        let resumed: Vec<Vec<usize>> = loader.iter_epoch_from(2, skip).collect();
        prop_assert_eq!(&resumed[..], &whole[skip.min(whole.len())..]);
    }
}

#[test]
fn sequential_without_shuffle() {
    let loader = index_loader(10).with_batch_size(4);
    let batches: Vec<Vec<usize>> = loader.iter().collect();
    assert_eq!(
        batches,
        vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
    );
    let loader = index_loader(10).with_batch_size(4).with_drop_last(true);
    assert_eq!(loader.iter().count(), 2);
    assert_eq!(loader.len(), 2);
}

#[test]
fn default_collate_stacks_tensor_pairs() {
    let x = Tensor::from_vec((0..12).map(|v| v as f32).collect::<Vec<_>>(), [6, 2]);
    let y = Tensor::from_vec(vec![0i64, 1, 0, 1, 1, 0], [6]);
    let loader = DataLoader::new(TensorDataset::new(vec![x, y]))
        .with_batch_size(4)
        .with_num_workers(2);
    let batches: Vec<Vec<Tensor>> = loader.iter().collect();
    assert_eq!(batches.len(), 2);
    assert_eq!(batches[0][0].dims(), &[4, 2]);
    assert_eq!(
        batches[0][0].to_vec::<f32>(),
        (0..8).map(|v| v as f32).collect::<Vec<_>>()
    );
    assert_eq!(batches[1][1].to_vec::<i64>(), vec![1, 0]);
}

#[test]
fn prefetch_is_bounded() {
    let fetched = Arc::new(AtomicUsize::new(0));
    let counter = fetched.clone();
    let data = FnDataset::new(1000, move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        i as i64
    });
    let (workers, prefetch, bs) = (2, 2, 5);
    let loader = DataLoader::new(data)
        .with_batch_size(bs)
        .with_num_workers(workers)
        .with_prefetch_factor(prefetch);
    let mut it = loader.iter();
    let first = it.next().expect("a batch");
    assert_eq!(first.to_vec::<i64>(), vec![0, 1, 2, 3, 4]);
    std::thread::sleep(Duration::from_millis(200));
    // One batch consumed; each worker holds at most `prefetch` finished batches.
    let bound = (1 + workers * prefetch) * bs;
    let got = fetched.load(Ordering::SeqCst);
    assert!(got <= bound, "fetched {got} items, bound {bound}");
    assert!(got > bs, "workers should have prefetched");
    drop(it);
}

#[test]
fn worker_panics_reach_the_caller() {
    let data = FnDataset::new(20, |i| {
        assert!(i != 13, "item 13 is broken");
        i as i64
    });
    let loader = DataLoader::new(data).with_batch_size(4).with_num_workers(3);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loader.iter().count()));
    let err = result.expect_err("the panic must propagate");
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("item 13 is broken"), "{msg}");
}

#[test]
fn custom_sampler_and_batch_sampler() {
    let loader = index_loader(10).with_batch_size(3).with_sampler(
        RandomSampler::new(10, 1)
            .with_replacement(true)
            .with_num_samples(7),
    );
    assert_eq!(loader.len(), 3);
    let all: Vec<usize> = loader.iter().flatten().collect();
    assert_eq!(all.len(), 7);
    assert!(all.iter().all(|&i| i < 10));

    let labels: Vec<u8> = (0..90).map(|i| u8::from(i % 3 == 0)).collect();
    let loader =
        index_loader(90).with_batch_sampler(StratifiedBatchSampler::new(&labels, 9, false, 4));
    let mut seen = vec![0; 90];
    for batch in loader.iter() {
        assert_eq!(batch.len(), 9);
        let ones = batch.iter().filter(|&&i| labels[i] == 1).count();
        assert_eq!(ones, 3, "a third of each batch is class 1");
        for i in batch {
            seen[i] += 1;
        }
    }
    assert!(seen.iter().all(|&s| s == 1));
}

#[test]
fn random_sampler_without_replacement_covers_permutations() {
    let s = RandomSampler::new(5, 3).with_num_samples(12);
    let idx = s.indices(0);
    assert_eq!(idx.len(), 12);
    let mut first: Vec<usize> = idx[..5].to_vec();
    first.sort_unstable();
    assert_eq!(first, vec![0, 1, 2, 3, 4]);
    assert_ne!(s.indices(0), s.indices(1));
}

#[test]
fn weighted_sampler_follows_the_weights() {
    let s = WeightedRandomSampler::new(vec![1.0, 0.0, 3.0], 40_000, 11);
    let idx = s.indices(0);
    let counts = [0, 1, 2].map(|k| idx.iter().filter(|&&i| i == k).count() as f64);
    assert_eq!(counts[1], 0.0, "zero weight is never drawn");
    let share = counts[2] / 40_000.0;
    assert!((share - 0.75).abs() < 0.01, "share of index 2 = {share}");

    let s = WeightedRandomSampler::new(vec![1.0, 5.0, 0.0, 2.0], 3, 2).with_replacement(false);
    let mut idx = s.indices(0);
    idx.sort_unstable();
    assert_eq!(idx, vec![0, 1, 3]);
}

#[test]
#[should_panic(expected = "weights must be finite")]
fn weighted_sampler_rejects_negative_weights() {
    let _ = WeightedRandomSampler::new(vec![1.0, -2.0], 3, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn stratified_batches_stay_close_to_class_ratios(y in prop::collection::vec(0u8..3, 10..300), bs in 4usize..40, seed in any::<u64>()) {
        let sampler = StratifiedBatchSampler::new(&y, bs, true, seed);
        let n = y.len() as f64;
        let counts = [0u8, 1, 2].map(|c| y.iter().filter(|&&l| l == c).count() as f64);
        let batches = kiln_data::BatchSample::batches(&sampler, 0);
        prop_assert_eq!(batches.len(), y.len() / bs);
        for b in &batches {
            for c in 0..3u8 {
                let got = b.iter().filter(|&&i| y[i] == c).count() as f64;
                let want = bs as f64 * counts[c as usize] / n;
                prop_assert!((got - want).abs() < 2.0, "class {} count {} vs proportional {}", c, got, want);
            }
        }
    }
}

#[test]
fn dataset_len_matches_loader() {
    let data = FnDataset::new(33, |i| i as f32);
    assert_eq!(data.len(), 33);
    let loader = DataLoader::new(data).with_batch_size(10);
    let sizes: Vec<usize> = loader.iter().map(|t| t.dims()[0]).collect();
    assert_eq!(sizes, vec![10, 10, 10, 3]);
}
