"""Reference timings for kiln-data's benches: torch DataLoader and pandas.read_csv.

Prints one JSON object per line, {"id", "median_ns", "reference"}, with ids equal to the
criterion ids of benches/loader.rs and benches/csv.rs. Threads: KILN_BENCH_THREADS (default 2).
Run with a Python that has torch and pandas (measured with torch 2.15, pandas 3.1.1).
Optional arguments are substrings; only workloads whose id contains one of them run.
"""
import json
import os
import statistics
import sys
import tempfile
import time

threads = int(os.environ.get("KILN_BENCH_THREADS", "2"))
os.environ.setdefault("OMP_NUM_THREADS", str(threads))

import pandas as pd  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

torch.set_num_threads(threads)


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


def emit(bench_id, ns, reference):
    print(json.dumps({"id": bench_id, "median_ns": float(ns), "reference": reference}), flush=True)


# loader/epoch_b64_shuffle/{0,2}: one shuffled epoch over 60000x784 f32, batch 64.
N, D = 60_000, 784
g = torch.Generator().manual_seed(0)
x = torch.rand(N, D, generator=g)
y = torch.arange(N) % 10
dataset = TensorDataset(x, y)
for workers in (0, 2):
    if not wanted(f"loader/epoch_b64_shuffle/{workers}"):
        continue
    loader = DataLoader(dataset, batch_size=64, shuffle=True, num_workers=workers,
                        generator=torch.Generator().manual_seed(0))

    def epoch():
        rows = 0
        for xb, _ in loader:
            rows += xb.shape[0]
        assert rows == N

    emit(f"loader/epoch_b64_shuffle/{workers}", median_ns(epoch, 5), f"torch {torch.__version__}")

# csv/read/50000: the same bytes as benches/csv.rs.
ROWS = 50_000
if not wanted(f"csv/read/{ROWS}"):
    sys.exit(0)
lines = ["id,x,flag,text\n"]
for i in range(ROWS):
    flag = "true" if i % 3 == 0 else "false"
    lines.append(f'{i},{(i % 1000) / 8.0:.3f},{flag},"review {i}, quite good"\n')
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    f.write("".join(lines))
    path = f.name
try:
    def read():
        df = pd.read_csv(path)
        assert len(df) == ROWS

    emit(f"csv/read/{ROWS}", median_ns(read, 10), f"pandas {pd.__version__}")
finally:
    os.remove(path)
