//! Safetensors loading speed: a ~100 MB file of f32 and f16 tensors written by the bench
//! itself, read back through the memory-mapped loader (`Throughput::Bytes` = file size).

use criterion::{Criterion, Throughput, criterion_group};
use kiln_tensor::{DType, Tensor, manual_seed, safetensors};
use std::hint::black_box;

/// Bytes of tensor data in the bench file.
const TARGET_BYTES: usize = 100 << 20;

fn bench_load(c: &mut Criterion) {
    manual_seed(0);
    // A BERT-like mix: large f32 matrices plus some f16 ones, 4 MiB each.
    let count = TARGET_BYTES / (4 << 20);
    let tensors: Vec<(String, Tensor)> = (0..count)
        .map(|i| {
            let t = if i % 4 == 3 {
                Tensor::rand([2048, 1024]).to_dtype(DType::F16)
            } else {
                Tensor::rand([1024, 1024])
            };
            (format!("layer.{i}.weight"), t)
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("kiln-bench-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create bench dir");
    let path = dir.join("model.safetensors");
    safetensors::save(&path, tensors.iter().map(|(n, t)| (n.as_str(), t)), None)
        .expect("write bench file");
    let file_len = std::fs::metadata(&path).expect("bench file").len();

    let mut group = c.benchmark_group("safetensors");
    group.throughput(Throughput::Bytes(file_len));
    group.sample_size(20);
    group.bench_function("load/100MB", |b| {
        b.iter(|| black_box(safetensors::load(&path).expect("load bench file")))
    });
    group.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, bench_load);
kiln_testkit::bench_main!(benches);
