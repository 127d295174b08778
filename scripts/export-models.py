#!/usr/bin/python3
"""Exports the classic CNNs that tests/models.test.ts runs against onnxruntime-node.

Weights are SEEDED random (torch.manual_seed): pretrained weights cannot be downloaded here, and
a whole-model test only needs the same weights on both sides. BatchNorm layers get non-trivial
running statistics (see calibrate_batchnorm) so that the BatchNorm arithmetic is really tested;
the exporter folds a BatchNorm that follows a Conv into the Conv's weights (eval mode), so
BatchNormalization nodes remain where BN comes first (DenseNet-121's 62 pre-activation BNs).
Conv/Linear biases get small random values too (torchvision zero-initialises most of them).

Inputs are small so that the whole test file runs in a few minutes on lavapipe (software Vulkan,
2 cores). Where torchvision's fixed AdaptiveAvgPool2d((6, 6)) / ((7, 7)) cannot be exported at a
small input (the ONNX exporter only handles adaptive pools whose output divides the input), the
pool is replaced by nn.Identity and the first classifier Linear takes the smaller flattened
feature map; everything else is torchvision's structure. See MODELS below for each model's notes.

The ONNX files (ResNet-50 alone is ~100 MB, AlexNet's classifier ~100 MB) go to a cache dir
OUTSIDE the repo: $FOVEA_CACHE_DIR/models/<hash of this script>/ (default ~/.cache/fovea), so a
changed script re-exports. The dir is filled under a temporary name and renamed when complete,
and holds manifest.json: [{name, file, input: {name, shape}, output: {name, shape}, ...}].

Usage: /usr/bin/python3 scripts/export-models.py [--out DIR] [--print-dir] [--force]
Needs python3-torch, python3-torchvision, python3-onnx (scripts/setup-system.sh installs them).
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torchvision

from export_common import default_out_dir, export_seeded, remove_stale_exports, write_exports
from torchvision.models.vgg import VGG, make_layers

OPSET = 13


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998) in its common modern form: tanh and average pooling, with the
    flatten written as x.view(x.size(0), -1) as classic code does, so that the exporter emits a
    Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain (folded away unless
    do_constant_folding=False)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.s2 = nn.AvgPool2d(2)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.s4 = nn.AvgPool2d(2)
        self.f5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.f7 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.s2(torch.tanh(self.c1(x)))
        x = self.s4(torch.tanh(self.c3(x)))
        x = x.view(x.size(0), -1)
        x = torch.tanh(self.f5(x))
        x = torch.tanh(self.f6(x))
        return self.f7(x)


def feature_hw(features: nn.Module, in_shape) -> tuple:
    with torch.no_grad():
        y = features(torch.zeros(*in_shape))
    return y.shape[1], y.shape[2], y.shape[3]


def alexnet(in_shape):
    """torchvision AlexNet. At 95x95 the feature extractor ends at 256x2x2 (224x224 would be the
    smallest input giving torchvision's 6x6, ~4x the work); the AdaptiveAvgPool2d((6, 6)) cannot
    be exported from 2x2, so it becomes nn.Identity and the first Linear is 1024 -> 4096. The
    4096-wide classifier (Dropout -> Linear -> ReLU twice, then Linear -> 1000) is kept."""
    m = torchvision.models.alexnet(weights=None)
    c, h, w = feature_hw(m.features, in_shape)
    m.avgpool = nn.Identity()
    m.classifier[1] = nn.Linear(c * h * w, 4096)
    return m


# torchvision's VGG configurations "A" (VGG-11: 8 convs) and "D" (VGG-16: 13 convs), with every
# width divided by VGG_WIDTH_DIVISOR to keep the test fast on a software GPU.
VGG_CFGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
}
VGG_WIDTH_DIVISOR = 2
VGG_HIDDEN = 1024


def vgg(cfg_name, in_shape):
    """torchvision VGG structure (conv3x3+ReLU stacks, 5 max pools, 3 Linear layers with ReLU and
    Dropout) at half the width and a 1024-wide classifier. At 64x64 the features end at
    2x2, so torchvision's AdaptiveAvgPool2d((7, 7)) becomes nn.Identity."""
    cfg = [v if v == "M" else v // VGG_WIDTH_DIVISOR for v in VGG_CFGS[cfg_name]]
    m = VGG(make_layers(cfg, batch_norm=False), num_classes=1000, init_weights=True)
    c, h, w = feature_hw(m.features, in_shape)
    m.avgpool = nn.Identity()
    m.classifier = nn.Sequential(
        nn.Linear(c * h * w, VGG_HIDDEN), nn.ReLU(True), nn.Dropout(),
        nn.Linear(VGG_HIDDEN, VGG_HIDDEN), nn.ReLU(True), nn.Dropout(),
        nn.Linear(VGG_HIDDEN, 1000),
    )
    # torchvision's VGG init for the new Linear layers: normal(0, 0.01) (biases are randomised later).
    for layer in m.classifier:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0, 0.01)
    return m


# name -> (builder(in_shape), input shape, notes, export options)
MODELS = {
    "lenet5": (lambda s: LeNet5(), [1, 1, 28, 28], "LeNet-5 (tanh, average pooling)", {}),
    "lenet5-nofold": (
        lambda s: LeNet5(), [2, 1, 28, 28],
        "LeNet-5 with a free batch dim, exported with do_constant_folding=False: keeps the "
        "Shape/Gather/Unsqueeze/Concat chain before Reshape (with static shapes the exporter would "
        "turn even an unfolded x.size(0) into a Constant)",
        {"do_constant_folding": False, "dynamic_axes": {"input": {0: "batch"}, "output": {0: "batch"}}},
    ),
    "alexnet": (alexnet, [1, 3, 95, 95], "torchvision AlexNet, avgpool -> Identity (2x2 features), classifier 1024->4096->4096->1000", {}),
    "vgg11": (lambda s: vgg("A", s), [1, 3, 64, 64], "torchvision VGG-11 structure, width/2, avgpool -> Identity, classifier 1024->1024->1024->1000", {}),
    "vgg16": (lambda s: vgg("D", s), [1, 3, 64, 64], "torchvision VGG-16 structure (13 convs, 3 FC), width/2, avgpool -> Identity, classifier 1024->1024->1024->1000", {}),
    "resnet18": (lambda s: torchvision.models.resnet18(weights=None), [1, 3, 64, 64], "torchvision ResNet-18", {}),
    "resnet50": (lambda s: torchvision.models.resnet50(weights=None), [1, 3, 64, 64], "torchvision ResNet-50", {}),
    "squeezenet1_0": (
        lambda s: torchvision.models.squeezenet1_0(weights=None), [1, 3, 65, 65],
        "torchvision SqueezeNet 1.0; 65x65 so that MaxPool ceil_mode=True changes output sizes; keeps "
        "torchvision's zero biases, which the exporter deduplicates into Identity nodes on initializers",
        {"keep_zero_biases": True},
    ),
    "squeezenet1_1": (
        lambda s: torchvision.models.squeezenet1_1(weights=None), [1, 3, 65, 65],
        "torchvision SqueezeNet 1.1; 65x65 so that MaxPool ceil_mode=True changes output sizes", {},
    ),
    "googlenet": (
        lambda s: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True, transform_input=False),
        [1, 3, 64, 64], "torchvision GoogLeNet (aux_logits=False, init_weights=True, transform_input=False)", {},
    ),
    "densenet121": (lambda s: torchvision.models.densenet121(weights=None), [1, 3, 64, 64], "torchvision DenseNet-121", {}),
}


def export_one(name: str, out_dir: str, seed: int) -> dict:
    build, in_shape, notes, opts = MODELS[name]
    opts = dict(opts)
    bias_types = () if opts.pop("keep_zero_biases", False) else (nn.Conv2d, nn.Linear)
    return export_seeded("export-models", name, lambda: build(in_shape), in_shape, out_dir, seed, notes, OPSET, bias_types, 4, opts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="output dir (default: $FOVEA_CACHE_DIR/models/<script hash>)")
    ap.add_argument("--print-dir", action="store_true", help="print the default output dir and exit")
    ap.add_argument("--force", action="store_true", help="re-export even if the manifest exists")
    args = ap.parse_args()
    out_dir = os.path.abspath(args.out or default_out_dir("models", __file__))
    if args.print_dir:
        print(out_dir)
        return 0
    manifest_path = os.path.join(out_dir, "manifest.json")
    if os.path.exists(manifest_path) and not args.force:
        print(f"[export-models] up to date: {manifest_path}")
        return 0

    torch.set_num_threads(max(1, os.cpu_count() or 1))

    def export_all(tmp: str) -> list:
        return [export_one(name, tmp, seed=1000 + i) for i, name in enumerate(MODELS)]

    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    write_exports(__file__, out_dir, args.force, export_all, versions)
    if not args.out:
        remove_stale_exports(__file__, out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
