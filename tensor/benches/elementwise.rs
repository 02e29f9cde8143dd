//! Elementwise kernels on 1M-element f32 tensors, reported in bytes moved per second (inputs
//! read plus output written). Ids `elementwise/<op>/1048576` match `compare.py`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_tensor::{DType, Device, Generator, Tensor};

/// 1M elements (2^20), as PyTorch's side of the comparison uses.
const N: usize = 1 << 20;

fn elementwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("elementwise");
    let mut g = Generator::new(0);
    let a = Tensor::randn_from([N], DType::F32, &Device::Cpu, &mut g);
    let b = Tensor::randn_from([N], DType::F32, &Device::Cpu, &mut g);
    let bytes = (N * size_of::<f32>()) as u64;
    group.throughput(Throughput::Bytes(3 * bytes));
    group.bench_with_input(BenchmarkId::new("add", N), &(&a, &b), |bench, (a, b)| {
        bench.iter(|| a.add(b))
    });
    group.throughput(Throughput::Bytes(2 * bytes));
    group.bench_with_input(BenchmarkId::new("gelu", N), &a, |bench, a| {
        bench.iter(|| a.gelu())
    });
    group.finish();
}

criterion_group!(benches, elementwise);
kiln_testkit::bench_main!(benches);
