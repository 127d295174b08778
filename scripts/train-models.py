#!/usr/bin/python3
"""Trains the demo's ResNet-, MobileNet- and VGG-style classifiers on Fashion-MNIST, exported to ONNX.

The LeNet-5 has its own script (scripts/train-lenet.py); these three are the small cousins of the
ImageNet families Fovea targets, with the ops those use: residual Adds (identity and 1x1
projection shortcuts), depthwise-separable convolutions with ReLU6 (Clip), stacked 3x3 convs with
max pooling and a dropout MLP head, BatchNormalization (folded into the convs at export), and, for
ResNet and MobileNet, global average pooling + one linear layer: the shape class activation maps
(CAM) need, which the demo draws.

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/*.gz; scripts/setup-system.sh
installs it). CPU-cheap on purpose (2 threads, a few epochs of AdamW with a one-cycle learning rate,
a few million multiply-adds per image): each model takes minutes, and each reaches >= 91% test
accuracy (the script fails otherwise).

Writes, per model NAME in resnet-fashion, mobilenet-fashion, vgg-fashion (well under 1 MB each):
  demo/public/models/NAME.onnx   input "input" [batch,1,28,28] float32 (batch is a free dim),
                                 output "logits" [batch,10]
  demo/public/models/NAME.json   as scripts/train-lenet.py writes for the LeNet-5: labels,
      preprocessing (x = (pixel / 255 - mean) / std), PyTorch's test accuracy, and sample test
      images (the first of each class, then the first this model gets wrong) with their label and
      PyTorch's logits and top-1.
and e2e/fixtures/fashion-test-500.json: the first 500 test images (base64 of 500x784 uint8,
row-major), their labels, and each model's PyTorch top-1 and accuracy on them, for the browser
accuracy test (e2e/browser.test.ts).

Usage: /usr/bin/python3 scripts/train-models.py [--models resnet,mobilenet,vgg] [--epochs N]
                                                [--data DIR] [--out DIR] [--fixtures DIR]
"""
import argparse
import base64
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
TARGET_ACCURACY = 0.91
ACCURACY_IMAGES = 500


def read_idx(path: str, header: int) -> np.ndarray:
    # IDX format: big-endian header (magic, dims), then unsigned bytes.
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(data_dir: str, split: str):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), 16).reshape(-1, 28, 28)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), 8)
    return images, labels


def conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    """ResNet's basic block: two 3x3 conv-BN, the shortcut added before the last ReLU; a strided
    1x1 conv-BN projection when the shape changes, else the identity."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride)
        self.conv2 = conv_bn(cout, cout, 3)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(y + self.shortcut(x))


class ResNetSmall(nn.Module):
    """A ResNet for 28x28: 3x3 stem, then basic blocks at 14x14 (24 ch) and 7x7 (48 ch, a
    projection then an identity block), global average pooling and one linear layer.
    About 5.5 M multiply-adds per image."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16)
        self.layer1 = BasicBlock(16, 24, 2)
        self.layer2 = BasicBlock(24, 48, 2)
        self.layer3 = BasicBlock(48, 48, 1)
        self.fc = nn.Linear(48, 10)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class DepthwiseSeparable(nn.Module):
    """MobileNet v1's unit: a 3x3 depthwise conv-BN-ReLU6, then a 1x1 pointwise conv-BN-ReLU6."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.dw = conv_bn(cin, cin, 3, stride, groups=cin)
        self.pw = conv_bn(cin, cout, 1)

    def forward(self, x):
        return F.relu6(self.pw(F.relu6(self.dw(x))))


class MobileNetSmall(nn.Module):
    """A MobileNet v1 for 28x28: a 3x3 stem, five depthwise-separable units (16 -> 128 channels,
    28 -> 7 pixels), global average pooling, dropout and one linear layer. About 3.3 M
    multiply-adds per image."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16)
        self.features = nn.Sequential(
            DepthwiseSeparable(16, 32, 1),
            DepthwiseSeparable(32, 64, 2),
            DepthwiseSeparable(64, 64, 1),
            DepthwiseSeparable(64, 128, 2),
            DepthwiseSeparable(128, 128, 1),
        )
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.features(F.relu6(self.stem(x)))
        return self.fc(self.dropout(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)))


class VGGSmall(nn.Module):
    """A VGG for 28x28: pairs of 3x3 conv-BN-ReLU then 2x2 max pooling (16, 32 channels), one
    more conv (64) and pooling to 3x3, then VGG's classifier: flatten, a 128-wide hidden layer
    with dropout, and the output layer. About 5.6 M multiply-adds per image."""

    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return [conv_bn(cin, cout), nn.ReLU(inplace=True)]

        self.features = nn.Sequential(
            *block(1, 16), *block(16, 16), nn.MaxPool2d(2),    # 28 -> 14
            *block(16, 32), *block(32, 32), nn.MaxPool2d(2),  # 14 -> 7
            *block(32, 64), nn.MaxPool2d(2),                  # 7 -> 3
        )
        self.classifier = nn.Sequential(nn.Linear(64 * 3 * 3, 128), nn.ReLU(inplace=True), nn.Dropout(0.3), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


MODELS = {
    "resnet": ("resnet-fashion", ResNetSmall, "ResNet-style: basic residual blocks, global average pooling + linear"),
    "mobilenet": ("mobilenet-fashion", MobileNetSmall, "MobileNet-style: depthwise-separable convolutions, ReLU6, global average pooling + linear"),
    "vgg": ("vgg-fashion", VGGSmall, "VGG-style: stacked 3x3 convolutions, max pooling, MLP classifier"),
}


def evaluate(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)])


def train(model: nn.Module, xtr, ytr, epochs: int, tag: str) -> None:
    batch = 128
    steps = (len(xtr) + batch - 1) // batch
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=epochs * steps, pct_start=0.25)
    gen = torch.Generator().manual_seed(0)
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(steps):
            idx = perm[i * batch:(i + 1) * batch]
            xb = xtr[idx]
            # Horizontal flips: clothes are (nearly) mirror-symmetric; cheap extra data for the
            # deeper nets, which otherwise start to overfit within a few epochs.
            flip = torch.rand(len(idx), generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), ytr[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"[{tag}] epoch {epoch + 1}/{epochs}: loss {total / steps:.4f} ({time.time() - t0:.0f} s)", flush=True)


def write_json(path: str, meta: dict, samples: list) -> None:
    # One sample per line keeps the file readable and its diffs small.
    head = json.dumps(meta, indent=1)[:-2]
    body = ",\n  ".join(json.dumps(s, separators=(",", ":")) for s in samples)
    with open(path, "w") as f:
        f.write(f'{head},\n "samples": [\n  {body}\n ]\n}}\n')


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="resnet,mobilenet,vgg")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default=os.path.join(REPO, "demo", "public", "models"))
    ap.add_argument("--fixtures", default=os.path.join(REPO, "e2e", "fixtures"))
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.data, "train-images-idx3-ubyte.gz")):
        print(f"Fashion-MNIST not found in {args.data}: apt-get install -y dataset-fashion-mnist "
              "(scripts/setup-system.sh does it)", file=sys.stderr)
        return 1
    keys = [k.strip() for k in args.models.split(",") if k.strip()]
    for k in keys:
        if k not in MODELS:
            print(f"unknown model {k!r}: choose from {', '.join(MODELS)}", file=sys.stderr)
            return 1

    torch.set_num_threads(args.threads)
    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    # Normalisation statistics of the training set (the LeNet-5's too), shipped in the JSON.
    mean = float(train_x.mean() / 255.0)
    std = float(train_x.std() / 255.0)

    def tensor(images):
        return ((torch.from_numpy(images.astype(np.float32)) / 255.0 - mean) / std).unsqueeze(1)

    xtr, ytr = tensor(train_x), torch.from_numpy(train_y.astype(np.int64))
    xte, yte = tensor(test_x), torch.from_numpy(test_y.astype(np.int64))
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.fixtures, exist_ok=True)

    fixture_path = os.path.join(args.fixtures, "fashion-test-500.json")
    fixture = {
        "about": "The first 500 Fashion-MNIST test images and PyTorch's top-1 per model (scripts/train-models.py)",
        "count": ACCURACY_IMAGES,
        "labels": [int(v) for v in test_y[:ACCURACY_IMAGES]],
        "pixels": base64.b64encode(np.ascontiguousarray(test_x[:ACCURACY_IMAGES]).tobytes()).decode("ascii"),
        "models": {},
    }
    if os.path.exists(fixture_path):
        with open(fixture_path) as f:
            old = json.load(f)
        if old.get("labels") == fixture["labels"]:
            fixture["models"] = old.get("models", {})

    failed = []
    for key in keys:
        name, ctor, description = MODELS[key]
        torch.manual_seed(0)
        model = ctor()
        params = sum(p.numel() for p in model.parameters())
        print(f"[{name}] {params} parameters, {args.epochs} epochs", flush=True)
        t0 = time.time()
        train(model, xtr, ytr, args.epochs, name)
        logits = evaluate(model, xte)
        pred = logits.argmax(1)
        accuracy = float((pred == yte).float().mean())
        print(f"[{name}] test accuracy {accuracy * 100:.2f}% ({time.time() - t0:.0f} s in all)", flush=True)
        if accuracy < TARGET_ACCURACY:
            failed.append(f"{name}: {accuracy * 100:.2f}%")

        onnx_path = os.path.join(args.out, f"{name}.onnx")
        torch.onnx.export(model, xte[:1], onnx_path, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        onnx.checker.check_model(onnx.load(onnx_path))

        picks = [int(np.nonzero(test_y == c)[0][0]) for c in range(len(LABELS))]
        picks.append(int(np.nonzero((pred != yte).numpy())[0][0]))
        samples = [{
            "index": i,
            "label": int(test_y[i]),
            "top1": int(pred[i]),
            "logits": [round(float(v), 6) for v in logits[i]],
            "pixels": [int(p) for p in test_x[i].reshape(-1)],
        } for i in picks]
        meta = {
            "model": f"{name}.onnx",
            "architecture": description,
            "parameters": params,
            "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)",
            "input": {"name": "input", "shape": ["batch", 1, 28, 28]},
            "output": {"name": "logits", "shape": ["batch", 10]},
            "preprocess": "x = (pixel / 255 - mean) / std",
            "mean": round(mean, 6),
            "std": round(std, 6),
            "labels": LABELS,
            "epochs": args.epochs,
            "testAccuracy": round(accuracy, 4),
        }
        write_json(os.path.join(args.out, f"{name}.json"), meta, samples)
        head = pred[:ACCURACY_IMAGES]
        fixture["models"][name] = {
            "top1": [int(v) for v in head],
            "accuracy": round(float((head == yte[:ACCURACY_IMAGES]).float().mean()), 4),
        }
        print(f"[{name}] wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e3:.0f} KB) and {name}.json", flush=True)

    with open(fixture_path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {fixture_path}")
    if failed:
        print(f"below the {TARGET_ACCURACY * 100:.0f}% target: {'; '.join(failed)} (train longer: --epochs)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
