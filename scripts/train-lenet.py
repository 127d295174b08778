#!/usr/bin/python3
"""Trains the demo's default model: a LeNet-5 on Fashion-MNIST, exported to ONNX.

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/*.gz; scripts/setup-system.sh
installs it). A few epochs of Adam with a one-cycle learning rate take well under 3 minutes on 2
CPU cores and reach about 90% test accuracy.

Writes (commit-sized, ~250 KB):
  demo/public/models/lenet5-fashion.onnx   input "input" [1,1,28,28] float32, output "logits" [1,10]
  demo/public/models/lenet5-fashion.json   labels, preprocessing (x = (pixel / 255 - mean) / std),
      PyTorch's test accuracy, and sample test images (one per class, plus one PyTorch gets wrong:
      784 uint8 pixels, row-major) with their label and PyTorch's logits and top-1, which
      tests/models.test.ts checks Fovea against.

Usage: /usr/bin/python3 scripts/train-lenet.py [--epochs N] [--data DIR] [--out DIR]
"""
import argparse
import gzip
import json
import os
import sys
import time

# Idle OpenMP threads sleep instead of spinning: with other processes on the 2 cores, spinning
# threads slow training several-fold.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_idx(path: str, header: int) -> np.ndarray:
    # IDX format: big-endian header (magic, dims), then unsigned bytes.
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(data_dir: str, split: str):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), 8)
    return images, labels


class LeNet5(nn.Module):
    """LeNet-5's layout (conv5x5 6 -> pool -> conv5x5 16 -> pool -> 120 -> 84 -> 10) with the
    modern ReLU and max pooling, which train faster than the original tanh/average pooling."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default=os.path.join(REPO, "demo", "public", "models"))
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.data, "train-images-idx3-ubyte.gz")):
        print(f"Fashion-MNIST not found in {args.data}: apt-get install -y dataset-fashion-mnist "
              "(scripts/setup-system.sh does it)", file=sys.stderr)
        return 1

    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    # Normalisation statistics of the training set, shipped in the JSON for the demo to apply.
    mean = float(train_x.mean() / 255.0)
    std = float(train_x.std() / 255.0)

    def tensor(images):
        return ((torch.from_numpy(images.astype(np.float32)) / 255.0 - mean) / std).unsqueeze(1)

    xtr, ytr = tensor(train_x), torch.from_numpy(train_y.astype(np.int64))
    xte, yte = tensor(test_x), torch.from_numpy(test_y.astype(np.int64))

    model = LeNet5()
    batch = 128
    steps = (len(xtr) + batch - 1) // batch
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * steps)
    gen = torch.Generator().manual_seed(0)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(steps):
            idx = perm[i * batch:(i + 1) * batch]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"[train-lenet] epoch {epoch + 1}/{args.epochs}: loss {total / steps:.4f} ({time.time() - t0:.0f} s)", flush=True)

    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(xte[i:i + 1000]) for i in range(0, len(xte), 1000)])
    pred = logits.argmax(1)
    accuracy = float((pred == yte).float().mean())
    print(f"[train-lenet] test accuracy {accuracy * 100:.2f}% ({time.time() - t0:.0f} s in all)")

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "lenet5-fashion.onnx")
    torch.onnx.export(model, xte[:1], onnx_path, opset_version=13, input_names=["input"], output_names=["logits"])
    onnx.checker.check_model(onnx.load(onnx_path))

    # One sample per class (the first test image of each label, in label order), then the first
    # test image PyTorch misclassifies: Fovea must reproduce the model's mistakes too.
    picks = [int(np.nonzero(test_y == c)[0][0]) for c in range(len(LABELS))]
    picks.append(int(np.nonzero((pred != yte).numpy())[0][0]))
    samples = []
    for i in picks:
        samples.append({
            "index": i,
            "label": int(test_y[i]),
            "top1": int(pred[i]),
            "logits": [round(float(v), 6) for v in logits[i]],
            "pixels": [int(p) for p in test_x[i].reshape(-1)],
        })
    meta = {
        "model": "lenet5-fashion.onnx",
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)",
        "input": {"name": "input", "shape": [1, 1, 28, 28]},
        "output": {"name": "logits", "shape": [1, 10]},
        "preprocess": "x = (pixel / 255 - mean) / std",
        "mean": round(mean, 6),
        "std": round(std, 6),
        "labels": LABELS,
        "epochs": args.epochs,
        "testAccuracy": round(accuracy, 4),
        "samples": samples,
    }
    # One sample per line keeps the file readable and its diffs small.
    head = json.dumps({k: v for k, v in meta.items() if k != "samples"}, indent=1)[:-2]
    body = ",\n  ".join(json.dumps(s, separators=(",", ":")) for s in samples)
    with open(os.path.join(args.out, "lenet5-fashion.json"), "w") as f:
        f.write(f'{head},\n "samples": [\n  {body}\n ]\n}}\n')
    print(f"[train-lenet] wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e3:.0f} KB) and lenet5-fashion.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
