//! Square matrix products `[n, n] · [n, n]` in f32 and f16, reported in FLOP/s (2·n³ per
//! product). Ids `matmul/<dtype>/<n>` match `compare.py`'s PyTorch workloads.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_tensor::{DType, Device, Generator, Tensor};
use std::time::Duration;

fn matmul(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul");
    let mut g = Generator::new(0);
    for (dtype, name) in [(DType::F32, "f32"), (DType::F16, "f16")] {
        for n in [256usize, 512, 1024, 2048] {
            let a = Tensor::rand_from([n, n], dtype, &Device::Cpu, &mut g);
            let b = Tensor::rand_from([n, n], dtype, &Device::Cpu, &mut g);
            group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
            // Big products take ~0.1 s each: fewer samples keep the run short.
            if n >= 1024 {
                group
                    .sample_size(10)
                    .measurement_time(Duration::from_secs(8));
            } else {
                group
                    .sample_size(30)
                    .measurement_time(Duration::from_secs(4));
            }
            group.bench_with_input(BenchmarkId::new(name, n), &(a, b), |bench, (a, b)| {
                bench.iter(|| a.matmul(b))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, matmul);
kiln_testkit::bench_main!(benches);
