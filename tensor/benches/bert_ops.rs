//! The tensor ops a BERT encoder spends its time in, at MiniLM's shapes (hidden 384, 12 heads
//! of 32, intermediate 1536) for a batch of 32 sequences of 64 tokens (2048 rows), laid out the
//! way `kiln-nn`'s BERT calls them: `x.matmul(&w.t())` for a Linear with its `[out, in]` weight,
//! heads as `reshape` + `permute` views, the additive mask `[B, 1, 1, L]` broadcast onto the
//! scores, mean pooling's mask multiply and sum over tokens, and the backward kernels the
//! autograd calls. Ids `bert_ops/<op>/<shape>` match `compare.py`. Matrix products report
//! FLOP/s, everything else bytes moved per second (inputs read plus outputs written).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_tensor::{DType, Device, Generator, Tensor, manual_seed};

const BATCH: usize = 32;
const SEQ: usize = 64;
const HEADS: usize = 12;
const HEAD_DIM: usize = 32;
const HIDDEN: usize = HEADS * HEAD_DIM;
const INTERMEDIATE: usize = 1536;
const ROWS: usize = BATCH * SEQ;
const VOCAB: usize = 30522;

fn bytes(elements: usize) -> u64 {
    (elements * size_of::<f32>()) as u64
}

fn randn(shape: &[usize], g: &mut Generator) -> Tensor {
    Tensor::randn_from(shape, DType::F32, &Device::Cpu, g)
}

/// `[B, L, H]` split into heads `[B, heads, L, d]`, a non-contiguous view (BERT's
/// `transpose_for_scores`).
fn heads(x: &Tensor) -> Tensor {
    x.reshape(&[
        BATCH as isize,
        SEQ as isize,
        HEADS as isize,
        HEAD_DIM as isize,
    ])
    .permute(&[0, 2, 1, 3])
}

/// `x [ROWS, in] · wᵀ` with `w [out, in]`, as `nn::Linear` multiplies.
fn linear(c: &mut Criterion, g: &mut Generator) {
    let mut group = c.benchmark_group("bert_ops");
    for (k, n) in [
        (HIDDEN, HIDDEN),
        (HIDDEN, INTERMEDIATE),
        (INTERMEDIATE, HIDDEN),
    ] {
        let x = randn(&[ROWS, k], g);
        let w = randn(&[n, k], g);
        group.throughput(Throughput::Elements((2 * ROWS * k * n) as u64));
        let id = BenchmarkId::new("linear", format!("{ROWS}x{k}x{n}"));
        group.bench_with_input(id, &(x, w), |b, (x, w)| b.iter(|| x.matmul(&w.t())));
    }
    group.finish();
}

/// The two batched products of attention on head views.
fn attention(c: &mut Criterion, g: &mut Generator) {
    let mut group = c.benchmark_group("bert_ops");
    let q = heads(&randn(&[BATCH, SEQ, HIDDEN], g));
    let k = heads(&randn(&[BATCH, SEQ, HIDDEN], g));
    let v = heads(&randn(&[BATCH, SEQ, HIDDEN], g));
    let flops = (2 * BATCH * HEADS * SEQ * SEQ * HEAD_DIM) as u64;
    group.throughput(Throughput::Elements(flops));
    let id = BenchmarkId::new("attn_scores", format!("{BATCH}x{HEADS}x{SEQ}x{HEAD_DIM}"));
    group.bench_with_input(id, &(&q, &k), |b, (q, k)| {
        b.iter(|| q.matmul(&k.transpose(-1i64, -2i64)))
    });
    let probs = randn(&[BATCH, HEADS, SEQ, SEQ], g).softmax(-1i64);
    let id = BenchmarkId::new("attn_context", format!("{BATCH}x{HEADS}x{SEQ}x{SEQ}"));
    group.bench_with_input(id, &(&probs, &v), |b, (p, v)| b.iter(|| p.matmul(v)));
    group.finish();
}

/// Word-embedding lookup and its gradient (what `Var::embedding`'s backward computes,
/// `embedding_dense_backward`, as PyTorch's autograd does).
fn embedding(c: &mut Criterion, g: &mut Generator) {
    let mut group = c.benchmark_group("bert_ops");
    let table = randn(&[VOCAB, HIDDEN], g);
    manual_seed(0);
    let ids = Tensor::randint(0, VOCAB as i64, [ROWS]);
    let id = format!("{ROWS}_of_{VOCAB}x{HIDDEN}");
    group.throughput(Throughput::Bytes(
        2 * bytes(ROWS * HIDDEN) + (ROWS * size_of::<i64>()) as u64,
    ));
    group.bench_with_input(
        BenchmarkId::new("embedding", &id),
        &(&table, &ids),
        |b, (table, ids)| b.iter(|| table.index_select(0usize, ids)),
    );
    let grad = randn(&[ROWS, HIDDEN], g);
    group.throughput(Throughput::Bytes(
        bytes(VOCAB * HIDDEN + ROWS * HIDDEN) + (ROWS * size_of::<i64>()) as u64,
    ));
    group.bench_with_input(
        BenchmarkId::new("embedding_backward", &id),
        &(&table, &ids, &grad),
        |b, (table, ids, grad)| {
            b.iter(|| grad.embedding_dense_backward(ids, table.dims()[0], None))
        },
    );
    group.finish();
}

/// Mean pooling's mask multiply (the `[B, L]` mask expanded over the width) and sum over tokens.
fn pooling(c: &mut Criterion, g: &mut Generator) {
    let mut group = c.benchmark_group("bert_ops");
    let hidden = randn(&[BATCH, SEQ, HIDDEN], g);
    let mask = Tensor::ones([BATCH, SEQ])
        .unsqueeze(2usize)
        .broadcast_to([BATCH, SEQ, HIDDEN]);
    let id = format!("{BATCH}x{SEQ}x{HIDDEN}");
    group.throughput(Throughput::Bytes(bytes(
        2 * BATCH * SEQ * HIDDEN + BATCH * SEQ,
    )));
    group.bench_with_input(
        BenchmarkId::new("mask_mul", &id),
        &(&hidden, &mask),
        |b, (h, m)| b.iter(|| h.mul(m)),
    );
    group.throughput(Throughput::Bytes(bytes(
        BATCH * SEQ * HIDDEN + BATCH * HIDDEN,
    )));
    group.bench_with_input(BenchmarkId::new("sum_dim1", &id), &hidden, |b, h| {
        b.iter(|| h.sum_dim(&[1], false))
    });
    group.finish();
}

/// Attention mask add and softmax over the last dim of the scores, and softmax's backward.
fn softmax(c: &mut Criterion, g: &mut Generator) {
    let mut group = c.benchmark_group("bert_ops");
    let n = BATCH * HEADS * SEQ * SEQ;
    let scores = randn(&[BATCH, HEADS, SEQ, SEQ], g);
    let mask = Tensor::zeros([BATCH, 1, 1, SEQ]);
    let id = format!("{BATCH}x{HEADS}x{SEQ}x{SEQ}");
    group.throughput(Throughput::Bytes(bytes(2 * n + BATCH * SEQ)));
    group.bench_with_input(
        BenchmarkId::new("mask_add", &id),
        &(&scores, &mask),
        |b, (s, m)| b.iter(|| s.add(m)),
    );
    group.throughput(Throughput::Bytes(bytes(2 * n)));
    group.bench_with_input(BenchmarkId::new("softmax", &id), &scores, |b, s| {
        b.iter(|| s.softmax(-1i64))
    });
    let y = scores.softmax(-1i64);
    let grad = randn(&[BATCH, HEADS, SEQ, SEQ], g);
    group.throughput(Throughput::Bytes(bytes(3 * n)));
    group.bench_with_input(
        BenchmarkId::new("softmax_backward", &id),
        &(&y, &grad),
        |b, (y, grad)| b.iter(|| y.softmax_backward(grad, -1i64)),
    );
    group.finish();
}

/// Exact GELU on the intermediate activations, and LayerNorm over the hidden width (forward
/// with statistics, as the autograd calls it, and backward).
fn pointwise_and_norm(c: &mut Criterion, g: &mut Generator) {
    let mut group = c.benchmark_group("bert_ops");
    let x = randn(&[ROWS, INTERMEDIATE], g);
    group.throughput(Throughput::Bytes(bytes(2 * ROWS * INTERMEDIATE)));
    group.bench_with_input(
        BenchmarkId::new("gelu", format!("{ROWS}x{INTERMEDIATE}")),
        &x,
        |b, x| b.iter(|| x.gelu()),
    );

    let h = randn(&[ROWS, HIDDEN], g);
    let w = randn(&[HIDDEN], g);
    let bias = randn(&[HIDDEN], g);
    let id = format!("{ROWS}x{HIDDEN}");
    group.throughput(Throughput::Bytes(bytes(2 * ROWS * HIDDEN)));
    group.bench_with_input(BenchmarkId::new("layer_norm", &id), &h, |b, h| {
        b.iter(|| h.layer_norm_with_stats(&[HIDDEN], Some(&w), Some(&bias), 1e-12))
    });
    let (_, mean, rstd) = h.layer_norm_with_stats(&[HIDDEN], Some(&w), Some(&bias), 1e-12);
    let grad = randn(&[ROWS, HIDDEN], g);
    group.throughput(Throughput::Bytes(bytes(3 * ROWS * HIDDEN)));
    group.bench_with_input(
        BenchmarkId::new("layer_norm_backward", &id),
        &(&h, &grad),
        |b, (h, grad)| b.iter(|| h.layer_norm_backward(grad, &mean, &rstd, &[HIDDEN], Some(&w))),
    );
    group.finish();
}

fn bert_ops(c: &mut Criterion) {
    let mut g = Generator::new(0);
    linear(c, &mut g);
    attention(c, &mut g);
    embedding(c, &mut g);
    pooling(c, &mut g);
    softmax(c, &mut g);
    pointwise_and_norm(c, &mut g);
}

criterion_group!(benches, bert_ops);
kiln_testkit::bench_main!(benches);
