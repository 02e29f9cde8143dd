//! The Trainer under `mpirun --oversubscribe -np 2`, unchanged user code:
//!
//! - equivalence: 2 ranks with batch `b` end every step with the parameters of 1 process
//!   with batch `2b` (≤ 1e-6 relative, f32) on the seeds' MLP (with gradient accumulation,
//!   so `no_sync` is exercised) and on a small BERT classifier, over 24 AdamW steps; both
//!   ranks hold bit-identical parameters at every step; evaluation metrics reduced over the
//!   ranks equal the single process's;
//! - faults: a rank that dies mid-run ends the job within a bounded time, the last
//!   checkpoint loads, and resuming from it ends bit-identical to an uninterrupted run; a
//!   rank that hangs makes the others fail with a timeout error naming the collective;
//! - `mpirun -np 2 kiln train --config FILE` trains a from-scratch transformer recipe on an
//!   IMDB slice, rank 0 alone prints and writes, and the model scores as the one-process
//!   run with twice the batch does.
//!
//! `harness = false`: outside `mpirun`, `main` runs the tests, which launch this binary as
//! the ranks (selected by `KILN_DIST_WORKLOAD`).

mod common;
#[path = "distributed_trainer/kiln_train.rs"]
mod kiln_train;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kiln_autograd::Var;
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::models::{BertForSequenceClassification, EncoderInput};
use kiln_nn::{Forward, Module, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{
    Callback, EvalPrediction, IntervalStrategy, Metrics, ResumeFrom, StepOutput, Trainer,
    TrainerControl, TrainerState, TrainingArguments,
};

const WORKLOAD: &str = "KILN_DIST_WORKLOAD";
const DIR: &str = "KILN_DIST_DIR";
/// Set on the rank run that must die: the global step after which rank 1 aborts.
const DIE_AFTER: &str = "KILN_DIST_DIE_AFTER";
/// With `DIE_AFTER`: `hang` makes rank 1 stop answering instead of dying.
const HANG: &str = "KILN_DIST_HANG";
/// Set on a run that resumes from the last checkpoint.
const RESUME: &str = "KILN_DIST_RESUME";
/// Optimizer steps of every run.
const STEPS: usize = 24;

fn main() {
    if kiln_testkit::mpi::is_rank() {
        let workload = std::env::var(WORKLOAD).expect("KILN_DIST_WORKLOAD");
        let dir = PathBuf::from(std::env::var_os(DIR).expect("KILN_DIST_DIR"));
        rank_main(&workload, &dir);
        return;
    }
    kiln_testkit::harness::run(&[
        (
            "two_ranks_of_batch_b_match_one_process_of_batch_2b_at_every_step",
            two_ranks_match_one_process,
        ),
        (
            "a_dying_rank_ends_the_job_and_the_last_checkpoint_resumes",
            a_dying_rank_ends_the_job,
        ),
        (
            "a_hanging_rank_makes_the_others_time_out",
            a_hanging_rank_times_out,
        ),
        (
            "kiln_train_under_mpirun_matches_one_process",
            kiln_train::kiln_train_under_mpirun,
        ),
    ]);
}

/// Per-step parameter snapshots, taken whenever the model computes a training loss
/// (evaluation runs without gradients).
type Snapshots = Arc<Mutex<Vec<Vec<f32>>>>;

fn snapshot(model: &impl Module, into: &Snapshots) {
    if kiln_autograd::is_grad_enabled() {
        let flat = model
            .state_dict()
            .iter()
            .flat_map(|(_, t)| t.to_vec::<f32>())
            .collect();
        into.lock().unwrap().push(flat);
    }
}

fn args(dir: &Path, batch: usize, accumulation: usize) -> TrainingArguments {
    TrainingArguments {
        max_steps: STEPS as i64,
        per_device_train_batch_size: batch,
        per_device_eval_batch_size: 5,
        gradient_accumulation_steps: accumulation,
        learning_rate: 1e-3,
        weight_decay: 0.01,
        warmup_steps: 3.0,
        logging_steps: 1.0,
        eval_strategy: IntervalStrategy::Steps,
        eval_steps: Some(8.0),
        save_strategy: IntervalStrategy::No,
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    }
}

fn accuracy(p: &EvalPrediction) -> Metrics {
    let predicted = p.predictions.argmax_dim(1usize, false).to_vec::<i64>();
    let labels = p.label_ids.as_ref().unwrap().to_vec::<i64>();
    let right = predicted
        .iter()
        .zip(&labels)
        .filter(|(a, b)| a == b)
        .count();
    Metrics::from([("accuracy".into(), right as f64 / labels.len() as f64)])
}

/// The seeds' Fashion-MNIST MLP (784-256-128-10) on 96 random images, 23 held out.
fn mlp_trainer(
    dir: &Path,
    batch: usize,
    snapshots: Snapshots,
    save_steps: Option<f64>,
) -> Trainer<Sequential, TensorDataset, DefaultCollate> {
    let mut args = args(dir, batch, 2);
    if let Some(every) = save_steps {
        args.save_strategy = IntervalStrategy::Steps;
        args.save_steps = every;
    }
    manual_seed(5);
    let (x, y) = (Tensor::rand([96, 784]), Tensor::randint(0, 10, [96]));
    let (xe, ye) = (Tensor::rand([23, 784]), Tensor::randint(0, 10, [23]));
    manual_seed(6);
    let model = common::fashion_mnist_mlp::model();
    Trainer::new(
        model,
        args,
        DefaultCollate,
        move |m: &Sequential, batch: &Vec<Tensor>| {
            snapshot(m, &snapshots);
            let logits = m.forward(&Var::constant(batch[0].clone()));
            let loss = CrossEntropyLoss::new().forward(&logits, &Var::constant(batch[1].clone()));
            StepOutput::with_predictions(loss, logits.value(), batch[1].clone())
        },
    )
    .expect("valid arguments")
    .with_train_dataset(TensorDataset::new(vec![x, y]))
    .with_eval_dataset(TensorDataset::new(vec![xe, ye]))
    .with_compute_metrics(accuracy)
}

/// A 2-layer BERT classifier (dropout off) on 96 padded sequences of length 8.
fn bert_trainer(
    dir: &Path,
    batch: usize,
    snapshots: Snapshots,
) -> Trainer<BertForSequenceClassification, TensorDataset, DefaultCollate> {
    manual_seed(7);
    let (train, eval) = (common::padded_sequences(96), common::padded_sequences(23));
    manual_seed(8);
    let model = BertForSequenceClassification::new(&common::small_bert_config());
    Trainer::new(
        model,
        args(dir, batch, 1),
        DefaultCollate,
        move |m: &BertForSequenceClassification, batch: &Vec<Tensor>| {
            snapshot(m, &snapshots);
            let input = EncoderInput::new(batch[0].clone()).with_attention_mask(batch[1].clone());
            let out = m.forward(&input, Some(&batch[2]));
            let loss = out.loss.expect("labels were given");
            StepOutput::with_predictions(loss, out.logits.value(), batch[2].clone())
        },
    )
    .expect("valid arguments")
    .with_train_dataset(train)
    .with_eval_dataset(eval)
    .with_compute_metrics(accuracy)
}

/// What a run leaves for the comparison: snapshots per step and the eval metrics logged.
struct RunRecord {
    snapshots: Vec<Vec<f32>>,
    evals: Vec<Metrics>,
}

/// Trains `workload` with per-device `batch` in this process (a rank or the reference).
fn train(workload: &str, dir: &Path, batch: usize) -> RunRecord {
    let snapshots = Snapshots::default();
    let state = match workload {
        "mlp" => {
            let mut t = mlp_trainer(dir, batch, snapshots.clone(), None);
            t.train(None).expect("training runs");
            t.state().clone()
        }
        "bert" => {
            let mut t = bert_trainer(dir, batch, snapshots.clone());
            t.train(None).expect("training runs");
            t.state().clone()
        }
        other => panic!("unknown workload {other}"),
    };
    let snapshots = std::mem::take(&mut *snapshots.lock().unwrap());
    RunRecord {
        snapshots,
        evals: eval_entries(&state),
    }
}

fn eval_entries(state: &TrainerState) -> Vec<Metrics> {
    state
        .log_history
        .iter()
        .filter(|e| e.values.contains_key("eval_loss"))
        .map(|e| {
            e.values
                .iter()
                .filter(|(k, _)| *k == "eval_loss" || *k == "eval_accuracy")
                .map(|(k, v)| (k.clone(), *v))
                .collect()
        })
        .collect()
}

/// A rank: trains (or runs the fault workload) and writes its record to `dir`.
fn rank_main(workload: &str, dir: &Path) {
    let rank = kiln_testkit::mpi::rank();
    if workload == "fault" {
        return fault_rank(dir, rank);
    }
    let record = train(workload, &dir.join("out"), 4);
    let flat: Vec<u8> = record
        .snapshots
        .iter()
        .flat_map(|s| s.iter().flat_map(|v| v.to_le_bytes()))
        .collect();
    std::fs::write(dir.join(format!("rank{rank}.f32")), flat).unwrap();
    let evals = serde_json::to_string(&record.evals).unwrap();
    std::fs::write(dir.join(format!("rank{rank}.evals.json")), evals).unwrap();
}

fn read_snapshots(path: &Path, steps: usize) -> Vec<Vec<f32>> {
    let bytes = std::fs::read(path).unwrap();
    let floats: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(floats.len() % steps, 0, "{}", path.display());
    floats
        .chunks(floats.len() / steps)
        .map(<[f32]>::to_vec)
        .collect()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-dist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `mpirun -np 2` on this binary with `workload`; `None` when Open MPI is missing outside
/// `cargo xtask test`. Ranks run one compute thread each.
fn launch(workload: &str, dir: &Path, extra: &[(&str, &str)]) -> Option<std::process::Output> {
    let me = std::env::current_exe().unwrap();
    let mut cmd: Command = kiln_testkit::mpi::mpirun(2, &me)?;
    cmd.env(WORKLOAD, workload)
        .env(DIR, dir)
        .env("RAYON_NUM_THREADS", "1")
        .env("KILN_DIST_TIMEOUT_SECS", "60")
        .stdin(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    Some(cmd.output().unwrap())
}

fn check_success(what: &str, out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{what}: mpirun failed ({})\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Norm-wise relative difference `‖a − b‖ / ‖b‖`.
fn relative_difference(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        diff += (*x as f64 - *y as f64).powi(2);
        norm += (*y as f64).powi(2);
    }
    (diff / norm.max(f64::MIN_POSITIVE)).sqrt()
}

fn two_ranks_match_one_process() {
    if !cfg!(feature = "mpi") {
        eprintln!("skipping: kiln-trainer built without the `mpi` feature");
        return;
    }
    for (workload, accumulation) in [("mlp", 2), ("bert", 1)] {
        let dir = tempdir(workload);
        let Some(out) = launch(workload, &dir, &[]) else {
            return;
        };
        check_success(workload, &out);
        let micro_steps = STEPS * accumulation;
        let ranks: Vec<Vec<Vec<f32>>> = (0..2)
            .map(|r| read_snapshots(&dir.join(format!("rank{r}.f32")), micro_steps))
            .collect();
        let reference = {
            let _rng = common::exclusive();
            train(workload, &dir.join("reference"), 8)
        };
        assert_eq!(reference.snapshots.len(), micro_steps);
        let mut worst = 0.0f64;
        let steps = ranks[0].iter().zip(&ranks[1]).zip(&reference.snapshots);
        for (step, ((rank0, rank1), alone)) in steps.enumerate() {
            assert!(
                rank0 == rank1,
                "{workload}: ranks differ at micro-step {step}"
            );
            let diff = relative_difference(rank0, alone);
            worst = worst.max(diff);
            assert!(
                diff <= 1e-6,
                "{workload}: micro-step {step}: relative difference {diff:.2e}"
            );
        }
        assert_ne!(
            ranks[0][0],
            ranks[0][micro_steps - 1],
            "{workload}: the parameters never moved"
        );
        let evals: Vec<Metrics> =
            serde_json::from_str(&std::fs::read_to_string(dir.join("rank0.evals.json")).unwrap())
                .unwrap();
        assert_eq!(evals.len(), reference.evals.len());
        assert!(!evals.is_empty());
        for (got, want) in evals.iter().zip(&reference.evals) {
            assert_eq!(got["eval_accuracy"], want["eval_accuracy"], "{workload}");
            let loss_diff = (got["eval_loss"] - want["eval_loss"]).abs();
            assert!(
                loss_diff <= 1e-6,
                "{workload}: eval_loss {got:?} vs {want:?}"
            );
        }
        eprintln!(
            "{workload}: {micro_steps} micro-steps, ranks bit-identical, largest relative \
             difference to one process with batch 8: {worst:.2e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Aborts rank 1's process after a given step, as a crash would, or makes it hang.
struct DieAfter {
    step: usize,
    rank: usize,
    hang: bool,
}

impl Callback for DieAfter {
    fn name(&self) -> String {
        "DieAfter".into()
    }

    fn on_step_end(&mut self, _: &TrainingArguments, state: &TrainerState, _: &mut TrainerControl) {
        if self.rank == 1 && state.global_step == self.step {
            if self.hang {
                std::thread::sleep(Duration::from_secs(600));
            }
            std::process::abort();
        }
    }
}

/// The MLP saving every 4 steps; dies or resumes as the environment says; writes the final
/// weights.
fn fault_rank(dir: &Path, rank: usize) {
    let mut trainer = mlp_trainer(&dir.join("out"), 4, Snapshots::default(), Some(4.0))
        .with_callback(DieAfter {
            step: std::env::var(DIE_AFTER)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(usize::MAX),
            rank,
            hang: std::env::var_os(HANG).is_some(),
        });
    let resume = std::env::var_os(RESUME).map(|_| ResumeFrom::Last);
    if let Err(e) = trainer.train(resume) {
        eprintln!("rank {rank}: {e}");
        std::process::exit(3);
    }
    // Every rank calls it, as user code would; rank 0 alone writes.
    trainer.save_model(dir.join("final")).unwrap();
}

fn a_dying_rank_ends_the_job() {
    if !cfg!(feature = "mpi") {
        eprintln!("skipping: kiln-trainer built without the `mpi` feature");
        return;
    }
    let dir = tempdir("fault");
    let started = Instant::now();
    let Some(died) = launch("fault", &dir, &[(DIE_AFTER, "10")]) else {
        return;
    };
    let took = started.elapsed();
    assert!(!died.status.success(), "the job must fail when a rank dies");
    assert!(
        took < Duration::from_secs(60),
        "the job took {took:?} to end after a rank died"
    );
    let out = dir.join("out");
    let checkpoint = out.join("checkpoint-8");
    assert!(
        checkpoint.is_dir(),
        "the checkpoint before the death is there"
    );
    assert!(!out.join("checkpoint-12").exists());
    let weights = kiln_tensor::safetensors::load(checkpoint.join("model.safetensors"));
    assert!(
        weights.is_ok(),
        "the last checkpoint loads: {:?}",
        weights.err()
    );
    // A copy of the checkpoints for a resume by one process with twice the batch.
    let single = dir.join("single");
    copy_dir(&out, &single.join("out"));
    check_success("resume", &launch("fault", &dir, &[(RESUME, "1")]).unwrap());
    let resumed = std::fs::read(dir.join("final/model.safetensors")).unwrap();
    let uninterrupted_dir = tempdir("fault-uninterrupted");
    check_success(
        "uninterrupted",
        &launch("fault", &uninterrupted_dir, &[]).unwrap(),
    );
    let uninterrupted = std::fs::read(uninterrupted_dir.join("final/model.safetensors")).unwrap();
    assert!(
        resumed == uninterrupted,
        "the resumed job ends with other weights"
    );
    // Another world size with the same global batch continues with the same data.
    let alone = {
        let _rng = common::exclusive();
        let mut trainer = mlp_trainer(&single.join("out"), 8, Snapshots::default(), Some(4.0));
        trainer
            .train(Some(ResumeFrom::Last))
            .expect("one process resumes");
        let state = trainer.model().state_dict();
        flat(
            state
                .iter()
                .map(|(name, t)| (name.to_string(), t.clone()))
                .collect(),
        )
    };
    let two_ranks = flat(
        kiln_tensor::safetensors::load(uninterrupted_dir.join("final/model.safetensors")).unwrap(),
    );
    let diff = relative_difference(&alone, &two_ranks);
    assert!(
        diff <= 1e-6,
        "1 process resuming 2 ranks' checkpoint: {diff:.2e}"
    );
    eprintln!(
        "a rank died after step 10: the job ended in {took:.1?}; resumed from checkpoint-8 by 2 \
         ranks (bit-identical) and by 1 process of batch 8 ({diff:.1e})"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&uninterrupted_dir);
}

fn a_hanging_rank_times_out() {
    if !cfg!(feature = "mpi") {
        eprintln!("skipping: kiln-trainer built without the `mpi` feature");
        return;
    }
    let dir = tempdir("hang");
    let started = Instant::now();
    let extra = [
        (DIE_AFTER, "5"),
        (HANG, "1"),
        ("KILN_DIST_TIMEOUT_SECS", "3"),
    ];
    let Some(out) = launch("fault", &dir, &extra) else {
        return;
    };
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the job must fail when a rank hangs");
    assert!(
        took < Duration::from_secs(45),
        "the job took {took:?} to end"
    );
    assert!(
        stderr.contains("all_reduce did not complete within 3 s"),
        "rank 0 names the collective that timed out: {stderr}"
    );
    eprintln!("a rank hung after step 5: the job ended in {took:.1?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The f32 values of named tensors, one after another in name order.
fn flat(mut tensors: Vec<(String, Tensor)>) -> Vec<f32> {
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    tensors
        .iter()
        .flat_map(|(_, t)| t.to_vec::<f32>())
        .collect()
}

/// Copies the folder tree `from` to `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
