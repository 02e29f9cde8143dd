//! Unigram `encode_batch` throughput on IMDB reviews with the DeBERTa-v3-shaped SentencePiece
//! tokenizer of the parity fixtures (`tests/fixtures/unigram_spm.json`: Strip + Precompiled +
//! Replace, Metaspace, Unigram with byte fallback, `[CLS] $A [SEP]`); compare with
//! `benches/compare.py`. Needs `cargo xtask fetch imdb`; threads from `KILN_BENCH_THREADS`
//! (default 2).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiln_text::Tokenizer;
use std::path::PathBuf;

/// Reviews used by the bench (about 20 MB); compare.py uses the same count.
const N_REVIEWS: usize = 15_000;

fn cache() -> PathBuf {
    match std::env::var_os("KILN_CACHE") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln"),
    }
}

fn threads() -> usize {
    std::env::var("KILN_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

fn bench(c: &mut Criterion) {
    #[derive(serde::Deserialize)]
    struct Review {
        t: String,
    }
    let imdb = cache().join("imdb/reviews.json");
    if !imdb.exists() {
        eprintln!("skipped: run `cargo xtask fetch imdb`");
        return;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unigram_spm.json");
    let tok = Tokenizer::from_file(&path).expect("unigram_spm.json");
    let reviews: Vec<Review> =
        serde_json::from_slice(&std::fs::read(imdb).expect("read")).expect("parse");
    let texts: Vec<String> = reviews.into_iter().take(N_REVIEWS).map(|r| r.t).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads())
        .build()
        .expect("pool");

    let mut g = c.benchmark_group("unigram");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function(format!("encode_batch/imdb-{N_REVIEWS}"), |b| {
        b.iter(|| pool.install(|| tok.encode_batch(&texts, true).expect("encode")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
