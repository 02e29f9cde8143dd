//! Forward + backward of the layers a BERT-base block spends its time in, at BERT-base sizes:
//! Linear 768→3072 on a batch of 64 rows, LayerNorm over 64×128 tokens of width 768, and
//! softmax over attention scores 64×12×128×128. `nn/benches/compare.py` times the same in
//! PyTorch for `cargo xtask bench nn --compare`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_autograd::Var;
use kiln_nn::{Forward, LayerNorm, Linear};
use kiln_tensor::Tensor;

/// Runs forward, then backward with an all-ones output gradient.
fn forward_backward(f: &dyn Fn(&Var) -> Var, x: &Var) {
    let y = f(x);
    y.backward_with(&y.value().ones_like(), false);
}

fn linear(c: &mut Criterion) {
    let mut group = c.benchmark_group("linear_forward_backward");
    let (batch, inp, out) = (64, 768, 3072);
    let layer = Linear::new(inp, out, true);
    let x = Var::parameter(Tensor::randn([batch, inp]));
    // forward 2·b·i·o, backward twice that (input and weight gradients)
    group.throughput(Throughput::Elements((6 * batch * inp * out) as u64));
    group.bench_function(
        BenchmarkId::new("f32", format!("{batch}x{inp}x{out}")),
        |b| {
            b.iter(|| {
                forward_backward(&|x| layer.forward(x), &x);
                layer.weight.zero_grad();
                x.zero_grad();
            })
        },
    );
    group.finish();
}

fn layer_norm(c: &mut Criterion) {
    let mut group = c.benchmark_group("layer_norm_forward_backward");
    let dims = [64, 128, 768];
    let layer = LayerNorm::new(&[768]);
    let x = Var::parameter(Tensor::randn(dims));
    group.throughput(Throughput::Bytes(
        (dims.iter().product::<usize>() * 4 * 4) as u64,
    ));
    group.bench_function(BenchmarkId::new("f32", "64x128x768"), |b| {
        b.iter(|| {
            forward_backward(&|x| layer.forward(x), &x);
            x.zero_grad();
        })
    });
    group.finish();
}

fn softmax(c: &mut Criterion) {
    let mut group = c.benchmark_group("softmax_forward_backward");
    group.sample_size(10);
    let dims = [64, 12, 128, 128];
    let x = Var::parameter(Tensor::randn(dims));
    group.throughput(Throughput::Bytes(
        (dims.iter().product::<usize>() * 4 * 4) as u64,
    ));
    group.bench_function(BenchmarkId::new("f32", "64x12x128x128"), |b| {
        b.iter(|| {
            forward_backward(&|x| x.softmax(-1), &x);
            x.zero_grad();
        })
    });
    group.finish();
}

criterion_group!(benches, linear, layer_norm, softmax);
kiln_testkit::bench_main!(benches);
