"""PyTorch reference timings for kiln-tensor's criterion benches.

`cargo xtask bench tensor --compare` runs this with a Python that has `requirements.txt`
installed (measured with torch 2.15.0 and numpy 2.x) and reads one JSON object per line:

    {"id": "<criterion group>/<function>/<parameter>", "median_ns": <float>, "reference": "torch <version>"}

`id` equals the criterion benchmark id of the matching Kiln bench in `tensor/benches/*.rs`.
Threads come from env `KILN_BENCH_THREADS` (default 2), for torch and numpy alike.
Optional arguments are substrings; only workloads whose id contains one of them run.

To add a workload, register a setup function in `WORKLOADS` under the criterion id: it builds
the inputs (untimed) and returns the zero-argument callable that is timed.
"""

import json
import os
import statistics
import sys
import time

THREADS = int(os.environ.get("KILN_BENCH_THREADS", "2"))
# Must be set before numpy/torch load their thread pools.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(THREADS)

import torch  # noqa: E402

torch.set_num_threads(THREADS)
REFERENCE = f"torch {torch.__version__}"

# Like criterion: warm up for WARM_UP_S, then time single calls for about MEASURE_S (at
# least MIN_SAMPLES, at most MAX_SAMPLES calls) and report the median.
WARM_UP_S = 1.0
MEASURE_S = 4.0
MIN_SAMPLES = 5
MAX_SAMPLES = 1000

# criterion id -> setup function returning the callable to time.
WORKLOADS = {}

# Workloads PyTorch runs without a fast CPU kernel; their lines carry this note.
NOTES = {}


def _rand(*shape, dtype=torch.float32):
    return torch.rand(*shape, dtype=torch.float32).to(dtype)


def _matmul(n, dtype):
    def setup():
        a, b = _rand(n, n, dtype=dtype), _rand(n, n, dtype=dtype)
        return lambda: torch.matmul(a, b)

    return setup


for _n in (256, 512, 1024, 2048):
    WORKLOADS[f"matmul/f32/{_n}"] = _matmul(_n, torch.float32)
    WORKLOADS[f"matmul/f16/{_n}"] = _matmul(_n, torch.float16)
    NOTES[f"matmul/f16/{_n}"] = "float16 matmul on CPU: PyTorch has no fast kernel here"


def _elementwise(op):
    def setup():
        n = 1 << 20
        a, b = torch.randn(n), torch.randn(n)
        return {"add": lambda: torch.add(a, b), "gelu": lambda: torch.nn.functional.gelu(a)}[op]

    return setup


WORKLOADS[f"elementwise/add/{1 << 20}"] = _elementwise("add")
WORKLOADS[f"elementwise/gelu/{1 << 20}"] = _elementwise("gelu")


# Combining and indexing (tensor/benches/index.rs).
def _cat(dim):
    def setup():
        parts = [torch.randn(256, 1024) for _ in range(8)]
        return lambda: torch.cat(parts, dim)

    return setup


def _index_select():
    table = torch.randn(30522, 384)
    ids = torch.randint(0, 30522, (512,))
    return lambda: torch.index_select(table, 0, ids)


WORKLOADS["index/cat_dim0/8x256x1024"] = _cat(0)
WORKLOADS["index/cat_dim1/8x256x1024"] = _cat(1)
WORKLOADS["index/index_select/512_of_30522x384"] = _index_select


# Reductions and fused normalisation (tensor/benches/reduce.rs).
def _reduce(op):
    def setup():
        x = torch.randn(4096, 1024)
        if op == "layer_norm":
            h, w, b = torch.randn(64 * 128, 768), torch.randn(768), torch.randn(768)
            return lambda: torch.nn.functional.layer_norm(h, (768,), w, b, 1e-5)
        return {
            "softmax": lambda: torch.softmax(x, -1),
            "sum_dim0": lambda: torch.sum(x, 0),
            "sum_dim1": lambda: torch.sum(x, 1),
        }[op]

    return setup


for _op in ("softmax", "sum_dim0", "sum_dim1"):
    WORKLOADS[f"reduce/{_op}/4096x1024"] = _reduce(_op)
WORKLOADS[f"reduce/layer_norm/{64 * 128}x768"] = _reduce("layer_norm")


# Safetensors loading (tensor/benches/io.rs): the same ~100 MB mix of f32 and f16 tensors.
def _safetensors_load():
    import tempfile

    from safetensors.torch import load_file, save_file

    tensors = {}
    for i in range(25):
        t = torch.rand(2048, 1024).half() if i % 4 == 3 else torch.rand(1024, 1024)
        tensors[f"layer.{i}.weight"] = t
    path = os.path.join(tempfile.mkdtemp(prefix="kiln-bench-io-"), "model.safetensors")
    save_file(tensors, path)
    return lambda: load_file(path)


WORKLOADS["safetensors/load/100MB"] = _safetensors_load


# Sparse CSR x dense (tensor/benches/sparse.rs): the same TF-IDF-like [4096, 100000] matrix
# with 200 values per row at columns (r*1000003 + j*7919) % 100000.
def _tfidf_like_csr():
    rows, cols, per_row = 4096, 100_000, 200
    r = torch.arange(rows, dtype=torch.int64).unsqueeze(1)
    j = torch.arange(per_row, dtype=torch.int64).unsqueeze(0)
    col = (r * 1_000_003 + j * 7_919) % cols
    val = 1.0 / (1.0 + ((r + j) % 7).to(torch.float32))
    col, order = torch.sort(col, dim=1)
    val = torch.gather(val, 1, order)
    crow = torch.arange(0, rows * per_row + 1, per_row, dtype=torch.int64)
    return torch.sparse_csr_tensor(crow, col.reshape(-1), val.reshape(-1), (rows, cols))


def _sparse_mm(n, transposed):
    def setup():
        a = _tfidf_like_csr()
        if transposed:
            # The transposed view is a CSC tensor; build it outside the timed inference mode.
            at, g = a.t(), torch.rand(a.shape[0], n)
            return lambda: torch.sparse.mm(at, g)
        b = torch.rand(a.shape[1], n)
        return lambda: torch.sparse.mm(a, b)

    return setup


for _n in (1, 64):
    WORKLOADS[f"sparse_mm/f32/{_n}"] = _sparse_mm(_n, False)
    WORKLOADS[f"sparse_t_mm/f32/{_n}"] = _sparse_mm(_n, True)


# The ops of a BERT encoder at MiniLM's shapes, batch 32 x 64 tokens (tensor/benches/bert_ops.rs).
_B, _L, _HEADS, _D, _I, _V = 32, 64, 12, 32, 1536, 30522
_H, _ROWS = _HEADS * _D, 32 * 64


def _heads(x):
    return x.reshape(_B, _L, _HEADS, _D).permute(0, 2, 1, 3)


def _bert_linear(k, n):
    def setup():
        x, w = torch.randn(_ROWS, k), torch.randn(n, k)
        return lambda: torch.matmul(x, w.t())

    return setup


def _bert_attn_scores():
    q, k = _heads(torch.randn(_B, _L, _H)), _heads(torch.randn(_B, _L, _H))
    return lambda: torch.matmul(q, k.transpose(-1, -2))


def _bert_attn_context():
    p, v = torch.softmax(torch.randn(_B, _HEADS, _L, _L), -1), _heads(torch.randn(_B, _L, _H))
    return lambda: torch.matmul(p, v)


def _bert_embedding():
    table, ids = torch.randn(_V, _H), torch.randint(0, _V, (_ROWS,))
    return lambda: torch.index_select(table, 0, ids)


def _bert_embedding_backward():
    # What autograd runs for F.embedding's weight gradient.
    grad, ids = torch.randn(_ROWS, _H), torch.randint(0, _V, (_ROWS,))
    return lambda: torch.ops.aten.embedding_dense_backward(grad, ids, _V, -1, False)


def _bert_mask_mul():
    h = torch.randn(_B, _L, _H)
    mask = torch.ones(_B, _L).unsqueeze(-1).expand(_B, _L, _H)
    return lambda: torch.mul(h, mask)


def _bert_sum_dim1():
    h = torch.randn(_B, _L, _H)
    return lambda: torch.sum(h, 1)


def _bert_mask_add():
    s, mask = torch.randn(_B, _HEADS, _L, _L), torch.zeros(_B, 1, 1, _L)
    return lambda: torch.add(s, mask)


def _bert_softmax():
    s = torch.randn(_B, _HEADS, _L, _L)
    return lambda: torch.softmax(s, -1)


def _bert_softmax_backward():
    y, g = torch.softmax(torch.randn(_B, _HEADS, _L, _L), -1), torch.randn(_B, _HEADS, _L, _L)
    return lambda: torch.ops.aten._softmax_backward_data(g, y, -1, torch.float32)


def _bert_gelu():
    x = torch.randn(_ROWS, _I)
    return lambda: torch.nn.functional.gelu(x)


def _bert_layer_norm():
    h, w, b = torch.randn(_ROWS, _H), torch.randn(_H), torch.randn(_H)
    return lambda: torch.native_layer_norm(h, [_H], w, b, 1e-12)


def _bert_layer_norm_backward():
    h, w, b, g = torch.randn(_ROWS, _H), torch.randn(_H), torch.randn(_H), torch.randn(_ROWS, _H)
    _, mean, rstd = torch.native_layer_norm(h, [_H], w, b, 1e-12)
    mask = [True, True, True]
    return lambda: torch.ops.aten.native_layer_norm_backward(g, h, [_H], mean, rstd, w, b, mask)


for _k, _n in ((_H, _H), (_H, _I), (_I, _H)):
    WORKLOADS[f"bert_ops/linear/{_ROWS}x{_k}x{_n}"] = _bert_linear(_k, _n)
WORKLOADS[f"bert_ops/attn_scores/{_B}x{_HEADS}x{_L}x{_D}"] = _bert_attn_scores
WORKLOADS[f"bert_ops/attn_context/{_B}x{_HEADS}x{_L}x{_L}"] = _bert_attn_context
WORKLOADS[f"bert_ops/embedding/{_ROWS}_of_{_V}x{_H}"] = _bert_embedding
WORKLOADS[f"bert_ops/embedding_backward/{_ROWS}_of_{_V}x{_H}"] = _bert_embedding_backward
WORKLOADS[f"bert_ops/mask_mul/{_B}x{_L}x{_H}"] = _bert_mask_mul
WORKLOADS[f"bert_ops/sum_dim1/{_B}x{_L}x{_H}"] = _bert_sum_dim1
WORKLOADS[f"bert_ops/mask_add/{_B}x{_HEADS}x{_L}x{_L}"] = _bert_mask_add
WORKLOADS[f"bert_ops/softmax/{_B}x{_HEADS}x{_L}x{_L}"] = _bert_softmax
WORKLOADS[f"bert_ops/softmax_backward/{_B}x{_HEADS}x{_L}x{_L}"] = _bert_softmax_backward
WORKLOADS[f"bert_ops/gelu/{_ROWS}x{_I}"] = _bert_gelu
WORKLOADS[f"bert_ops/layer_norm/{_ROWS}x{_H}"] = _bert_layer_norm
WORKLOADS[f"bert_ops/layer_norm_backward/{_ROWS}x{_H}"] = _bert_layer_norm_backward


def time_workload(setup):
    """Median wall time of one call in nanoseconds, after a warm-up."""
    fn = setup()
    with torch.inference_mode():
        start = time.perf_counter_ns()
        calls = 0
        while calls == 0 or time.perf_counter_ns() - start < WARM_UP_S * 1e9:
            fn()
            calls += 1
        per_call = (time.perf_counter_ns() - start) / calls
        samples = int(min(MAX_SAMPLES, max(MIN_SAMPLES, MEASURE_S * 1e9 / per_call)))
        times = []
        for _ in range(samples):
            t0 = time.perf_counter_ns()
            fn()
            times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def main(filters):
    for bench_id, setup in WORKLOADS.items():
        if filters and not any(f in bench_id for f in filters):
            continue
        line = {"id": bench_id, "median_ns": float(time_workload(setup)), "reference": REFERENCE}
        if bench_id in NOTES:
            line["note"] = NOTES[bench_id]
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
