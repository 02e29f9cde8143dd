//! Sparse × dense products on a TF-IDF-like CSR matrix (`[4096, 100000]`, 200 stored values
//! per row): `sparse_mm/f32/<n>` is `A·B` with `B` `[100000, n]` (`torch.sparse.mm`),
//! `sparse_t_mm/f32/<n>` is `Aᵀ·G` with `G` `[4096, n]` (the gradient for `B`). Reported in
//! FLOP/s (2·nnz·n per product). `compare.py` builds the same matrix.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use kiln_tensor::sparse::{CsrTensor, sparse_matmul, sparse_t_matmul};
use kiln_tensor::{DType, Device, Generator, Tensor};
use std::time::Duration;

const ROWS: usize = 4096;
const COLS: usize = 100_000;
const PER_ROW: usize = 200;

/// Row `r` stores columns `(r·1000003 + j·7919) mod COLS` for `j < PER_ROW` (distinct), sorted,
/// with values `1 / (1 + (r + j) mod 7)`; `compare.py` uses the same formula.
fn tfidf_like() -> CsrTensor {
    let mut crow = vec![0];
    let (mut cols, mut vals) = (Vec::new(), Vec::new());
    for r in 0..ROWS {
        let mut row: Vec<(u32, f32)> = (0..PER_ROW)
            .map(|j| {
                let c = (r * 1_000_003 + j * 7_919) % COLS;
                (c as u32, 1.0 / (1.0 + ((r + j) % 7) as f32))
            })
            .collect();
        row.sort_by_key(|e| e.0);
        cols.extend(row.iter().map(|e| e.0));
        vals.extend(row.iter().map(|e| e.1));
        crow.push(cols.len());
    }
    let nnz = vals.len();
    CsrTensor::from_parts(crow, cols, Tensor::from_vec(vals, [nnz]), [ROWS, COLS]).unwrap()
}

fn sparse(c: &mut Criterion) {
    let a = tfidf_like();
    let mut g = Generator::new(0);
    let mut group = c.benchmark_group("sparse_mm");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    for n in [1usize, 64] {
        let b = Tensor::rand_from([COLS, n], DType::F32, &Device::Cpu, &mut g);
        group.throughput(Throughput::Elements(2 * (a.nnz() * n) as u64));
        group.bench_with_input(BenchmarkId::new("f32", n), &b, |bench, b| {
            bench.iter(|| sparse_matmul(&a, b))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("sparse_t_mm");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    for n in [1usize, 64] {
        let grad = Tensor::rand_from([ROWS, n], DType::F32, &Device::Cpu, &mut g);
        group.throughput(Throughput::Elements(2 * (a.nnz() * n) as u64));
        group.bench_with_input(BenchmarkId::new("f32", n), &grad, |bench, grad| {
            bench.iter(|| sparse_t_matmul(&a, grad))
        });
    }
    group.finish();
}

criterion_group!(benches, sparse);
kiln_testkit::bench_main!(benches);
