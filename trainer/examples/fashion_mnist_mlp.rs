//! An MLP classifies Fashion-MNIST: 784 → 256 → ReLU → 128 → ReLU → 10, cross-entropy, Adam
//! lr 1e-3, batch 64, 3 epochs; prints each epoch's loss, test accuracy and wall time.
//! Needs the data: `cargo xtask fetch fashion-mnist`.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example fashion_mnist_mlp
//! ```

use std::time::Instant;

use kiln_autograd::{Var, no_grad};
use kiln_data::DataLoader;
use kiln_data::datasets::{FashionMnist, Split};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::{Forward, Linear, Module, ReLU, Sequential};
use kiln_optim::{Adam, AdamConfig, Optimizer};
use kiln_tensor::manual_seed;

/// The classifier: two hidden ReLU layers.
pub fn model() -> Sequential {
    Sequential::new()
        .append(Linear::new(784, 256, true))
        .append(ReLU)
        .append(Linear::new(256, 128, true))
        .append(ReLU)
        .append(Linear::new(128, 10, true))
}

/// Share of `data` the model labels correctly.
pub fn accuracy(model: &Sequential, data: &FashionMnist) -> f64 {
    let _guard = no_grad();
    let logits = model.forward(&Var::constant(data.images().clone())).value();
    let predicted = logits.argmax_dim(1usize, false).to_vec::<i64>();
    let correct = predicted
        .iter()
        .zip(data.label_values())
        .filter(|(p, l)| p == l)
        .count();
    correct as f64 / data.label_values().len() as f64
}

/// One pass over `loader` with Adam steps; returns the mean batch loss.
pub fn run_epoch(net: &Sequential, loader: &DataLoader<FashionMnist>, optimizer: &mut Adam) -> f64 {
    let criterion = CrossEntropyLoss::new();
    let mut total = 0.0;
    for (images, labels) in loader {
        let logits = net.forward(&Var::constant(images));
        let loss = criterion.forward(&logits, &Var::constant(labels));
        loss.backward();
        optimizer.step();
        optimizer.zero_grad(true);
        total += loss.value().item::<f32>() as f64;
    }
    total / loader.len() as f64
}

/// The model, a shuffled batch-64 loader over `train` and Adam(lr=1e-3).
pub fn setup(train: FashionMnist) -> (Sequential, DataLoader<FashionMnist>, Adam) {
    manual_seed(0);
    let net = model();
    let loader = DataLoader::new(train)
        .with_batch_size(64)
        .with_shuffle(true)
        .with_seed(0);
    let optimizer = Adam::new(net.parameters(), AdamConfig::new(1e-3));
    (net, loader, optimizer)
}

/// The training and test splits from the cache; on failure prints why (the fetch command)
/// and exits with status 1.
pub fn load_or_exit() -> (FashionMnist, FashionMnist) {
    match (
        FashionMnist::load(Split::Train),
        FashionMnist::load(Split::Test),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

#[allow(dead_code)] // the bench and `fashion_mnist_trainer` include this file
fn main() {
    kiln_tensor::init_thread_pool(None).expect("first thing in main");
    let (train_set, test_set) = load_or_exit();
    let (net, loader, mut optimizer) = setup(train_set);
    println!("{net}");
    for epoch in 0..3 {
        let start = Instant::now();
        let loss = run_epoch(&net, &loader, &mut optimizer);
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "Epoch {epoch}: mean loss {loss:.4}, test accuracy {:.2}%, {seconds:.2} s",
            accuracy(&net, &test_set) * 100.0
        );
    }
}
