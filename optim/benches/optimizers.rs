//! One `step()` of Adam, AdamW and SGD with momentum over a single f32 parameter of 1M and 10M
//! elements (state already initialised). Throughput counts the bytes each fused update reads
//! and writes. Runs on a rayon pool of `KILN_BENCH_THREADS` threads (default 2), the same
//! count `compare.py` gives torch.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_autograd::Var;
use kiln_optim::{Adam, AdamConfig, AdamW, Optimizer, Sgd, SgdConfig};
use kiln_tensor::Tensor;

const SIZES: [(usize, &str); 2] = [(1_000_000, "1M"), (10_000_000, "10M")];

fn threads() -> usize {
    std::env::var("KILN_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

fn param(n: usize) -> Var {
    let p = Var::parameter(Tensor::from_vec(
        (0..n).map(|i| (i % 1000) as f32 * 1e-3).collect::<Vec<_>>(),
        [n],
    ));
    p.set_grad(Some(Tensor::from_vec(
        (0..n)
            .map(|i| ((i % 777) as f32 - 388.0) * 1e-4)
            .collect::<Vec<_>>(),
        [n],
    )));
    p
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads())
        .build()
        .expect("rayon pool");
    let mut group = c.benchmark_group("optim_step");
    group.sample_size(10);
    type Make = fn(Var) -> Box<dyn Optimizer + Send>;
    let cases: [(&str, Make, u64); 3] = [
        (
            "adam",
            |p| Box::new(Adam::new(vec![p], AdamConfig::new(1e-3))),
            7,
        ),
        (
            "adamw",
            |p| Box::new(AdamW::new(vec![p], AdamConfig::adamw(1e-3))),
            7,
        ),
        (
            "sgd_momentum",
            |p| Box::new(Sgd::new(vec![p], SgdConfig::new(1e-3).with_momentum(0.9))),
            5,
        ),
    ];
    for (n, label) in SIZES {
        for (name, make, passes) in cases {
            let mut opt = make(param(n));
            pool.install(|| opt.step()); // create the state outside the timed region
            group.throughput(Throughput::Bytes(passes * 4 * n as u64));
            group.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| pool.install(|| opt.step()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
kiln_testkit::bench_main!(benches);
