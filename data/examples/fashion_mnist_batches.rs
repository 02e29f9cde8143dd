//! Loads Fashion-MNIST from the `cargo xtask fetch` cache, splits off a stratified
//! validation set, and times shuffled epochs of augmented batches with two workers.
//!
//! Run with `cargo run --release -p kiln-data --example fashion_mnist_batches`.

use std::time::Instant;

use kiln_data::augment::{Compose, Generator, RandomCrop, RandomHorizontalFlip, Transform};
use kiln_data::datasets::{FashionMnist, Split};
use kiln_data::splits::{SplitSize, TrainTestSplit};
use kiln_data::{DataLoader, Dataset, FnDataset, Subset};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let train = FashionMnist::load(Split::Train)?;
    let labels = train.label_values().to_vec();
    let (fit, val) = TrainTestSplit::new()
        .with_test_size(SplitSize::Fraction(0.1))
        .with_seed(0)
        .split_stratified(&labels)?;
    println!("train {} / validation {}", fit.len(), val.len());

    let augment = Compose::new()
        .then(RandomCrop::new((28, 28), 2))
        .then(RandomHorizontalFlip { p: 0.5 });
    // Each item draws its augmentation from a generator seeded by its index, so the
    // batches are the same whatever the worker count.
    let fit = Subset::new(train, fit);
    let fit = FnDataset::new(fit.len(), move |i| {
        let (image, label) = fit.get(i);
        let mut rng = Generator::new(i as u64);
        (
            augment.apply(image.reshape_to([1, 28, 28]), &mut rng),
            label,
        )
    });
    let loader = DataLoader::new(fit)
        .with_batch_size(64)
        .with_shuffle(true)
        .with_seed(42)
        .with_num_workers(2);
    for epoch in 0..2 {
        let start = Instant::now();
        let mut seen = 0;
        for (images, targets) in &loader {
            assert_eq!(images.dims()[1..], [1, 28, 28]);
            seen += targets.dims()[0];
        }
        println!(
            "epoch {epoch}: {} batches, {seen} images in {:.2?}",
            loader.len(),
            start.elapsed()
        );
    }
    Ok(())
}
