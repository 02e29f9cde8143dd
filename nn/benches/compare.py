"""PyTorch reference timings for kiln-nn's criterion benches (`nn/benches/*.rs`).

`cargo xtask bench nn --compare` runs this with a Python that has `requirements.txt`
(measured with torch 2.15.0) and reads one JSON line per workload:

    {"id": "<criterion id>", "median_ns": <float>, "reference": "torch <version>"}

Threads come from env `KILN_BENCH_THREADS` (default 2). Optional arguments are substrings;
only workloads whose id contains one of them run. The layer workloads are forward + backward
with an all-ones output gradient, exactly as `layers.rs` does (the training loops of the seeds'
examples are kiln-trainer's: `trainer/benches/compare.py`).

The `bert/*` workloads are `bert.rs`'s on all-MiniLM-L6-v2 from the `cargo xtask fetch minilm`
cache, through transformers with its default attention implementation (what a user gets:
`sdpa` in transformers 5, named in the `reference` field): forward under `torch.no_grad()` in
eval mode, a `BertForSequenceClassification` training step (train mode, AdamW), and
`BertModel.from_pretrained` (safetensors). Inputs come from the same 64-bit LCG as `bert.rs`,
so both sides see identical ids and masks. `--peak-memory ID` measures one training step
workload's resident-set high-water mark in a fresh process (see xtask/src/bench/memory.rs);
`main` runs it after timing that workload.

The `deberta/*` workloads are `deberta.rs`'s on a random-initialised model of
deberta-v3-xsmall's shape (no download): forward at 32x128 under `torch.no_grad()` in eval
mode, and a `DebertaV2ForSequenceClassification` training step at 8x256 with padding.
"""

import json
import os
import statistics
import subprocess
import sys
import time

THREADS = int(os.environ.get("KILN_BENCH_THREADS", "2"))
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(THREADS)

import torch  # noqa: E402

torch.set_num_threads(THREADS)
REFERENCE = f"torch {torch.__version__}"
WARM_UP_S, MEASURE_S, MIN_SAMPLES, MAX_SAMPLES = 1.0, 4.0, 5, 1000


def forward_backward(module, x, params):
    def run():
        y = module(x)
        y.backward(torch.ones_like(y))
        x.grad = None
        for p in params:
            p.grad = None

    return run


def linear():
    layer = torch.nn.Linear(768, 3072)
    return forward_backward(layer, torch.randn(64, 768, requires_grad=True), layer.parameters())


def layer_norm():
    layer = torch.nn.LayerNorm(768)
    return forward_backward(
        layer, torch.randn(64, 128, 768, requires_grad=True), layer.parameters()
    )


def softmax():
    return forward_backward(
        lambda x: torch.softmax(x, -1), torch.randn(64, 12, 128, 128, requires_grad=True), []
    )


def conv2d():
    layer = torch.nn.Conv2d(3, 16, 3, padding=1)
    return forward_backward(
        layer, torch.randn(32, 3, 32, 32, requires_grad=True), layer.parameters()
    )


def conv2d_forward():
    layer = torch.nn.Conv2d(3, 16, 3, padding=1)
    x = torch.randn(32, 3, 32, 32)

    def run():
        with torch.no_grad():
            layer(x)

    return run


def minilm_dir():
    import transformers

    transformers.utils.logging.disable_progress_bar()
    cache = os.environ.get("KILN_CACHE") or os.path.expanduser("~/.cache/kiln")
    return os.path.join(cache, "minilm")


class Lcg:
    """The 64-bit LCG of `bert.rs` (Knuth's MMIX constants), so both sides get the same ids."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return self.state >> 33


def bert_inputs(batch, seq, seed, padded):
    """Ids in [1000, 30000); with `padded`, row i keeps `seq - (lcg % (seq / 2))` tokens (row 0
    all of them), the rest are [PAD] = 0 with mask 0."""
    rng = Lcg(seed)
    ids = [[1000 + rng.next() % 29000 for _ in range(seq)] for _ in range(batch)]
    mask = [[1] * seq for _ in range(batch)]
    if padded:
        for i in range(1, batch):
            keep = seq - rng.next() % (seq // 2)
            for j in range(keep, seq):
                ids[i][j] = 0
                mask[i][j] = 0
    return torch.tensor(ids, dtype=torch.int64), torch.tensor(mask, dtype=torch.int64)


BERT_REFERENCE = {}


def bert_reference(model):
    import transformers

    transformers.utils.logging.disable_progress_bar()

    attention = getattr(model.config, "_attn_implementation", "eager")
    return f"torch {torch.__version__} + transformers {transformers.__version__} ({attention})"


def minilm_forward(batch, seq):
    def setup():
        from transformers import BertModel

        model = BertModel.from_pretrained(minilm_dir())
        model.eval()
        BERT_REFERENCE["forward"] = bert_reference(model)
        ids, mask = bert_inputs(batch, seq, 0, padded=False)

        def run():
            with torch.no_grad():
                model(input_ids=ids, attention_mask=mask)

        return run

    return setup


def minilm_train_setup(checkpointing):
    """`BertForSequenceClassification` (2 labels) in train mode, AdamW lr 2e-5, batch 16x128
    with padding, labels i % 2; returns (one training step, model)."""
    from transformers import BertForSequenceClassification

    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(minilm_dir(), num_labels=2)
    if checkpointing:
        model.gradient_checkpointing_enable()
    model.train()
    BERT_REFERENCE["train"] = bert_reference(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    ids, mask = bert_inputs(16, 128, 1, padded=True)
    labels = torch.tensor([i % 2 for i in range(16)], dtype=torch.int64)

    def step():
        out = model(input_ids=ids, attention_mask=mask, labels=labels)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    return step


def minilm_train(checkpointing):
    return lambda: minilm_train_setup(checkpointing)


def minilm_from_pretrained():
    from transformers import BertModel

    BERT_REFERENCE["load"] = bert_reference(BertModel.from_pretrained(minilm_dir()))
    return lambda: BertModel.from_pretrained(minilm_dir())


DEBERTA_V3_XSMALL = dict(
    vocab_size=128100,
    hidden_size=384,
    num_hidden_layers=12,
    num_attention_heads=6,
    intermediate_size=1536,
    relative_attention=True,
    position_buckets=256,
    pos_att_type="p2c|c2p",
    share_att_key=True,
    norm_rel_ebd="layer_norm",
    position_biased_input=False,
    type_vocab_size=0,
)


def deberta_forward(batch, seq):
    """`deberta.rs`'s forward: a random-initialised deberta-v3-xsmall-shaped DebertaV2Model
    in eval mode under no_grad, ids from the LCG without padding."""

    def setup():
        from transformers import DebertaV2Config, DebertaV2Model

        torch.manual_seed(0)
        model = DebertaV2Model(DebertaV2Config(**DEBERTA_V3_XSMALL))
        model.eval()
        BERT_REFERENCE["deberta_forward"] = bert_reference(model)
        ids, mask = bert_inputs(batch, seq, 0, padded=False)

        def run():
            with torch.no_grad():
                model(input_ids=ids, attention_mask=mask)

        return run

    return setup


def deberta_train(batch, seq):
    """`deberta.rs`'s training step: DebertaV2ForSequenceClassification (2 labels) in train
    mode, AdamW lr 2e-5, padded LCG batch, labels i % 2."""

    def setup():
        from transformers import DebertaV2Config, DebertaV2ForSequenceClassification

        torch.manual_seed(0)
        config = DebertaV2Config(num_labels=2, **DEBERTA_V3_XSMALL)
        model = DebertaV2ForSequenceClassification(config)
        model.train()
        BERT_REFERENCE["deberta_train"] = bert_reference(model)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        ids, mask = bert_inputs(batch, seq, 1, padded=True)
        labels = torch.tensor([i % 2 for i in range(batch)], dtype=torch.int64)

        def step():
            out = model(input_ids=ids, attention_mask=mask, labels=labels)
            out.loss.backward()
            optimizer.step()
            optimizer.zero_grad()

        return step

    return setup


def proc_status_bytes(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measure_peak_memory(bench_id):
    """Builds the workload, resets the high-water mark, runs it 3 times and prints
    {"id", "peak_rss_bytes", "baseline_rss_bytes", "reference"} (xtask/src/bench/memory.rs)."""
    run = PEAK_MEMORY[bench_id]()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return
    baseline = proc_status_bytes("VmRSS")
    for _ in range(3):
        run()
    peak = proc_status_bytes("VmHWM")
    if baseline is not None and peak is not None:
        line = {
            "id": bench_id,
            "peak_rss_bytes": peak,
            "baseline_rss_bytes": baseline,
            "reference": BERT_REFERENCE["train"],
        }
        print(json.dumps(line), flush=True)


WORKLOADS = {
    "linear_forward_backward/f32/64x768x3072": linear,
    "layer_norm_forward_backward/f32/64x128x768": layer_norm,
    "softmax_forward_backward/f32/64x12x128x128": softmax,
    "conv2d_forward/f32/32x3x32x32_16_k3": conv2d_forward,
    "conv2d_forward_backward/f32/32x3x32x32_16_k3": conv2d,
    "bert/minilm_forward_no_grad/32x64": minilm_forward(32, 64),
    "bert/minilm_forward_no_grad/8x512": minilm_forward(8, 512),
    "bert/minilm_train_step/16x128": minilm_train(False),
    "bert/minilm_train_step_checkpointed/16x128": minilm_train(True),
    "bert/from_pretrained/minilm": minilm_from_pretrained,
    "deberta/v3_xsmall_forward_no_grad/32x128": deberta_forward(32, 128),
    "deberta/v3_xsmall_train_step/8x256": deberta_train(8, 256),
}

# Workloads whose peak resident memory is also measured, each in a fresh process.
PEAK_MEMORY = {
    "bert/minilm_train_step/16x128": minilm_train(False),
    "bert/minilm_train_step_checkpointed/16x128": minilm_train(True),
}


def reference_of(bench_id):
    if bench_id.startswith("bert/from_pretrained"):
        return BERT_REFERENCE["load"]
    if bench_id.startswith("bert/minilm_forward"):
        return BERT_REFERENCE["forward"]
    if bench_id.startswith("bert/minilm_train"):
        return BERT_REFERENCE["train"]
    if bench_id.startswith("deberta/v3_xsmall_forward"):
        return BERT_REFERENCE["deberta_forward"]
    if bench_id.startswith("deberta/v3_xsmall_train"):
        return BERT_REFERENCE["deberta_train"]
    return REFERENCE


def time_workload(setup):
    """Median wall time of one call in nanoseconds, after a warm-up."""
    fn = setup()
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
    if filters[:1] == ["--peak-memory"]:
        measure_peak_memory(filters[1])
        return
    for bench_id, setup in WORKLOADS.items():
        if filters and not any(f in bench_id for f in filters):
            continue
        median = float(time_workload(setup))
        line = {"id": bench_id, "median_ns": median, "reference": reference_of(bench_id)}
        print(json.dumps(line), flush=True)
        if bench_id in PEAK_MEMORY:
            subprocess.run([sys.executable, __file__, "--peak-memory", bench_id], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
