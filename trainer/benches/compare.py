"""PyTorch reference timings for kiln-trainer's criterion benches (`trainer/benches/*.rs`).

`cargo xtask bench trainer --compare` runs this with a Python that has `requirements.txt`
(measured with torch 2.15.0) and reads one JSON line per workload:

    {"id": "<criterion id>", "median_ns": <float>, "reference": "torch <version>"}

Threads come from env `KILN_BENCH_THREADS` (default 2). Optional arguments are substrings;
only workloads whose id contains one of them run. The training workloads are the same scripts
as `training.rs` (the seeds' examples in `trainer/examples/`; the Fashion-MNIST one reads the
`cargo xtask fetch` cache). The `ddp/*` workloads run the MiniLM training step of `ddp.rs`
on 1 process and under `DistributedDataParallel` with the gloo backend on 2 processes, each
with 1 thread.
"""

import contextlib
import json
import os
import statistics
import sys
import time

THREADS = int(os.environ.get("KILN_BENCH_THREADS", "2"))
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(THREADS)

import torch  # noqa: E402

torch.set_num_threads(THREADS)
REFERENCE = f"torch {torch.__version__}"
WARM_UP_S, MEASURE_S, MIN_SAMPLES, MAX_SAMPLES = 1.0, 4.0, 5, 1000


def number_sum():
    """The seeds' number_sum loop: NumberSumDataset(0, 100), batch 100, shuffled, Adam, 10 epochs."""
    from torch.utils.data import DataLoader, Dataset

    class NumberSumDataset(Dataset):
        def __init__(self, data_range=(0, 100)):
            self.numbers = list(range(data_range[0], data_range[1]))

        def __getitem__(self, index):
            number1 = float(self.numbers[index // len(self.numbers)])
            number2 = float(self.numbers[index % len(self.numbers)])
            return torch.tensor([number1, number2]), torch.tensor([number1 + number2])

        def __len__(self):
            return len(self.numbers) ** 2

    class MLP(torch.nn.Module):
        def __init__(self, input_size):
            super().__init__()
            self.hidden_layer = torch.nn.Linear(input_size, 128)
            self.output_layer = torch.nn.Linear(128, 1)
            self.activation = torch.nn.ReLU()

        def forward(self, x):
            return self.output_layer(self.activation(self.hidden_layer(x)))

    def run():
        torch.manual_seed(0)
        dataloader = DataLoader(NumberSumDataset(data_range=(0, 100)), batch_size=100, shuffle=True)
        model = MLP(input_size=2)
        loss_function = torch.nn.MSELoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        for _ in range(10):
            total_loss = 0.0
            for number_pairs, sums in dataloader:
                loss = loss_function(model(number_pairs), sums)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                total_loss += loss.item()

    return run


def _read_idx_gz(path):
    import gzip

    import numpy as np

    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist_epoch():
    """One Fashion-MNIST epoch: MLP 784→256→128→10, batch 64, shuffled, Adam lr 1e-3."""
    from torch.utils.data import DataLoader, TensorDataset

    x, y = _fashion_mnist_tensors()
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

    def run():
        for images, labels in loader:
            loss = criterion(net(images), labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

    return run


def _cache(name):
    """The `cargo xtask fetch` folder of dataset or model `name`."""
    cache = os.environ.get("KILN_CACHE") or os.path.expanduser("~/.cache/kiln")
    return os.path.join(cache, name)


def _fashion_mnist_tensors():
    folder = _cache("fashion-mnist")
    images = _read_idx_gz(os.path.join(folder, "train-images-idx3-ubyte.gz"))
    labels = _read_idx_gz(os.path.join(folder, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(-1, 784).astype("float32") / 255.0)
    y = torch.from_numpy(labels.astype("int64"))
    return x, y


class _Classifier(torch.nn.Module):
    """The seeds' MLP with the loss inside, as Hugging Face's Trainer expects."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(784, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, 10),
        )

    def forward(self, x, labels=None):
        logits = self.net(x)
        return {"loss": torch.nn.functional.cross_entropy(logits, labels), "logits": logits}


def _epoch_args(output_dir):
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=output_dir,
        num_train_epochs=1,
        per_device_train_batch_size=64,
        learning_rate=1e-3,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        use_cpu=True,
        seed=0,
    )


def hf_trainer_epoch():
    """One Fashion-MNIST epoch through transformers' Trainer: AdamW, clipping at 1.0, linear
    schedule, a log every 500 steps (its defaults), batch 64, lr 1e-3, no checkpoints."""
    import tempfile

    import transformers
    from transformers import Trainer

    transformers.logging.set_verbosity_error()
    x, y = _fashion_mnist_tensors()

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return len(y)

        def __getitem__(self, i):
            return {"x": x[i], "labels": y[i]}

    rows = Rows()
    out = tempfile.mkdtemp()

    def run():
        torch.manual_seed(0)
        trainer = Trainer(model=_Classifier(), args=_epoch_args(out), train_dataset=rows)
        # The Trainer prints its log lines on stdout, which carries this script's results.
        with contextlib.redirect_stdout(sys.stderr):
            trainer.train()

    return run


def hand_loop_epoch():
    """The same epoch by hand: AdamW with no decay on biases, clipping, the linear schedule."""
    from torch.utils.data import DataLoader, TensorDataset
    from transformers import get_linear_schedule_with_warmup

    x, y = _fashion_mnist_tensors()

    def run():
        torch.manual_seed(0)
        model = _Classifier()
        loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
        scheduler = get_linear_schedule_with_warmup(optimizer, 0, len(loader))
        total = 0.0
        for images, labels in loader:
            loss = model(images, labels)["loss"]
            loss.backward()
            total += loss.item()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
        return total

    return run


# The data-parallel workloads of `ddp.rs`: 16 x 128 tokens per process, MiniLM with 2 labels.
DDP_BATCH, DDP_SEQ, DDP_STEPS, DDP_PORT = 16, 128, 10, 29517


def _ddp_batch(rank):
    """The same ids as `ddp.rs`'s `batch(rank)`: a fixed pattern, no padding, labels i % 2."""
    n = DDP_BATCH * DDP_SEQ
    ids = torch.tensor(
        [1000 + ((rank * n + i) * 7919) % 29000 for i in range(n)], dtype=torch.int64
    ).reshape(DDP_BATCH, DDP_SEQ)
    mask = torch.ones_like(ids)
    labels = torch.tensor([i % 2 for i in range(DDP_BATCH)], dtype=torch.int64)
    return ids, mask, labels


def _ddp_step_times(rank, world):
    """Per-step seconds of the MiniLM training step on this process (1 thread), wrapped in
    `DistributedDataParallel` (gloo) when `world > 1`, after two warm-up steps."""
    import torch.distributed as dist
    from transformers import BertForSequenceClassification

    torch.set_num_threads(1)
    if world > 1:
        dist.init_process_group(
            "gloo", init_method=f"tcp://127.0.0.1:{DDP_PORT}", rank=rank, world_size=world
        )
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(_cache("minilm"), num_labels=2)
    model.train()
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    ids, mask, labels = _ddp_batch(rank)

    def step():
        out = model(input_ids=ids, attention_mask=mask, labels=labels)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    for _ in range(2):
        step()
    if world > 1:
        dist.barrier()
    times = []
    for _ in range(DDP_STEPS):
        t0 = time.perf_counter_ns()
        step()
        times.append(time.perf_counter_ns() - t0)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return times


def _ddp_worker(rank, world, results):
    times = _ddp_step_times(rank, world)
    if rank == 0:
        results.put(times)


def ddp_minilm_step(world):
    """Median per-step time of `world` processes x 1 thread (a global step: world x 16
    sequences)."""

    def measure():
        if world == 1:
            return statistics.median(_ddp_step_times(0, 1))
        import torch.multiprocessing as mp

        ctx = mp.get_context("spawn")
        results = ctx.SimpleQueue()
        mp.spawn(_ddp_worker, args=(world, results), nprocs=world, join=True)
        return statistics.median(results.get())

    return measure


# Workloads that time themselves (several processes): id -> function returning median ns.
SELF_TIMED = {
    "ddp/minilm_step/1x1": ddp_minilm_step(1),
    "ddp/minilm_step/2x1": ddp_minilm_step(2),
}

WORKLOADS = {
    "training/number_sum/10_epochs": number_sum,
    "training/fashion_mnist_mlp/epoch": fashion_mnist_epoch,
    "trainer/fashion_mnist_mlp/epoch": hf_trainer_epoch,
    "trainer/fashion_mnist_mlp/hand_loop": hand_loop_epoch,
}


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
    for bench_id, setup in WORKLOADS.items():
        if filters and not any(f in bench_id for f in filters):
            continue
        line = {"id": bench_id, "median_ns": float(time_workload(setup)), "reference": REFERENCE}
        print(json.dumps(line), flush=True)
    for bench_id, measure in SELF_TIMED.items():
        if filters and not any(f in bench_id for f in filters):
            continue
        line = {"id": bench_id, "median_ns": float(measure()), "reference": REFERENCE}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
