//! GPU kernel throughput: matmul f32 / f16 (GFLOP/s), softmax and layer_norm (GB/s).
//!
//! Sizes: `KILN_BENCH_SIZES` (comma list of square matmul sizes, default `128,256` so lavapipe
//! finishes quickly) or `KILN_BENCH_LARGE=1` (matmul 1024 and 4096, softmax / layer_norm
//! `[4096, 4096]`). Each timed batch submits `iters` kernels and then waits for the device, so
//! the GPU work is inside the timed region. `benches/compare.py` runs the same workloads in
//! PyTorch with the same benchmark ids.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use half::f16;
use kiln_gpu_kernels::{
    GpuBuffer, GpuContext, MatmulArgs, RowsLayout, layer_norm, matmul, softmax,
};

fn large() -> bool {
    std::env::var("KILN_BENCH_LARGE").is_ok_and(|v| v == "1")
}

fn matmul_sizes() -> Vec<usize> {
    if let Ok(s) = std::env::var("KILN_BENCH_SIZES") {
        return s.split(',').filter_map(|t| t.trim().parse().ok()).collect();
    }
    if large() {
        vec![1024, 4096]
    } else {
        vec![128, 256]
    }
}

fn row_shapes() -> Vec<(usize, usize)> {
    if large() {
        vec![(4096, 4096)]
    } else {
        vec![(256, 1024)]
    }
}

/// Times `iters` submissions of `op` followed by one device wait.
fn timed(ctx: &GpuContext, iters: u64, mut op: impl FnMut()) -> Duration {
    op(); // warm the pipeline cache and the pool
    ctx.sync().expect("device error");
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    ctx.sync().expect("device error");
    start.elapsed()
}

fn context() -> Option<GpuContext> {
    match GpuContext::new() {
        Ok(ctx) => {
            eprintln!(
                "benchmarking on {:?} ({:?})",
                ctx.adapter_info().name,
                ctx.adapter_info().backend
            );
            Some(ctx)
        }
        Err(e) => {
            eprintln!("skipped: no GPU adapter ({e})");
            None
        }
    }
}

fn bench_matmul(c: &mut Criterion) {
    let Some(ctx) = context() else { return };
    let mut group = c.benchmark_group("matmul");
    group.sample_size(10);
    for n in matmul_sizes() {
        let args = MatmulArgs::new(n, n, n);
        group.throughput(Throughput::Elements(2 * (n * n * n) as u64));
        let data: Vec<f32> = (0..n * n).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect();
        let a = ctx.upload(&data).expect("upload");
        group.bench_with_input(BenchmarkId::new("f32", n), &n, |bch, _| {
            bch.iter_custom(|iters| {
                timed(&ctx, iters, || {
                    drop(matmul(&ctx, &a, &a, &args).expect("matmul"))
                })
            })
        });
        let halves: Vec<f16> = data.iter().map(|&v| f16::from_f32(v)).collect();
        let h = ctx.upload(&halves).expect("upload");
        group.bench_with_input(BenchmarkId::new("f16", n), &n, |bch, _| {
            bch.iter_custom(|iters| {
                timed(&ctx, iters, || {
                    drop(matmul(&ctx, &h, &h, &args).expect("matmul"))
                })
            })
        });
    }
    group.finish();
}

fn row_input(ctx: &GpuContext, rows: usize, cols: usize) -> GpuBuffer {
    let data: Vec<f32> = (0..rows * cols)
        .map(|i| ((i % 101) as f32 - 50.0) / 10.0)
        .collect();
    ctx.upload(&data).expect("upload")
}

fn bench_rows(c: &mut Criterion) {
    let Some(ctx) = context() else { return };
    let mut group = c.benchmark_group("softmax");
    group.sample_size(10);
    for (rows, cols) in row_shapes() {
        let x = row_input(&ctx, rows, cols);
        // one read and one write of the matrix
        group.throughput(Throughput::Bytes((2 * rows * cols * 4) as u64));
        group.bench_with_input(
            BenchmarkId::new("f32", format!("{rows}x{cols}")),
            &rows,
            |bch, _| {
                bch.iter_custom(|iters| {
                    timed(&ctx, iters, || {
                        drop(
                            softmax(&ctx, &x, &RowsLayout::contiguous(rows, cols), false)
                                .expect("softmax"),
                        )
                    })
                })
            },
        );
    }
    group.finish();
    let mut group = c.benchmark_group("layer_norm");
    group.sample_size(10);
    for (rows, cols) in row_shapes() {
        let x = row_input(&ctx, rows, cols);
        let gamma = ctx.upload(&vec![1.0f32; cols]).expect("upload");
        let beta = ctx.upload(&vec![0.0f32; cols]).expect("upload");
        group.throughput(Throughput::Bytes((2 * rows * cols * 4) as u64));
        group.bench_with_input(
            BenchmarkId::new("f32", format!("{rows}x{cols}")),
            &rows,
            |bch, _| {
                bch.iter_custom(|iters| {
                    timed(&ctx, iters, || {
                        drop(
                            layer_norm(&ctx, &x, Some(&gamma), Some(&beta), rows, cols, 1e-5)
                                .expect("layer_norm"),
                        )
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_matmul, bench_rows);
criterion_main!(benches);
