//! A random-initialised model of microsoft/deberta-v3-xsmall's shape (12 layers, hidden 384,
//! 6 heads, intermediate 1536, 256 position buckets, vocabulary 128100; no download needed):
//! forward under `no_grad` in eval mode at 32 × 128 tokens, and one
//! `DebertaV2ForSequenceClassification` training step (train mode, forward + backward +
//! AdamW) at 8 × 256 tokens with padding. `compare.py` runs the same in transformers
//! (`deberta/*` ids); the inputs come from the same LCG on both sides.

use std::cell::{OnceCell, RefCell};
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group};
use kiln_autograd::no_grad;
use kiln_nn::Module;
use kiln_nn::models::{
    ClassificationConfig, DebertaV2Config, DebertaV2ForSequenceClassification, DebertaV2Model,
    EncoderInput,
};
use kiln_optim::{AdamConfig, AdamW, Optimizer};
use kiln_tensor::Tensor;

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
/// keeps `seq − lcg % (seq / 2)` tokens and the rest are padding (0) with mask 0.
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

/// Multiply-adds ×2 of one forward over `batch × seq` tokens: per layer and token the four
/// `H×H` projections, the two `H×I` feed-forward ones, the `2·seq·H` of the content scores and
/// the weighted sum, and the `2·(2·span)·H` of the c2p and p2c scores (`span` 256).
fn forward_flops(batch: usize, seq: usize) -> u64 {
    let (layers, h, i, span) = (12, 384, 1536, 256);
    let per_token = 4 * h * h + 2 * h * i + 2 * seq * h + 2 * (2 * span) * h;
    (layers * batch * seq * 2 * per_token) as u64
}

fn forward(c: &mut Criterion) {
    let mut group = c.benchmark_group("deberta");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    let (batch, seq) = (32, 128);
    let model = OnceCell::new();
    let input = inputs(batch, seq, 0, false);
    group.throughput(Throughput::Elements(forward_flops(batch, seq)));
    group.bench_function(format!("v3_xsmall_forward_no_grad/{batch}x{seq}"), |b| {
        let model = model.get_or_init(|| {
            kiln_tensor::manual_seed(0);
            let m = DebertaV2Model::new(&DebertaV2Config::deberta_v3_xsmall());
            m.eval();
            m
        });
        b.iter(|| {
            let _guard = no_grad();
            model.forward(&input).last_hidden_state
        })
    });
    group.finish();
}

/// One training step of `DebertaV2ForSequenceClassification` (2 labels, train mode) at
/// 8 × 256 with padding: forward with labels, backward, AdamW (lr 2e-5), zero_grad.
fn train_step(c: &mut Criterion) {
    let (batch, seq) = (8, 256);
    let input = inputs(batch, seq, 1, true);
    let labels = Tensor::from_vec((0..batch as i64).map(|i| i % 2).collect(), [batch]);
    let state = OnceCell::new();
    let mut group = c.benchmark_group("deberta");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(15));
    // forward, then backward at about twice its cost
    group.throughput(Throughput::Elements(3 * forward_flops(batch, seq)));
    group.bench_function(format!("v3_xsmall_train_step/{batch}x{seq}"), |b| {
        let (model, optimizer) = state.get_or_init(|| {
            kiln_tensor::manual_seed(0);
            let mut config = DebertaV2Config::deberta_v3_xsmall();
            config.classification = ClassificationConfig::with_num_labels(2);
            let model = DebertaV2ForSequenceClassification::new(&config);
            model.train(true);
            let optimizer = RefCell::new(AdamW::new(model.parameters(), AdamConfig::adamw(2e-5)));
            (model, optimizer)
        });
        b.iter(|| {
            let out = model.forward(&input, Some(&labels));
            out.loss.expect("labels give a loss").backward();
            let mut optimizer = optimizer.borrow_mut();
            optimizer.step();
            optimizer.zero_grad(true);
        })
    });
    group.finish();
}

fn deberta(c: &mut Criterion) {
    forward(c);
    train_step(c);
}

criterion_group!(benches, deberta);
kiln_testkit::bench_main!(benches);
