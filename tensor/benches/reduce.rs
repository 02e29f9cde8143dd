//! Reductions and the fused normalisation kernels on f32, reported in bytes moved per second
//! (input read plus output written). Ids `reduce/<op>/<shape>` match `compare.py`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_tensor::{DType, Device, Generator, Tensor};

fn bytes(elements: usize) -> u64 {
    (elements * size_of::<f32>()) as u64
}

fn reduce(c: &mut Criterion) {
    let mut group = c.benchmark_group("reduce");
    let mut g = Generator::new(0);
    let (rows, cols) = (4096, 1024);
    let x = Tensor::randn_from([rows, cols], DType::F32, &Device::Cpu, &mut g);
    let id = format!("{rows}x{cols}");

    group.throughput(Throughput::Bytes(2 * bytes(rows * cols)));
    group.bench_with_input(BenchmarkId::new("softmax", &id), &x, |b, x| {
        b.iter(|| x.softmax(-1))
    });

    group.throughput(Throughput::Bytes(bytes(rows * cols + cols)));
    group.bench_with_input(BenchmarkId::new("sum_dim0", &id), &x, |b, x| {
        b.iter(|| x.sum_dim(&[0], false))
    });
    group.throughput(Throughput::Bytes(bytes(rows * cols + rows)));
    group.bench_with_input(BenchmarkId::new("sum_dim1", &id), &x, |b, x| {
        b.iter(|| x.sum_dim(&[1], false))
    });

    // BERT-base-sized activations: batch 64 × 128 tokens × 768 features, affine.
    let (tokens, hidden) = (64 * 128, 768);
    let h = Tensor::randn_from([tokens, hidden], DType::F32, &Device::Cpu, &mut g);
    let w = Tensor::randn_from([hidden], DType::F32, &Device::Cpu, &mut g);
    let bias = Tensor::randn_from([hidden], DType::F32, &Device::Cpu, &mut g);
    group.throughput(Throughput::Bytes(2 * bytes(tokens * hidden)));
    group.bench_with_input(
        BenchmarkId::new("layer_norm", format!("{tokens}x{hidden}")),
        &h,
        |b, h| b.iter(|| h.layer_norm(&[hidden], Some(&w), Some(&bias), 1e-5)),
    );
    group.finish();
}

criterion_group!(benches, reduce);
kiln_testkit::bench_main!(benches);
