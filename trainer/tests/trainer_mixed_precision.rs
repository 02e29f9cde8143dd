//! Mixed precision in the Trainer (`fp16` / `bf16`): the loss is computed under autocast with
//! f32 master weights; with fp16 a `GradScaler` skips the steps whose scaled gradients
//! overflowed and the log counts them; a resumed fp16 run restores the scaler and ends
//! bit-identical to an uninterrupted one.

mod common;

use std::path::Path;

use common::{AbortAt, exclusive};
use kiln_autograd::Var;
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::{Forward, Linear, Module, ReLU, Sequential};
use kiln_tensor::{DType, Tensor, manual_seed};
use kiln_trainer::{IntervalStrategy, ResumeFrom, StepOutput, Trainer, TrainingArguments};

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-amp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// 3 classes by which of the first three features is largest, 240 rows of 12 features.
fn data() -> (Tensor, Tensor) {
    manual_seed(11);
    let x = Tensor::randn([240, 12]);
    let y = x.narrow(1usize, 0, 3).argmax_dim(1usize, false);
    (x, y)
}

fn mlp() -> Sequential {
    manual_seed(12);
    Sequential::new()
        .append(Linear::new(12, 64, true))
        .append(ReLU)
        .append(Linear::new(64, 3, true))
}

fn args(dir: &Path) -> TrainingArguments {
    TrainingArguments {
        num_train_epochs: 6.0,
        per_device_train_batch_size: 16,
        learning_rate: 5e-3,
        logging_steps: 5.0,
        save_strategy: IntervalStrategy::No,
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    }
}

/// A trainer whose loss is multiplied by `loss_factor` (a large factor makes the scaled f16
/// gradients overflow until the scaler has backed off far enough).
fn trainer(
    args: TrainingArguments,
    loss_factor: f64,
) -> Trainer<Sequential, TensorDataset, DefaultCollate> {
    let (x, y) = data();
    Trainer::new(
        mlp(),
        args,
        DefaultCollate,
        move |m: &Sequential, batch: &Vec<Tensor>| {
            let logits = m.forward(&Var::constant(batch[0].clone()));
            let loss = CrossEntropyLoss::new().forward(&logits, &Var::constant(batch[1].clone()));
            StepOutput::loss(loss.mul_scalar(loss_factor))
        },
    )
    .expect("valid arguments")
    .with_train_dataset(TensorDataset::new(vec![x, y]))
}

fn accuracy(model: &Sequential) -> f64 {
    let (x, y) = data();
    let _guard = kiln_autograd::no_grad();
    let predicted = model
        .forward(&Var::constant(x))
        .value()
        .argmax_dim(1usize, false);
    let hits = predicted
        .to_vec::<i64>()
        .iter()
        .zip(y.to_vec::<i64>())
        .filter(|(p, t)| **p == *t)
        .count();
    hits as f64 / 240.0
}

fn logged(trainer: &Trainer<Sequential, TensorDataset, DefaultCollate>, key: &str) -> Vec<f64> {
    trainer
        .state()
        .log_history
        .iter()
        .filter_map(|e| e.values.get(key).copied())
        .collect()
}

#[test]
fn fp16_and_bf16_train_as_well_as_f32_on_f32_master_weights() {
    let _rng = exclusive();
    let mut accuracies = Vec::new();
    for (name, fp16, bf16) in [
        ("f32", false, false),
        ("fp16", true, false),
        ("bf16", false, true),
    ] {
        let dir = tempdir(name);
        let mut t = trainer(
            TrainingArguments {
                fp16,
                bf16,
                ..args(&dir)
            },
            1.0,
        );
        t.train(None).expect("training runs");
        for (n, p) in t.model().state_dict().iter() {
            assert_eq!(
                p.dtype(),
                DType::F32,
                "{name}: master weight {n} is not f32"
            );
        }
        let losses = logged(&t, "loss");
        assert!(losses.last() < losses.first(), "{name}: {losses:?}");
        assert_eq!(!logged(&t, "amp_skipped_steps").is_empty(), fp16, "{name}");
        accuracies.push((name, accuracy(t.model())));
    }
    let f32_accuracy = accuracies[0].1;
    assert!(f32_accuracy > 0.9, "{accuracies:?}");
    for (name, a) in &accuracies[1..] {
        assert!((a - f32_accuracy).abs() <= 0.02, "{name}: {accuracies:?}");
    }
}

#[test]
fn overflowed_fp16_steps_are_skipped_and_counted() {
    let _rng = exclusive();
    let dir = tempdir("overflow");
    let mut t = trainer(
        TrainingArguments {
            fp16: true,
            max_steps: 30,
            ..args(&dir)
        },
        1e4,
    );
    t.train(None).expect("training runs");
    let skipped = logged(&t, "amp_skipped_steps");
    let total = *skipped.last().unwrap();
    // 65536 · 1e4 overflows f16 until the scale has halved about 8 times.
    assert!((3.0..30.0).contains(&total), "skipped {skipped:?}");
    assert!(
        t.model()
            .state_dict()
            .iter()
            .all(|(_, p)| p.to_vec::<f32>().iter().all(|v| v.is_finite()))
    );
    let losses = logged(&t, "loss");
    assert!(losses.last() < losses.first(), "{losses:?}");
}

#[test]
fn a_resumed_fp16_run_restores_the_scaler_and_ends_bit_identical() {
    let _rng = exclusive();
    let amp = |dir: &Path| TrainingArguments {
        fp16: true,
        max_steps: 30,
        save_strategy: IntervalStrategy::Steps,
        save_steps: 6.0,
        ..args(dir)
    };
    let whole_dir = tempdir("resume-whole");
    let mut whole = trainer(amp(&whole_dir), 1e4);
    whole.train(None).unwrap();

    // Checkpoint 6 falls while the scaler is still backing off.
    let part_dir = tempdir("resume-part");
    let mut first = trainer(amp(&part_dir), 1e4).with_callback(AbortAt(9));
    first.train(None).unwrap();
    let mut resumed = trainer(amp(&part_dir), 1e4);
    resumed.train(Some(ResumeFrom::Last)).unwrap();

    let weights = |t: &Trainer<Sequential, TensorDataset, DefaultCollate>| -> Vec<Vec<f32>> {
        t.model()
            .state_dict()
            .iter()
            .map(|(_, p)| p.to_vec::<f32>())
            .collect()
    };
    assert_eq!(weights(&resumed), weights(&whole));
    assert_eq!(
        logged(&resumed, "amp_skipped_steps"),
        logged(&whole, "amp_skipped_steps")
    );
    assert_eq!(logged(&resumed, "loss"), logged(&whole, "loss"));
}
