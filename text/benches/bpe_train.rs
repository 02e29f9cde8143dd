//! Byte-level BPE training (vocab 30000, min_frequency 2) on ≥ 20 MB of English: the State of
//! the Union addresses followed by IMDB reviews; compare with `benches/compare.py`.
//! Needs `cargo xtask fetch sotu imdb`; threads from `KILN_BENCH_THREADS` (default 2). Also prints
//! the resident-set high-water mark over the training runs (Linux), which `cargo xtask bench`
//! puts beside the reference's.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiln_text::Tokenizer;
use kiln_text::models::{Bpe, BpeConfig, BpeTrainer, Model, Trainer, Vocab};
use kiln_text::pre_tokenizers::{ByteLevel, PreTokenizer, bytes_to_chars};
use std::path::PathBuf;
use std::time::Duration;

use kiln_testkit::memory::PeakRss;

/// Corpus size: sotu, then IMDB reviews until this many bytes (compare.py does the same).
const TARGET_BYTES: usize = 20_000_000;

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

/// The training lines (each keeps its `\n`) or `None` when the data is missing.
fn corpus() -> Option<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Review {
        t: String,
    }
    let sotu = cache().join("sotu");
    let imdb = cache().join("imdb/reviews.json");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&sotu)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut lines = Vec::new();
    let mut total = 0;
    for f in files {
        let text = std::fs::read_to_string(f).ok()?;
        for l in text.split_inclusive('\n') {
            total += l.len();
            lines.push(l.to_owned());
        }
    }
    let reviews: Vec<Review> = serde_json::from_slice(&std::fs::read(imdb).ok()?).ok()?;
    for r in reviews {
        if total >= TARGET_BYTES {
            break;
        }
        total += r.t.len();
        lines.push(r.t);
    }
    Some(lines)
}

fn bench(c: &mut Criterion) {
    let Some(lines) = corpus() else {
        eprintln!("skipped: run `cargo xtask fetch sotu` and `cargo xtask fetch imdb`");
        return;
    };
    let bytes: usize = lines.iter().map(String::len).sum();
    let empty = Bpe::new(Vocab::default(), Vec::new(), BpeConfig::default()).expect("empty model");
    let base = Tokenizer::new(Model::Bpe(empty)).with_pre_tokenizer(Some(PreTokenizer::ByteLevel(
        ByteLevel {
            add_prefix_space: false,
            ..ByteLevel::default()
        },
    )));
    let trainer = Trainer::Bpe(BpeTrainer {
        vocab_size: 30000,
        min_frequency: 2,
        special_tokens: ["<s>", "<pad>", "</s>", "<unk>"].map(String::from).to_vec(),
        initial_alphabet: bytes_to_chars().to_vec(),
        ..BpeTrainer::default()
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads())
        .build()
        .expect("pool");

    let peak = PeakRss::start();
    let mut g = c.benchmark_group("bpe");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("train/sotu-imdb-20MB", |b| {
        b.iter(|| {
            let mut t = base.clone();
            pool.install(|| t.train(&trainer, &lines)).expect("train");
            t
        })
    });
    g.finish();
    // The peak over every iteration above.
    peak.report("bpe/train/sotu-imdb-20MB");
}

criterion_group!(benches, bench);
criterion_main!(benches);
