//! Whole training loops, the seeds' way (`examples/number_sum.rs`, `examples/fashion_mnist_mlp.rs`):
//! 10 epochs of `number_sum` (10 000 pairs, batch 100, MLP 2→128→1, Adam) and one Fashion-MNIST
//! epoch (60 000 images, batch 64, MLP 784→256→128→10, Adam). `compare.py` runs the same
//! PyTorch scripts. The Fashion-MNIST bench needs `cargo xtask fetch fashion-mnist`.

#[path = "../examples/number_sum.rs"]
mod number_sum;

#[path = "../examples/fashion_mnist_mlp.rs"]
mod fashion_mnist_mlp;

use criterion::{Criterion, criterion_group, criterion_main};
use kiln_data::datasets::{FashionMnist, Split};

fn number_sum_epochs(c: &mut Criterion) {
    let mut group = c.benchmark_group("training");
    group.sample_size(10);
    group.bench_function("number_sum/10_epochs", |b| {
        b.iter(|| number_sum::train(10, 0, false))
    });
    group.finish();
}

fn fashion_mnist_epoch(c: &mut Criterion) {
    let Ok(train) = FashionMnist::load(Split::Train) else {
        eprintln!("skipped training/fashion_mnist_mlp: run `cargo xtask fetch fashion-mnist`");
        return;
    };
    let (net, loader, mut optimizer) = fashion_mnist_mlp::setup(train);
    let mut group = c.benchmark_group("training");
    group.sample_size(10);
    group.bench_function("fashion_mnist_mlp/epoch", |b| {
        b.iter(|| fashion_mnist_mlp::run_epoch(&net, &loader, &mut optimizer))
    });
    group.finish();
}

criterion_group!(benches, number_sum_epochs, fashion_mnist_epoch);
criterion_main!(benches);
