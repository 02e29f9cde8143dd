"""Reference timing for kiln-hub's bench: Python's hashlib.sha256 over the same 64 MiB file.

Prints one JSON object per line, {"id", "median_ns", "reference"}, with the id equal to the
criterion id of benches/checksum.rs. Needs only the standard library (measured with
Python 3.11, hashlib on OpenSSL). Optional arguments are substrings; only workloads whose id
contains one of them run.
"""
import hashlib
import json
import os
import ssl
import statistics
import sys
import tempfile
import time

BYTES = 64 << 20
CHUNK = 1 << 20  # huggingface_hub's sha256 chunk size


def median_ns(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def wanted(bench_id):
    """Whether the command line selects this workload (no arguments: every workload)."""
    filters = sys.argv[1:]
    return not filters or any(f in bench_id for f in filters)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


bench_id = "checksum/sha256_file/64MiB"
if wanted(bench_id):
    ramp = bytes(i % 251 for i in range(251 * 4096))
    data = (ramp * (BYTES // len(ramp) + 1))[:BYTES]  # byte i is i % 251, as in checksum.rs
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(data)
        path = f.name
    try:
        ns = median_ns(lambda: sha256_file(path), 10)
    finally:
        os.unlink(path)
    reference = f"hashlib.sha256 ({ssl.OPENSSL_VERSION}), 1 MiB reads"
    print(json.dumps({"id": bench_id, "median_ns": float(ns), "reference": reference}), flush=True)
