"""torch.optim reference for `benches/optimizers.rs`: one step() of Adam, AdamW and SGD with
momentum (torch's default implementation, `foreach` on multi-tensor lists) over one f32
parameter of 1M and 10M elements. Prints one JSON line per workload with the criterion id.

Run with a Python that has torch (measured with torch 2.15):
    KILN_BENCH_THREADS=2 python optim/benches/compare.py [ID_SUBSTRING...]
Optional arguments are substrings; only workloads whose id contains one of them run.
"""

import json
import os
import statistics
import sys
import time

import torch

THREADS = int(os.environ.get("KILN_BENCH_THREADS", "2"))
torch.set_num_threads(THREADS)
SIZES = [(1_000_000, "1M"), (10_000_000, "10M")]
CASES = [
    ("adam", lambda p: torch.optim.Adam([p], lr=1e-3)),
    ("adamw", lambda p: torch.optim.AdamW([p], lr=1e-3)),
    ("sgd_momentum", lambda p: torch.optim.SGD([p], lr=1e-3, momentum=0.9)),
]


def param(n):
    i = torch.arange(n)
    p = ((i % 1000).float() * 1e-3).requires_grad_(True)
    p.grad = ((i % 777).float() - 388.0) * 1e-4
    return p


def median_ns(opt, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        opt.step()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def main(filters):
    # The first optimizer steps of a process are far slower than the steady state (one-time
    # initialisation inside torch); run one throwaway workload so no measured case pays for it.
    warm = CASES[0][1](param(SIZES[0][0]))
    for _ in range(40):
        warm.step()
    for n, label in SIZES:
        for name, make in CASES:
            bench_id = f"optim_step/{name}/{label}"
            if filters and not any(f in bench_id for f in filters):
                continue
            opt = make(param(n))
            for _ in range(3):
                opt.step()
            reps = 50 if n <= 1_000_000 else 15
            print(json.dumps({
                "id": bench_id,
                "median_ns": float(median_ns(opt, reps)),
                "reference": f"torch {torch.__version__.split('+')[0]}",
            }))


if __name__ == "__main__":
    main(sys.argv[1:])
