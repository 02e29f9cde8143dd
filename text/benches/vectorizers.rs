//! TF-IDF / count vectorizer throughput on IMDB reviews (`cargo xtask fetch imdb`).
//!
//! Workload (mirrored in `benches/compare.py`): reviews in the order
//! neg 0, pos 0, neg 1, pos 1, ... (indices `i` and `25000 + i` of
//! `imdb/reviews.json`), each longer than 1024 bytes cut at its last ASCII
//! space at or before byte 1024, first 5,000 documents. Also prints the peak resident memory of
//! the TF-IDF fit_transform runs (see `support/peak_rss.rs`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiln_text::vectorizers::{CountVectorizer, TfidfVectorizer};

use kiln_testkit::memory::PeakRss;

const N_DOCS: usize = 5000;
const DOC_BYTES: usize = 1024;

#[derive(serde::Deserialize)]
struct Review {
    t: String,
}

/// The benchmark documents, or `None` when the IMDB cache is missing.
fn documents() -> Option<Vec<String>> {
    let cache = std::env::var_os("KILN_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kiln")))?;
    let text = std::fs::read_to_string(cache.join("imdb/reviews.json")).ok()?;
    let reviews: Vec<Review> = serde_json::from_str(&text).ok()?;
    let half = reviews.len() / 2;
    let docs = (0..half)
        .flat_map(|i| [i, half + i])
        .take(N_DOCS)
        .map(|i| {
            let t = &reviews[i].t;
            if t.len() <= DOC_BYTES {
                return t.clone();
            }
            let cut = t.as_bytes()[..=DOC_BYTES]
                .iter()
                .rposition(|&b| b == b' ')
                .unwrap_or(0);
            t[..cut].to_string()
        })
        .collect();
    Some(docs)
}

fn bench_vectorizers(c: &mut Criterion) {
    let Some(docs) = documents() else {
        eprintln!("skipped: run `cargo xtask fetch imdb`");
        return;
    };
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut group = c.benchmark_group("vectorizers");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Bytes(bytes as u64));
    let peak = PeakRss::start();
    group.bench_function("tfidf_fit_transform_ngram13_sublinear/imdb5000", |b| {
        b.iter(|| {
            let mut tv = TfidfVectorizer::new()
                .with_ngram_range(1, 3)
                .with_sublinear_tf(true);
            black_box(tv.fit_transform::<f64>(&docs).unwrap())
        })
    });
    peak.report("vectorizers/tfidf_fit_transform_ngram13_sublinear/imdb5000");
    group.bench_function("count_fit_transform_default/imdb5000", |b| {
        b.iter(|| {
            let mut cv = CountVectorizer::new();
            black_box(cv.fit_transform::<i64>(&docs).unwrap())
        })
    });
    let mut fitted = TfidfVectorizer::new()
        .with_ngram_range(1, 3)
        .with_sublinear_tf(true);
    fitted.fit(&docs).unwrap();
    group.bench_function("tfidf_transform_ngram13_sublinear/imdb5000", |b| {
        b.iter(|| black_box(fitted.transform::<f64>(&docs).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_vectorizers);
criterion_main!(benches);
