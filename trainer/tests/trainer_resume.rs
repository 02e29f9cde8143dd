//! The Trainer end to end on a small regression MLP: training lowers the loss, logging fires
//! where HF's rules say, checkpoints are written and pruned, and a run resumed from a
//! mid-epoch checkpoint ends bit-identical to the uninterrupted run.

mod common;

use std::path::Path;

use common::{AbortAt, exclusive, mse_step};
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::{Dropout, Linear, Module, ReLU, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{ResumeFrom, Trainer, TrainingArguments};

/// y = x0 + x1 over 200 random points.
fn dataset() -> TensorDataset {
    manual_seed(1);
    let x = Tensor::rand([200, 2]);
    let y = x.sum_dim(&[1], true);
    TensorDataset::new(vec![x, y])
}

fn model() -> Sequential {
    manual_seed(2);
    Sequential::new()
        .append(Linear::new(2, 16, true))
        .append(ReLU)
        // Dropout draws from the global generator every step: a resume must restore it.
        .append(Dropout::new(0.1))
        .append(Linear::new(16, 1, true))
}

fn args(dir: &Path) -> TrainingArguments {
    TrainingArguments {
        num_train_epochs: 3.0,
        per_device_train_batch_size: 16,
        gradient_accumulation_steps: 2,
        learning_rate: 1e-2,
        logging_steps: 5.0,
        save_steps: 7.0,
        save_total_limit: Some(2),
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    }
}

type MlpTrainer = Trainer<Sequential, TensorDataset, DefaultCollate>;

fn trainer(args: TrainingArguments) -> MlpTrainer {
    Trainer::new(model(), args, DefaultCollate, mse_step::<Sequential>)
        .expect("valid arguments")
        .with_train_dataset(dataset())
}

fn weights(trainer: &MlpTrainer) -> Vec<(String, Vec<f32>)> {
    trainer
        .model()
        .state_dict()
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_vec::<f32>()))
        .collect()
}

/// The log history without the wall-clock entries, which differ between any two runs.
fn timeless_log(trainer: &MlpTrainer) -> Vec<(usize, Vec<(String, f64)>)> {
    trainer
        .state()
        .log_history
        .iter()
        .map(|e| {
            let values = e
                .values
                .iter()
                .filter(|(k, _)| !k.ends_with("_runtime") && !k.ends_with("_per_second"))
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            (e.step, values)
        })
        .collect()
}

#[test]
fn training_logs_on_hf_steps_and_lowers_the_loss() {
    let _rng = exclusive();
    let dir = tempdir("logs");
    let mut t = trainer(args(&dir));
    let out = t.train(None).expect("training runs");
    // 13 batches per epoch, accumulation 2: 7 steps per epoch, 21 in all.
    assert_eq!(out.global_step, 21);
    let loss_steps: Vec<usize> = t
        .state()
        .log_history
        .iter()
        .filter(|e| e.values.contains_key("loss"))
        .map(|e| e.step)
        .collect();
    assert_eq!(loss_steps, vec![5, 10, 15, 20]);
    let losses: Vec<f64> = t
        .state()
        .log_history
        .iter()
        .filter_map(|e| e.values.get("loss").copied())
        .collect();
    assert!(losses[3] < losses[0], "loss did not fall: {losses:?}");
    // Saved at 7, 14, 21; save_total_limit 2 keeps the last two.
    assert!(!dir.join("checkpoint-7").exists());
    assert!(
        dir.join("checkpoint-14")
            .join("trainer_state.json")
            .is_file()
    );
    assert!(
        dir.join("checkpoint-21")
            .join("model.safetensors")
            .is_file()
    );
    let jsonl = std::fs::read_to_string(dir.join("log.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), t.state().log_history.len());
}

/// Aborts a run after step 10 (mid-epoch 2, between a log at 10 and a save at 14), as a
/// kill would, resumes it in a fresh Trainer from the last checkpoint (step 7), and checks
/// it ends as the uninterrupted run: weights, optimizer state and log history.
fn assert_resume_is_exact(num_workers: usize) {
    let with_workers = |dir: &Path| TrainingArguments {
        dataloader_num_workers: num_workers,
        ..args(dir)
    };
    let whole_dir = tempdir(&format!("whole-{num_workers}"));
    let mut whole = trainer(with_workers(&whole_dir));
    whole.train(None).unwrap();

    let part_dir = tempdir(&format!("part-{num_workers}"));
    let mut first = trainer(with_workers(&part_dir)).with_callback(AbortAt(10));
    first.train(None).unwrap();
    assert_eq!(first.state().global_step, 10);
    assert!(part_dir.join("checkpoint-7").is_dir());
    assert!(!part_dir.join("checkpoint-10").exists());
    let mut resumed = trainer(with_workers(&part_dir));
    resumed.train(Some(ResumeFrom::Last)).unwrap();

    assert_eq!(weights(&resumed), weights(&whole));
    assert_eq!(timeless_log(&resumed), timeless_log(&whole));
    let state = |t: &MlpTrainer| t.optimizer().unwrap().state_dict().to_bytes().unwrap();
    assert_eq!(state(&resumed), state(&whole));
}

#[test]
fn a_resumed_run_ends_bit_identical_to_an_uninterrupted_one() {
    let _rng = exclusive();
    assert_resume_is_exact(0);
}

#[test]
fn a_resumed_run_with_loader_workers_ends_bit_identical() {
    let _rng = exclusive();
    assert_resume_is_exact(2);
}

#[test]
fn resuming_from_a_corrupt_checkpoint_is_a_typed_error() {
    let _rng = exclusive();
    let dir = tempdir("corrupt");
    let mut t = trainer(TrainingArguments {
        max_steps: 7,
        ..args(&dir)
    });
    t.train(None).unwrap();
    let weights = dir.join("checkpoint-7").join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let err = trainer(args(&dir))
        .train(Some(ResumeFrom::Last))
        .expect_err("a truncated checkpoint must not load");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-trainer-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
