//! Gradient accumulation: `k` micro-batches of `b` rows make the same optimizer step as one
//! batch of `k·b` rows (each micro-batch loss divided by `k`, as HF scales it), to 1e-6 in
//! f32 over 20+ steps: on the seeds' Fashion-MNIST MLP shape with SGD and on a small BERT
//! classifier with padding and AdamW.

mod common;

use common::exclusive;

use std::path::Path;

use kiln_autograd::Var;
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::models::{BertForSequenceClassification, EncoderInput};
use kiln_nn::{Forward, Module, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{OptimizerName, StepOutput, Trainer, TrainerState, TrainingArguments};

fn args(dir: &Path, batch: usize, accumulation: usize, epochs: f64) -> TrainingArguments {
    TrainingArguments {
        num_train_epochs: epochs,
        per_device_train_batch_size: batch,
        gradient_accumulation_steps: accumulation,
        learning_rate: 1e-3,
        weight_decay: 0.01,
        warmup_steps: 3.0,
        logging_steps: 1.0,
        save_strategy: kiln_trainer::IntervalStrategy::No,
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-accumulation-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every parameter, flattened in state-dict order.
fn flat_weights(model: &impl Module) -> Vec<f32> {
    model
        .state_dict()
        .iter()
        .flat_map(|(_, t)| t.to_vec::<f32>())
        .collect()
}

/// The training loss logged at each step.
fn step_losses(state: &TrainerState) -> Vec<f64> {
    state
        .log_history
        .iter()
        .filter_map(|e| e.values.get("loss").copied())
        .collect()
}

/// Largest `|a - b| / max(1, |b|)`.
fn max_relative_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1.0))
        .fold(0.0, f32::max)
}

fn assert_same_run(name: &str, (wa, la): (Vec<f32>, Vec<f64>), (wb, lb): (Vec<f32>, Vec<f64>)) {
    assert!(la.len() >= 20, "{name}: only {} steps", la.len());
    assert_eq!(la.len(), lb.len(), "{name}: step counts differ");
    for (step, (a, b)) in la.iter().zip(&lb).enumerate() {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "{name}: loss at step {} is {a} accumulated vs {b} in one batch",
            step + 1
        );
    }
    let diff = max_relative_difference(&wa, &wb);
    eprintln!("{name}: max relative weight difference {diff:.2e}");
    assert!(diff <= 1e-6, "{name}: weights differ by {diff:.2e}");
    // The runs did train: the weights moved.
    assert!(la.last() < la.first(), "{name}: loss did not fall: {la:?}");
}

/// The seeds' Fashion-MNIST MLP (784-256-128-10) on 96 random images.
fn mlp_run(batch: usize, accumulation: usize) -> (Vec<f32>, Vec<f64>) {
    manual_seed(5);
    let x = Tensor::rand([96, 784]);
    let y = Tensor::randint(0, 10, [96]);
    manual_seed(6);
    let model = common::fashion_mnist_mlp::model();
    let dir = tempdir(&format!("mlp-{batch}-{accumulation}"));
    let mut trainer = Trainer::new(
        model,
        // SGD's step is proportional to the gradient: a wrong loss scale cannot hide.
        TrainingArguments {
            optim: OptimizerName::Sgd,
            learning_rate: 0.05,
            ..args(&dir, batch, accumulation, 7.0)
        },
        DefaultCollate,
        |m: &Sequential, batch: &Vec<Tensor>| {
            let logits = m.forward(&Var::constant(batch[0].clone()));
            StepOutput::loss(
                CrossEntropyLoss::new().forward(&logits, &Var::constant(batch[1].clone())),
            )
        },
    )
    .expect("valid arguments")
    .with_train_dataset(TensorDataset::new(vec![x, y]));
    trainer.train(None).expect("training runs");
    let _ = std::fs::remove_dir_all(&dir);
    (flat_weights(trainer.model()), step_losses(trainer.state()))
}

/// A 2-layer BERT classifier (dropout off, so both runs draw no random numbers) on 48
/// padded sequences of length 8.
fn bert_run(batch: usize, accumulation: usize) -> (Vec<f32>, Vec<f64>) {
    manual_seed(7);
    let data = common::padded_sequences(48);
    manual_seed(8);
    let model = BertForSequenceClassification::new(&common::small_bert_config());
    let dir = tempdir(&format!("bert-{batch}-{accumulation}"));
    let mut trainer = Trainer::new(
        model,
        args(&dir, batch, accumulation, 5.0),
        DefaultCollate,
        |m: &BertForSequenceClassification, batch: &Vec<Tensor>| {
            let input = EncoderInput::new(batch[0].clone()).with_attention_mask(batch[1].clone());
            let out = m.forward(&input, Some(&batch[2]));
            StepOutput::loss(out.loss.expect("labels were given"))
        },
    )
    .expect("valid arguments")
    .with_train_dataset(data);
    trainer.train(None).expect("training runs");
    let _ = std::fs::remove_dir_all(&dir);
    (flat_weights(trainer.model()), step_losses(trainer.state()))
}

#[test]
fn four_micro_batches_of_8_equal_one_batch_of_32_on_the_mlp() {
    let _rng = exclusive();
    assert_same_run("mlp", mlp_run(8, 4), mlp_run(32, 1));
}

#[test]
fn three_micro_batches_of_4_equal_one_batch_of_12_on_a_small_bert() {
    let _rng = exclusive();
    assert_same_run("bert", bert_run(4, 3), bert_run(12, 1));
}
