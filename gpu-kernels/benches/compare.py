"""PyTorch reference for `cargo xtask bench gpu-kernels --compare`.

Runs the workloads of benches/kernels.rs with torch (on CUDA when available, TF32 off so f32
matmul is true f32; otherwise on CPU with KILN_BENCH_THREADS threads) and prints one JSON
object per line: {"id": "<group>/<function>/<parameter>", "median_ns": ..., "reference": ...}.
The ids equal the criterion ids of the Kiln benches. Sizes follow the same environment
variables: KILN_BENCH_SIZES (matmul sizes, default 128,256) and KILN_BENCH_LARGE=1.

Run with a Python that has torch 2.x installed. Optional arguments are substrings; only
workloads whose id contains one of them run.
"""

import json
import os
import statistics
import sys
import time

import torch


def setup():
    threads = int(os.environ.get("KILN_BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        return torch.device("cuda"), f"torch {torch.__version__} cuda ({torch.cuda.get_device_name()})"
    return torch.device("cpu"), f"torch {torch.__version__} cpu ({threads} threads)"


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def median_ns(fn, device, min_time=0.2, samples=10):
    """Median time of one call over `samples` batches, each synchronised at its end."""
    fn()
    sync(device)
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < min_time / samples or calls == 0:
        fn()
        calls += 1
    sync(device)
    per_batch = max(1, calls)
    times = []
    for _ in range(samples):
        t0 = time.perf_counter_ns()
        for _ in range(per_batch):
            fn()
        sync(device)
        times.append((time.perf_counter_ns() - t0) / per_batch)
    return statistics.median(times)


def large():
    return os.environ.get("KILN_BENCH_LARGE") == "1"


def matmul_sizes():
    env = os.environ.get("KILN_BENCH_SIZES")
    if env:
        return [int(t) for t in env.split(",") if t.strip()]
    return [1024, 4096] if large() else [128, 256]


def row_shapes():
    return [(4096, 4096)] if large() else [(256, 1024)]


def main(filters):
    device, reference = setup()

    def emit(bench_id, fn):
        """Times `fn` and prints its line, if the command line selects `bench_id`."""
        if filters and not any(f in bench_id for f in filters):
            return
        print(json.dumps({"id": bench_id, "median_ns": median_ns(fn, device), "reference": reference}), flush=True)

    with torch.no_grad():
        for n in matmul_sizes():
            base = ((torch.arange(n * n) % 17).float() - 8.0) / 8.0
            a = base.reshape(n, n).to(device)
            emit(f"matmul/f32/{n}", lambda: torch.matmul(a, a))
            h = a.half()
            emit(f"matmul/f16/{n}", lambda: torch.matmul(h, h))
        for rows, cols in row_shapes():
            x = (((torch.arange(rows * cols) % 101).float() - 50.0) / 10.0).reshape(rows, cols).to(device)
            emit(f"softmax/f32/{rows}x{cols}", lambda: torch.softmax(x, -1))
            gamma = torch.ones(cols, device=device)
            beta = torch.zeros(cols, device=device)
            emit(
                f"layer_norm/f32/{rows}x{cols}",
                lambda: torch.nn.functional.layer_norm(x, (cols,), gamma, beta, 1e-5),
            )


if __name__ == "__main__":
    main(sys.argv[1:])
