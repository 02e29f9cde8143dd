//! Data-parallel training throughput: the MiniLM training step (`BertForSequenceClassification`,
//! 2 labels, train mode, AdamW lr 2e-5; 16 × 128 tokens per rank, as `configs/finetune.toml`) on 1 process × 1 thread and
//! on 2 `mpirun` ranks × 1 thread through [`DistributedDataParallel`]. Each id's time is one
//! global step, so 2 ranks process twice the samples per step: their samples/s over 1
//! process's is `2 × t(1x1) / t(2x1)`. Rank 0 prints the all-reduce time per step.
//! `compare.py` runs the same step in PyTorch + transformers, alone and under
//! `DistributedDataParallel` with the gloo backend (2 processes × 1 thread).
//!
//! Every sample launches the job afresh; the time is measured inside the ranks, after two
//! warm-up steps, over at least five steps from a barrier to the end of the last step. Needs `cargo xtask fetch
//! minilm`; the 2-rank id needs the `mpi` feature and Open MPI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use kiln_distributed::{DistributedDataParallel, ProcessGroup};
use kiln_nn::Module;
use kiln_nn::models::{BertForSequenceClassification, EncoderInput};
use kiln_optim::{AdamConfig, AdamW, Optimizer};
use kiln_tensor::Tensor;

/// Set in the processes the bench launches: how many timed steps to run.
const STEPS_ENV: &str = "KILN_DDP_BENCH_STEPS";
/// Per-rank batch and sequence length: `trainer/configs/finetune.toml`'s.
const BATCH: usize = 16;
const SEQ: usize = 128;

/// Rank `rank`'s batch: ids from a fixed pattern (the same as `compare.py`'s), no padding,
/// labels `i % 2`.
fn batch(rank: usize) -> (EncoderInput, Tensor) {
    let n = BATCH * SEQ;
    let ids: Vec<i64> = (0..n)
        .map(|i| 1000 + (((rank * n + i) * 7919) % 29_000) as i64)
        .collect();
    let input = EncoderInput::new(Tensor::from_vec(ids, [BATCH, SEQ]))
        .with_attention_mask(Tensor::from_vec(vec![1i64; n], [BATCH, SEQ]));
    let labels = Tensor::from_vec((0..BATCH as i64).map(|i| i % 2).collect(), [BATCH]);
    (input, labels)
}

/// Untimed steps at the start of every launch (allocator and buffer caches warm up).
const WARM_UP_STEPS: usize = 2;
/// Timed steps per launch at least; the time criterion gets is scaled to its count.
const MIN_TIMED_STEPS: usize = 5;

/// A launched process: warm-up steps, then `steps` timed steps; rank 0 prints
/// `elapsed_ns comm_ns wait_ns` (all steps together).
fn worker(dir: &Path, steps: usize) {
    let group = ProcessGroup::init().expect("joins the job");
    kiln_tensor::manual_seed(0);
    let (model, _) = BertForSequenceClassification::from_pretrained_with_num_labels(dir, 2)
        .expect("MiniLM loads");
    model.train(true);
    let ddp = DistributedDataParallel::new(model, group).expect("wraps the model");
    let mut optimizer = AdamW::new(ddp.parameters(), AdamConfig::adamw(2e-5));
    let (input, labels) = batch(group.rank());
    let mut step = || {
        let loss = ddp
            .forward(&input, Some(&labels))
            .loss
            .expect("labels give a loss");
        loss.backward();
        let stats = ddp.synchronize().expect("gradients average");
        optimizer.step();
        optimizer.zero_grad(true);
        stats
    };
    for _ in 0..WARM_UP_STEPS {
        step();
    }
    group.barrier().expect("barrier");
    let start = Instant::now();
    let (mut comm, mut wait) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..steps {
        let stats = step();
        comm += stats.comm_time;
        wait += stats.exposed_wait;
    }
    group.barrier().expect("barrier");
    if group.is_main_process() {
        println!(
            "{} {} {}",
            start.elapsed().as_nanos(),
            comm.as_nanos(),
            wait.as_nanos()
        );
    }
}

/// Runs `iters` steps' worth on `ranks` processes: at least [`MIN_TIMED_STEPS`] timed
/// steps, the time scaled to `iters`; prints the communication per step.
fn launch(ranks: usize, iters: usize) -> Duration {
    let steps = iters.max(MIN_TIMED_STEPS);
    let me = std::env::current_exe().expect("the bench binary");
    let mut cmd = if ranks == 1 {
        Command::new(&me)
    } else {
        let mut mpirun = kiln_testkit::mpi::mpirun(ranks, &me).expect("Open MPI is installed");
        // Single-copy transfers (Linux CMA), which the tests turn off for containers that
        // forbid them: they halve the time of a large all-reduce.
        mpirun.env("OMPI_MCA_btl_vader_single_copy_mechanism", "cma");
        mpirun
    };
    let out = cmd
        .env(STEPS_ENV, steps.to_string())
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("the job starts");
    assert!(out.status.success(), "the bench job failed: {}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().expect("rank 0 reports");
    let numbers: Vec<u128> = line
        .split_whitespace()
        .map(|n| n.parse().expect("a number"))
        .collect();
    if ranks > 1 {
        eprintln!(
            "ddp/minilm_step/{ranks}x1: all-reduce {:.1} ms per step, backward waited {:.1} ms",
            numbers[1] as f64 / steps as f64 / 1e6,
            numbers[2] as f64 / steps as f64 / 1e6
        );
    }
    Duration::from_nanos((numbers[0] * iters as u128 / steps as u128) as u64)
}

fn minilm_dir() -> Option<PathBuf> {
    let dir = kiln_hub::cache_dir().ok()?.join("minilm");
    dir.join("model.safetensors").is_file().then_some(dir)
}

fn data_parallel_steps(c: &mut Criterion) {
    if minilm_dir().is_none() {
        eprintln!("skipped ddp/minilm_step: run `cargo xtask fetch minilm`");
        return;
    }
    let mut group = c.benchmark_group("ddp");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("minilm_step/1x1", |b| {
        b.iter_custom(|steps| launch(1, steps as usize))
    });
    if cfg!(feature = "mpi") {
        group.bench_function("minilm_step/2x1", |b| {
            b.iter_custom(|steps| launch(2, steps as usize))
        });
    } else {
        eprintln!("skipped ddp/minilm_step/2x1: build with --features mpi");
    }
    group.finish();
}

fn main() {
    if let Ok(steps) = std::env::var(STEPS_ENV) {
        let dir = minilm_dir().expect("MiniLM is in the cache");
        worker(&dir, steps.parse().expect("a step count"));
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    data_parallel_steps(&mut criterion);
    criterion.final_summary();
}
