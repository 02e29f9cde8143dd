//! Combining and indexing, reported in bytes moved per second (elements read plus written):
//! `cat` of 8 × [256, 1024] f32 along dim 0 and dim 1, and `index_select` of 512 rows from a
//! [30522, 384] f32 embedding table (BERT's vocabulary × MiniLM's width). Ids
//! `index/<function>/<parameter>` match `compare.py`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_tensor::{DType, Device, Generator, Tensor, manual_seed};

fn index(c: &mut Criterion) {
    let mut group = c.benchmark_group("index");
    let mut g = Generator::new(0);

    let parts: Vec<Tensor> = (0..8)
        .map(|_| Tensor::randn_from([256, 1024], DType::F32, &Device::Cpu, &mut g))
        .collect();
    let cat_bytes = (8 * 256 * 1024 * size_of::<f32>()) as u64;
    group.throughput(Throughput::Bytes(2 * cat_bytes));
    for dim in [0usize, 1] {
        let id = BenchmarkId::new(format!("cat_dim{dim}"), "8x256x1024");
        group.bench_with_input(id, &parts, |bench, parts| {
            bench.iter(|| Tensor::cat(parts, dim))
        });
    }

    let table = Tensor::randn_from([30522, 384], DType::F32, &Device::Cpu, &mut g);
    manual_seed(0);
    let ids = Tensor::randint(0, 30522, [512]);
    group.throughput(Throughput::Bytes(
        (2 * 512 * 384 * size_of::<f32>() + 512 * size_of::<i64>()) as u64,
    ));
    let id = BenchmarkId::new("index_select", "512_of_30522x384");
    group.bench_with_input(id, &(&table, &ids), |bench, (table, ids)| {
        bench.iter(|| table.index_select(0usize, ids))
    });
    group.finish();
}

criterion_group!(benches, index);
kiln_testkit::bench_main!(benches);
