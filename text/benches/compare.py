"""Reference side of `cargo xtask bench text --compare`.

Runs the workloads of kiln-text's criterion benches with the reference
libraries and prints one JSON object per line:
{"id": "<criterion group>/<function>/<parameter>", "median_ns": float, "reference": "..."}.
Threads come from env KILN_BENCH_THREADS (default 2).

Each workload section below is independent; a section whose data or
library is missing prints nothing.
"""

import json
import os
import statistics
import sys
import time

THREADS = os.environ.get("KILN_BENCH_THREADS", "2")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[var] = THREADS

CACHE = os.environ.get("KILN_CACHE", os.path.expanduser("~/.cache/kiln"))


def median_ns(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def emit(bench_id, ns, reference):
    print(json.dumps({"id": bench_id, "median_ns": float(ns), "reference": reference}), flush=True)


# --- vectorizers (benches/vectorizers.rs) -----------------------------------
def vectorizer_documents(n_docs=5000, doc_bytes=1024):
    """Reviews neg 0, pos 0, neg 1, pos 1, ...; each cut at its last ASCII
    space at or before byte 1024 (the same rule as benches/vectorizers.rs)."""
    path = os.path.join(CACHE, "imdb", "reviews.json")
    if not os.path.exists(path):
        print(f"skipped vectorizers: {path} missing (cargo xtask fetch imdb)", file=sys.stderr)
        return None
    with open(path, encoding="utf-8") as f:
        reviews = json.load(f)
    half = len(reviews) // 2
    docs = []
    for i in range(half):
        for j in (i, half + i):
            b = reviews[j]["t"].encode("utf-8")
            if len(b) > doc_bytes:
                b = b[: max(b.rfind(b" ", 0, doc_bytes + 1), 0)]
            docs.append(b.decode("utf-8"))
            if len(docs) == n_docs:
                return docs
    return docs


def vectorizer_workloads():
    try:
        import sklearn
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    except ImportError:
        print("skipped vectorizers: scikit-learn not installed", file=sys.stderr)
        return
    docs = vectorizer_documents()
    if docs is None:
        return
    ref = f"scikit-learn {sklearn.__version__}"
    emit("vectorizers/tfidf_fit_transform_ngram13_sublinear/imdb5000",
         median_ns(lambda: TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit_transform(docs), 3),
         ref)
    emit("vectorizers/count_fit_transform_default/imdb5000",
         median_ns(lambda: CountVectorizer().fit_transform(docs)), ref)
    fitted = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit(docs)
    emit("vectorizers/tfidf_transform_ngram13_sublinear/imdb5000",
         median_ns(lambda: fitted.transform(docs), 3), ref)


if __name__ == "__main__":
    vectorizer_workloads()
