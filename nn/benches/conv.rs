//! Conv2d forward and forward + backward at a small-CNN size: batch 32, 3→16 channels,
//! 32×32 images, 3×3 kernel, padding 1 (a CIFAR-style first layer). `nn/benches/compare.py`
//! times the same in PyTorch for `cargo xtask bench nn --compare`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_autograd::Var;
use kiln_nn::functional::{Conv2dOptions, conv2d};
use kiln_tensor::Tensor;

const ID: &str = "32x3x32x32_16_k3";

fn conv(c: &mut Criterion) {
    let (n, cin, cout, hw, k) = (32usize, 3usize, 16usize, 32usize, 3usize);
    let x = Var::parameter(Tensor::randn([n, cin, hw, hw]));
    let w = Var::parameter(Tensor::randn([cout, cin, k, k]));
    let b = Var::parameter(Tensor::randn([cout]));
    let o = Conv2dOptions::new().padding([1, 1]);
    // multiply-adds of the forward pass, counted as 2 FLOPs each
    let flops = (2 * n * cout * hw * hw * cin * k * k) as u64;

    let mut group = c.benchmark_group("conv2d_forward");
    group.throughput(Throughput::Elements(flops));
    group.bench_function(BenchmarkId::new("f32", ID), |bench| {
        let (xc, wc, bc) = (x.detach(), w.detach(), b.detach());
        bench.iter(|| conv2d(&xc, &wc, Some(&bc), &o))
    });
    group.finish();

    let mut group = c.benchmark_group("conv2d_forward_backward");
    // backward computes input and weight gradients, each as costly as the forward pass
    group.throughput(Throughput::Elements(3 * flops));
    group.bench_function(BenchmarkId::new("f32", ID), |bench| {
        bench.iter(|| {
            let y = conv2d(&x, &w, Some(&b), &o);
            y.backward_with(&y.value().ones_like(), false);
            for v in [&x, &w, &b] {
                v.zero_grad();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, conv);
kiln_testkit::bench_main!(benches);
