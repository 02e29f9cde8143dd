//! The seeds' Fashion-MNIST MLP (784 → 256 → 128 → 10) trained by the [`Trainer`] for 3
//! epochs (batch 64, lr 1e-3, HF's defaults otherwise: AdamW, linear decay, clipping at 1.0),
//! once per precision named on the command line (`f32`, `fp16`, `bf16`; default all three);
//! prints each run's test accuracy, wall time and the fp16 steps skipped for overflow.
//! Needs the data: `cargo xtask fetch fashion-mnist`.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example fashion_mnist_trainer -- f32 fp16
//! ```

#[path = "fashion_mnist_mlp.rs"]
mod fashion_mnist_mlp;

use std::time::Instant;

use kiln_autograd::Var;
use kiln_data::DefaultCollate;
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::{Forward, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{IntervalStrategy, StepOutput, Trainer, TrainingArguments};

fn batch_loss(net: &Sequential, (images, labels): &(Tensor, Tensor)) -> StepOutput {
    let logits = net.forward(&Var::constant(images.clone()));
    StepOutput::loss(CrossEntropyLoss::new().forward(&logits, &Var::constant(labels.clone())))
}

fn main() {
    kiln_tensor::init_thread_pool(None).expect("first thing in main");
    let (train, test) = fashion_mnist_mlp::load_or_exit();
    let mut precisions: Vec<String> = std::env::args().skip(1).collect();
    if precisions.is_empty() {
        precisions = vec!["f32".into(), "fp16".into(), "bf16".into()];
    }
    for precision in &precisions {
        let (fp16, bf16) = match precision.as_str() {
            "f32" => (false, false),
            "fp16" => (true, false),
            "bf16" => (false, true),
            other => {
                eprintln!("unknown precision `{other}`: use f32, fp16 or bf16");
                std::process::exit(2);
            }
        };
        let args = TrainingArguments {
            num_train_epochs: 3.0,
            per_device_train_batch_size: 64,
            learning_rate: 1e-3,
            save_strategy: IntervalStrategy::No,
            logging_steps: 500.0,
            fp16,
            bf16,
            disable_tqdm: true,
            ..TrainingArguments::new(std::env::temp_dir().join(format!("kiln-fmnist-{precision}")))
        };
        manual_seed(0);
        let mut trainer =
            Trainer::new(fashion_mnist_mlp::model(), args, DefaultCollate, batch_loss)
                .expect("valid arguments")
                .with_train_dataset(train.clone());
        let start = Instant::now();
        let out = trainer.train(None).expect("training runs");
        let seconds = start.elapsed().as_secs_f64();
        let skipped = trainer
            .state()
            .log_history
            .iter()
            .rev()
            .find_map(|e| e.values.get("amp_skipped_steps").copied())
            .unwrap_or(0.0);
        println!(
            "{precision}: train loss {:.4}, test accuracy {:.2}%, {seconds:.1} s for 3 epochs, \
             {skipped} steps skipped",
            out.training_loss,
            fashion_mnist_mlp::accuracy(trainer.model(), &test) * 100.0
        );
    }
}
