//! Whole training loops, the seeds' way (`examples/number_sum.rs`, `examples/fashion_mnist_mlp.rs`):
//! 10 epochs of `number_sum` (10 000 pairs, batch 100, MLP 2→128→1, Adam) and one Fashion-MNIST
//! epoch (60 000 images, batch 64, MLP 784→256→128→10, Adam). `compare.py` runs the same
//! PyTorch scripts. The Fashion-MNIST bench needs `cargo xtask fetch fashion-mnist`.
//!
//! `trainer/fashion_mnist_mlp/epoch` is the same epoch through [`Trainer`] (HF's defaults:
//! AdamW with no decay on biases, gradient clipping at 1.0, a linear schedule, a log line
//! every 500 steps) and `trainer/fashion_mnist_mlp/hand_loop` a hand-written loop doing the
//! same work; the first against the second is the Trainer's overhead, and `compare.py` runs
//! Hugging Face's Trainer and the same hand loop in PyTorch.

#[path = "../examples/number_sum.rs"]
mod number_sum;

#[path = "../examples/fashion_mnist_mlp.rs"]
mod fashion_mnist_mlp;

use criterion::{Criterion, criterion_group};
use kiln_autograd::Var;
use kiln_data::datasets::{FashionMnist, Split};
use kiln_data::{DataLoader, DefaultCollate};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::{Forward, Module, Sequential};
use kiln_optim::clip_grad_norm_;
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::training::schedule::{create_optimizer, create_scheduler};
use kiln_trainer::{IntervalStrategy, StepOutput, Trainer, TrainingArguments};

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

/// The seeds' Fashion-MNIST MLP, seeded.
fn mlp() -> Sequential {
    manual_seed(0);
    fashion_mnist_mlp::model()
}

/// One epoch at batch 64, lr 1e-3, no checkpoints; everything else HF's defaults.
fn epoch_args() -> TrainingArguments {
    TrainingArguments {
        num_train_epochs: 1.0,
        per_device_train_batch_size: 64,
        learning_rate: 1e-3,
        save_strategy: IntervalStrategy::No,
        disable_tqdm: true,
        ..TrainingArguments::new(std::env::temp_dir().join("kiln-bench-trainer"))
    }
}

/// Cross-entropy of the MLP on one batch.
fn batch_loss(net: &Sequential, (images, labels): &(Tensor, Tensor)) -> Var {
    let logits = net.forward(&Var::constant(images.clone()));
    CrossEntropyLoss::new().forward(&logits, &Var::constant(labels.clone()))
}

/// What the Trainer does per step, by hand: AdamW, clipping, the schedule, the loss sum.
fn hand_loop_epoch(train: &FashionMnist, args: &TrainingArguments) -> f64 {
    let net = mlp();
    let loader = DataLoader::new(train.clone())
        .with_batch_size(args.per_device_train_batch_size)
        .with_shuffle(true)
        .with_seed(args.seed);
    let mut optimizer = create_optimizer(net.named_parameters(), args);
    let mut scheduler = create_scheduler(optimizer.as_mut(), args, loader.len());
    let params = optimizer.params();
    let mut total = 0.0;
    for batch in &loader {
        let loss = batch_loss(&net, &batch);
        loss.backward();
        total += loss.value().to_vec::<f64>()[0];
        clip_grad_norm_(&params, args.max_grad_norm, 2.0);
        optimizer.step();
        scheduler.step(optimizer.as_mut());
        optimizer.zero_grad(true);
    }
    total / loader.len() as f64
}

fn trainer_epoch(train: &FashionMnist, args: &TrainingArguments) -> f64 {
    let mut trainer = Trainer::new(mlp(), args.clone(), DefaultCollate, batch_loss_step)
        .expect("valid arguments")
        .with_train_dataset(train.clone());
    trainer.train(None).expect("training runs").training_loss
}

fn batch_loss_step(net: &Sequential, batch: &(Tensor, Tensor)) -> StepOutput {
    StepOutput::loss(batch_loss(net, batch))
}

fn trainer_overhead(c: &mut Criterion) {
    let Ok(train) = FashionMnist::load(Split::Train) else {
        eprintln!("skipped trainer/fashion_mnist_mlp: run `cargo xtask fetch fashion-mnist`");
        return;
    };
    let args = epoch_args();
    let mut group = c.benchmark_group("trainer");
    group.sample_size(10);
    group.bench_function("fashion_mnist_mlp/epoch", |b| {
        b.iter(|| trainer_epoch(&train, &args))
    });
    group.bench_function("fashion_mnist_mlp/hand_loop", |b| {
        b.iter(|| hand_loop_epoch(&train, &args))
    });
    group.finish();
}

criterion_group!(
    benches,
    number_sum_epochs,
    fashion_mnist_epoch,
    trainer_overhead
);
kiln_testkit::bench_main!(benches);
