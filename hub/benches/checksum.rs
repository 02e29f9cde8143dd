//! Checksum throughput: `sha256_file` over a generated 64 MiB file, the check every fetched
//! archive and weight file goes through. Throughput is the file size. Compare with
//! `compare.py` (Python's `hashlib.sha256`, OpenSSL underneath, reading the same bytes in
//! 1 MiB chunks as `huggingface_hub` does).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Write;

/// Size of the benchmark file in bytes; `compare.py` writes the same bytes.
const BYTES: usize = 64 << 20;

/// Byte `i` of the benchmark file: a repeating ramp, so both sides hash identical content.
fn file_bytes() -> Vec<u8> {
    (0..BYTES).map(|i| (i % 251) as u8).collect()
}

fn bench_sha256(c: &mut Criterion) {
    let path = std::env::temp_dir().join(format!("kiln-hub-bench-{}.bin", std::process::id()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&file_bytes()))
        .expect("write the benchmark file");
    let mut group = c.benchmark_group("checksum");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(BYTES as u64));
    group.bench_with_input(
        BenchmarkId::new("sha256_file", "64MiB"),
        &path,
        |b, path| b.iter(|| black_box(kiln_hub::sha256_file(path).expect("readable file"))),
    );
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench_sha256);
criterion_main!(benches);
