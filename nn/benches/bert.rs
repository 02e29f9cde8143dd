//! all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads; `cargo xtask fetch minilm`) end to end:
//! forward under `no_grad` in eval mode at batch 32 × 64 and 8 × 512 tokens, one
//! `BertForSequenceClassification` training step (train mode, forward + backward + AdamW) at
//! 16 × 128 tokens with padding, with and without gradient checkpointing, and
//! `BertModel::from_pretrained`. `compare.py` runs the same in transformers; the inputs come
//! from the same LCG on both sides. The training steps also print their resident-set
//! high-water mark over their first 3 steps after loading (see `support/peak_rss.rs`), which
//! `cargo xtask bench` puts beside PyTorch's, measured the same way. Skipped when the model is
//! not cached.

use std::cell::{OnceCell, RefCell};
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group};
use kiln_autograd::no_grad;
use kiln_nn::Module;
use kiln_nn::models::{BertForSequenceClassification, BertModel, EncoderInput};
use kiln_optim::{AdamConfig, AdamW, Optimizer};
use kiln_tensor::Tensor;
use kiln_testkit::memory::PeakRss;

/// The `minilm` cache folder (`KILN_CACHE`, default `~/.cache/kiln`), if it has the model.
fn minilm_dir() -> Option<PathBuf> {
    let cache = match std::env::var_os("KILN_CACHE") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln"),
    };
    let dir = cache.join("minilm");
    dir.join("model.safetensors").is_file().then_some(dir)
}

/// The 64-bit LCG `compare.py` also uses (Knuth's MMIX constants); yields the top 31 bits.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Ids in [1000, 30000) `[batch, seq]` and the attention mask; with `padded`, row `i > 0`
/// keeps `seq − lcg % (seq / 2)` tokens and the rest are `[PAD]` (0) with mask 0.
fn inputs(batch: usize, seq: usize, seed: u64, padded: bool) -> EncoderInput {
    let mut rng = Lcg(seed);
    let mut ids: Vec<i64> = (0..batch * seq)
        .map(|_| 1000 + (rng.next() % 29_000) as i64)
        .collect();
    let mut mask = vec![1i64; batch * seq];
    if padded {
        for row in 1..batch {
            let keep = seq - (rng.next() % (seq as u64 / 2)) as usize;
            for j in keep..seq {
                ids[row * seq + j] = 0;
                mask[row * seq + j] = 0;
            }
        }
    }
    EncoderInput::new(Tensor::from_vec(ids, [batch, seq]))
        .with_attention_mask(Tensor::from_vec(mask, [batch, seq]))
}

/// Multiply-adds ×2 of one MiniLM forward over `batch × seq` tokens: per layer and token the
/// four `H×H` projections, the two `H×I` feed-forward ones and the `2·seq·H` of the scores
/// and the weighted sum.
fn forward_flops(batch: usize, seq: usize) -> u64 {
    let (layers, h, i) = (6, 384, 1536);
    (layers * batch * seq * 2 * (4 * h * h + 2 * h * i + 2 * seq * h)) as u64
}

fn forward(c: &mut Criterion, dir: &PathBuf) {
    let mut group = c.benchmark_group("bert");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    for (batch, seq) in [(32, 64), (8, 512)] {
        let model = OnceCell::new();
        let input = inputs(batch, seq, 0, false);
        group.throughput(Throughput::Elements(forward_flops(batch, seq)));
        group.bench_function(format!("minilm_forward_no_grad/{batch}x{seq}"), |b| {
            let model = model.get_or_init(|| {
                let m = BertModel::from_pretrained(dir).expect("MiniLM loads");
                m.eval();
                m
            });
            b.iter(|| {
                let _guard = no_grad();
                model.forward(&input).last_hidden_state
            })
        });
    }
    group.finish();
}

/// One training step of `BertForSequenceClassification` (2 labels, train mode) at 16 × 128
/// with padding: forward with labels, backward, AdamW (lr 2e-5), zero_grad.
fn train_step(c: &mut Criterion, dir: &PathBuf, checkpointing: bool) {
    let name = if checkpointing {
        "minilm_train_step_checkpointed/16x128"
    } else {
        "minilm_train_step/16x128"
    };
    let (batch, seq) = (16, 128);
    let input = inputs(batch, seq, 1, true);
    let labels = Tensor::from_vec((0..batch as i64).map(|i| i % 2).collect(), [batch]);
    let state = OnceCell::new();
    let mut group = c.benchmark_group("bert");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(15));
    // forward, then backward at about twice its cost
    group.throughput(Throughput::Elements(3 * forward_flops(batch, seq)));
    group.bench_function(name, |b| {
        let (model, optimizer) = state.get_or_init(|| {
            kiln_tensor::manual_seed(0);
            let (model, _) = BertForSequenceClassification::from_pretrained_with_num_labels(dir, 2)
                .expect("MiniLM loads");
            if checkpointing {
                model.bert.gradient_checkpointing_enable();
            }
            model.train(true);
            let optimizer = RefCell::new(AdamW::new(model.parameters(), AdamConfig::adamw(2e-5)));
            // The high-water mark over the first 3 steps after loading, as `compare.py`
            // measures PyTorch's: activations, gradients, AdamW's moments.
            let peak = PeakRss::start();
            for _ in 0..3 {
                step(&model, &optimizer, &input, &labels);
            }
            peak.report(&format!("bert/{name}"));
            (model, optimizer)
        });
        b.iter(|| step(model, optimizer, &input, &labels))
    });
    group.finish();
}

/// Forward with labels, backward, `optimizer.step()`, `optimizer.zero_grad(true)`.
fn step(
    model: &BertForSequenceClassification,
    optimizer: &RefCell<AdamW>,
    input: &EncoderInput,
    labels: &Tensor,
) {
    let out = model.forward(input, Some(labels));
    out.loss.expect("labels give a loss").backward();
    let mut optimizer = optimizer.borrow_mut();
    optimizer.step();
    optimizer.zero_grad(true);
}

fn from_pretrained(c: &mut Criterion, dir: &PathBuf) {
    let bytes = std::fs::metadata(dir.join("model.safetensors")).map_or(0, |m| m.len());
    let mut group = c.benchmark_group("bert");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("from_pretrained/minilm", |b| {
        b.iter(|| BertModel::from_pretrained(dir).expect("MiniLM loads"))
    });
    group.finish();
}

fn bert(c: &mut Criterion) {
    if let Some(mb) = std::env::var("TMP_CACHE_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        kiln_tensor::set_cache_limit(mb << 20);
    }
    let Some(dir) = minilm_dir() else {
        eprintln!("skipped bert: run `cargo xtask fetch minilm`");
        return;
    };
    forward(c, &dir);
    train_step(c, &dir, false);
    train_step(c, &dir, true);
    from_pretrained(c, &dir);
}

criterion_group!(benches, bert);
kiln_testkit::bench_main!(benches);
