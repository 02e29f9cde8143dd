//! Seeded shuffling shared by samplers, splits, tables and augmentation.

use kiln_tensor::Generator;

/// The generator for `epoch` of a run seeded with `seed`: `seed + epoch`, so every epoch
/// reshuffles differently yet repeatably.
pub(crate) fn epoch_generator(seed: u64, epoch: u64) -> Generator {
    Generator::new(seed.wrapping_add(epoch))
}

/// A uniform index in `0..n`; `n` must be positive.
pub(crate) fn below(rng: &mut Generator, n: usize) -> usize {
    rng.int_in(0, n as i64) as usize
}

/// Shuffles `items` in place (Fisher–Yates), as `random.shuffle`.
pub(crate) fn shuffle<T>(items: &mut [T], rng: &mut Generator) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

/// A random permutation of `0..n` (`torch.randperm(n)`).
pub(crate) fn permutation(n: usize, rng: &mut Generator) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    shuffle(&mut p, rng);
    p
}
