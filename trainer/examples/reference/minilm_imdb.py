"""PyTorch + transformers + scikit-learn side of the MiniLM examples, on the same reviews.

It draws exactly the sample the Rust examples draw (Kiln's xoshiro256++ generator and the
same Fisher-Yates shuffles, ported below), shuffles the training batches in the same order,
and runs the same recipes, so the accuracies and times can be read side by side:

    python trainer/examples/reference/minilm_imdb.py features 128   # bert_features_logreg
    python trainer/examples/reference/minilm_imdb.py features 256
    python trainer/examples/reference/minilm_imdb.py finetune       # finetune_minilm

Needs `cargo xtask fetch minilm imdb` and the reference venv of `../shared/DATA.md`
(made with torch 2.15.0, transformers 5.25.0, scikit-learn 1.8). Two threads, as the
benches.
"""

import json
import os
import sys
import time

import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

MASK = (1 << 64) - 1
CACHE = os.environ.get("KILN_CACHE", os.path.expanduser("~/.cache/kiln"))
MINILM = os.path.join(CACHE, "minilm")


class Generator:
    """kiln_tensor::Generator: xoshiro256++ seeded through splitmix64."""

    def __init__(self, seed):
        sm = seed
        state = []
        for _ in range(4):
            sm = (sm + 0x9E3779B97F4A7C15) & MASK
            z = sm
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    def next_u64(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def shuffle(items, g):
    for i in range(len(items) - 1, 0, -1):
        j = g.next_u64() % (i + 1)
        items[i], items[j] = items[j], items[i]


def balanced_sample(texts, labels, n_train, n_test, seed):
    """trainer/examples/common/minilm_imdb.rs `balanced_sample`."""
    g = Generator(seed)
    seen = set()
    train, test = [], []
    for cls in (0, 1):
        idx = [i for i, y in enumerate(labels) if y == cls]
        shuffle(idx, g)
        take_train = n_train // 2 if cls == 0 else n_train - n_train // 2
        take_test = n_test // 2 if cls == 0 else n_test - n_test // 2
        unique = []
        for i in idx:
            t = texts[i].replace("<br />", " ")
            if t not in seen:
                seen.add(t)
                unique.append(t)
                if len(unique) == take_train + take_test:
                    break
        train += [(t, cls) for t in unique[:take_train]]
        test += [(t, cls) for t in unique[take_train:]]
    shuffle(train, g)
    shuffle(test, g)
    return train, test


def load_sample(n_train=2000, n_test=1000, seed=42):
    with open(os.path.join(CACHE, "imdb", "reviews.json")) as f:
        reviews = json.load(f)
    return balanced_sample([r["t"] for r in reviews], [r["s"] for r in reviews], n_train, n_test, seed)


def length_sorted_batches(ids, batch_size):
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def padded(ids, rows):
    length = max(len(ids[r]) for r in rows)
    input_ids = torch.zeros(len(rows), length, dtype=torch.long)
    mask = torch.zeros(len(rows), length, dtype=torch.long)
    for b, r in enumerate(rows):
        input_ids[b, : len(ids[r])] = torch.tensor(ids[r])
        mask[b, : len(ids[r])] = 1
    return input_ids, mask


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).float()
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def features(max_length):
    train, test = load_sample()
    tok = AutoTokenizer.from_pretrained(MINILM)
    model = AutoModel.from_pretrained(MINILM).eval()
    start = time.perf_counter()

    def embed(texts):
        ids = tok(texts, truncation=True, max_length=max_length)["input_ids"]
        out = torch.zeros(len(ids), model.config.hidden_size)
        with torch.no_grad():
            for rows in length_sorted_batches(ids, 32):
                input_ids, mask = padded(ids, rows)
                h = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                out[rows] = torch.nn.functional.normalize(mean_pool(h, mask), dim=1)
        return out.numpy()

    x_train = embed([t for t, _ in train])
    x_test = embed([t for t, _ in test])
    encode = time.perf_counter() - start
    y_train = [y for _, y in train]
    y_test = [y for _, y in test]
    start = time.perf_counter()
    clf = LogisticRegression().fit(x_train, y_train)
    fit = time.perf_counter() - start
    p = clf.predict_proba(x_test)[:, 1]
    print(f"features max length {max_length}: encode {encode:.1f} s, fit {fit:.2f} s, "
          f"{clf.n_iter_[0]} iterations")
    print(f"held-out accuracy: {accuracy_score(y_test, p > 0.5):.4f}")
    print(f"held-out ROC AUC:  {roc_auc_score(y_test, p):.4f}")


class MeanPoolClassifier(torch.nn.Module):
    """The seeds' DAIGTModel: AutoModel + mean pooling + Linear."""

    def __init__(self):
        super().__init__()
        self.model = AutoModel.from_pretrained(MINILM, add_pooling_layer=False)
        self.classifier = torch.nn.Linear(self.model.config.hidden_size, 2)

    def forward(self, input_ids, attention_mask):
        h = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.classifier(mean_pool(h, attention_mask))


def finetune(batch_size=16, max_length=128, epochs=1, seed=42):
    train, test = load_sample(seed=seed)
    tok = AutoTokenizer.from_pretrained(MINILM)
    train_ids = tok([t for t, _ in train], truncation=True, max_length=max_length)["input_ids"]
    test_ids = tok([t for t, _ in test], truncation=True, max_length=max_length)["input_ids"]
    torch.manual_seed(seed)
    model = MeanPoolClassifier()
    no_decay = ("bias", "LayerNorm.weight")
    groups = []
    for prefix, lr in (("model.", 5e-5), ("classifier.", 1e-3)):
        named = [(n, p) for n, p in model.named_parameters() if n.startswith(prefix)]
        groups.append({"params": [p for n, p in named if not any(k in n for k in no_decay)],
                       "lr": lr, "weight_decay": 0.01})
        groups.append({"params": [p for n, p in named if any(k in n for k in no_decay)],
                       "lr": lr, "weight_decay": 0.0})
    optimizer = torch.optim.AdamW(groups, lr=5e-5)
    total = -(-len(train_ids) // batch_size) * epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.1 * total), total)
    g = Generator(seed)
    order = list(range(len(train_ids)))
    model.train()
    start = time.perf_counter()
    for _ in range(epochs):
        shuffle(order, g)
        for step, i in enumerate(range(0, len(order), batch_size), 1):
            rows = order[i : i + batch_size]
            input_ids, mask = padded(train_ids, rows)
            labels = torch.tensor([train[r][1] for r in rows])
            loss = torch.nn.functional.cross_entropy(model(input_ids, mask), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            if step % 10 == 0:
                print(f"step {step}/{total}: loss {loss.item():.4f}", flush=True)
    train_s = time.perf_counter() - start
    model.eval()
    p = torch.zeros(len(test_ids))
    start = time.perf_counter()
    with torch.no_grad():
        for rows in length_sorted_batches(test_ids, 64):
            input_ids, mask = padded(test_ids, rows)
            p[rows] = model(input_ids, mask).softmax(1)[:, 1]
    eval_s = time.perf_counter() - start
    y_test = [y for _, y in test]
    print(f"training: {total} steps in {train_s:.1f} s, {train_s / total:.2f} s per step")
    print(f"held-out evaluation: {eval_s:.1f} s")
    print(f"held-out accuracy: {accuracy_score(y_test, p > 0.5):.4f}")
    print(f"held-out ROC AUC:  {roc_auc_score(y_test, p.numpy()):.4f}")


if __name__ == "__main__":
    torch.set_num_threads(2)
    what = sys.argv[1] if len(sys.argv) > 1 else "finetune"
    if what == "features":
        features(int(sys.argv[2]) if len(sys.argv) > 2 else 128)
    elif what == "finetune":
        finetune()
    else:
        sys.exit(f"usage: {sys.argv[0]} features [MAX_LENGTH] | finetune")
