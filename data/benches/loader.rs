//! DataLoader throughput: one shuffled epoch over an in-memory 60000×784 f32 dataset
//! (Fashion-MNIST-sized) in batches of 64, with 0 and 2 worker threads. Throughput is the
//! bytes of image data delivered per epoch. Compare with `compare.py` (torch DataLoader).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kiln_data::{DataLoader, TensorDataset};
use kiln_tensor::{Generator, Tensor};
use std::hint::black_box;
use std::sync::Arc;

const N: usize = 60_000;
const D: usize = 784;

fn bench_loader(c: &mut Criterion) {
    let mut rng = Generator::new(0);
    let x: Vec<f32> = (0..N * D).map(|_| rng.uniform() as f32).collect();
    let y: Vec<i64> = (0..N).map(|i| (i % 10) as i64).collect();
    let data = Arc::new(TensorDataset::new(vec![
        Tensor::from_vec(x, [N, D]),
        Tensor::from_vec(y, [N]),
    ]));
    let mut group = c.benchmark_group("loader");
    group.sample_size(10);
    group.throughput(Throughput::Bytes((N * D * 4) as u64));
    for workers in [0usize, 2] {
        let loader = DataLoader::from_arc(data.clone())
            .with_batch_size(64)
            .with_shuffle(true)
            .with_seed(0)
            .with_num_workers(workers);
        group.bench_with_input(
            BenchmarkId::new("epoch_b64_shuffle", workers),
            &workers,
            |b, _| {
                b.iter(|| {
                    let mut rows = 0;
                    for batch in loader.iter() {
                        rows += black_box(&batch[0]).dims()[0];
                    }
                    assert_eq!(rows, N);
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_loader);
criterion_main!(benches);
