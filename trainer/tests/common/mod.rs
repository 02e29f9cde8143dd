//! Helpers shared by the trainer integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use kiln_autograd::Var;
use kiln_nn::Forward;
use kiln_nn::loss::MSELoss;
use kiln_tensor::Tensor;
use kiln_trainer::metrics::ZeroDivision;
use kiln_trainer::{Callback, StepOutput, TrainerControl, TrainerState, TrainingArguments};

/// The global generator seeds data, weights and dropout: a test that uses it holds this lock.
static GLOBAL_RNG: Mutex<()> = Mutex::new(());

/// Takes the global generator for the rest of the test (a failed test does not poison it).
pub fn exclusive() -> MutexGuard<'static, ()> {
    GLOBAL_RNG.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stops training after a given step, as a crash would: no final save.
pub struct AbortAt(pub usize);

impl Callback for AbortAt {
    fn name(&self) -> String {
        "AbortAt".into()
    }

    fn on_step_end(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
        if state.global_step == self.0 {
            control.should_training_stop = true;
        }
    }
}

/// The Kiln data cache: `$KILN_CACHE`, else `$HOME/.cache/kiln`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("KILN_CACHE") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln"),
    }
}

/// `CACHE/name/file` if it exists. Otherwise prints a skip line and returns `None`, or panics
/// when `KILN_REQUIRE_DATA=1` (set by `cargo xtask test`).
pub fn data_file(name: &str, file: &str) -> Option<PathBuf> {
    let p = cache_dir().join(name).join(file);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("KILN_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("{} is missing: run `cargo xtask fetch {name}`", p.display());
    }
    eprintln!(
        "skipped: run `cargo xtask fetch {name}` ({} is missing)",
        p.display()
    );
    None
}

/// scikit-learn's `zero_division` as the fixtures spell it: `"warn"`, `"0"`, `"1"` or `"nan"`.
pub fn zero_division_named(name: &str) -> ZeroDivision {
    match name {
        "warn" => ZeroDivision::Warn,
        "0" => ZeroDivision::Zero,
        "1" => ZeroDivision::One,
        "nan" => ZeroDivision::Nan,
        other => panic!("unknown zero_division {other}"),
    }
}

/// A regression step: the MSE of `model(batch[0])` against `batch[1]`, with the predictions
/// and targets for `compute_metrics`.
// `&Vec`: the Trainer's `compute_loss` takes `&DefaultCollate::Batch`, which is `Vec<Tensor>`.
#[allow(clippy::ptr_arg)]
pub fn mse_step<M: Forward>(model: &M, batch: &Vec<Tensor>) -> StepOutput {
    let prediction = model.forward(&Var::constant(batch[0].clone()));
    let loss = MSELoss::new().forward(&prediction, &Var::constant(batch[1].clone()));
    StepOutput::with_predictions(loss, prediction.value(), batch[1].clone())
}

/// The seeds' Fashion-MNIST example (`examples/fashion_mnist_mlp.rs`), for its `model()`:
/// 784 → 256 → ReLU → 128 → ReLU → 10.
#[path = "../../examples/fashion_mnist_mlp.rs"]
pub mod fashion_mnist_mlp;

/// `n` random sequences of 8 ids in `1..50` with random lengths 3 to 8, zero-padded: the
/// ids, the attention mask and a label in `0..3` each, from the global generator.
pub fn padded_sequences(n: usize) -> kiln_data::TensorDataset {
    let ids = Tensor::randint(1, 50, [n, 8]);
    let lengths = Tensor::randint(3, 9, [n, 1]);
    let positions = Tensor::arange(0i64, 8, 1).reshape(&[1, 8]);
    let mask = positions
        .compare(&lengths, kiln_tensor::CompareOp::Lt)
        .to_dtype(kiln_tensor::DType::I64);
    let labels = Tensor::randint(0, 3, [n]);
    kiln_data::TensorDataset::new(vec![ids.mul(&mask), mask, labels])
}

/// A 2-layer BERT classifier for [`padded_sequences`] (vocabulary 50, hidden 16, 3 labels)
/// with dropout off, so that runs to be compared draw no random numbers.
pub fn small_bert_config() -> kiln_nn::models::BertConfig {
    let mut config = kiln_nn::models::BertConfig::new(50, 16, 2, 2, 32);
    config.max_position_embeddings = 16;
    config.hidden_dropout_prob = 0.0;
    config.attention_probs_dropout_prob = 0.0;
    config.classification = kiln_nn::models::ClassificationConfig::with_num_labels(3);
    config
}
