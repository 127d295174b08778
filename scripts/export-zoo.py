#!/usr/bin/python3
"""Exports the CNN families of tests/zoo.test.ts: mobile nets, grouped/separable convs, Inception,
ResNeXt, segmentation nets, a U-Net and 3-D ResNets, to run against onnxruntime-node.

Same scheme as scripts/export-models.py (the classic nets), which this script does not import so
that each keeps its own content hash:
- weights are SEEDED random (pretrained weights cannot be downloaded here; a comparison needs only
  the same weights on both sides); BatchNorm layers get non-trivial running statistics
  (calibrate_batchnorm) and Conv/Linear/ConvTranspose biases small random values, so that neither
  is a no-op;
- inputs are small, so that the whole test file runs in a few minutes on lavapipe (software
  Vulkan, 2 cores). Every net here ends in an adaptive pool to 1x1 (exported as
  GlobalAveragePool) or is fully convolutional, so no structure had to change for the small
  inputs;
- opset 13 (Resize with scales/sizes inputs, Split with a split input, Squeeze/Unsqueeze with
  axes inputs);
- the ONNX files go to a cache dir OUTSIDE the repo, $FOVEA_CACHE_DIR/zoo/<hash of this script>/
  (default ~/.cache/fovea), filled under a temporary name and renamed when complete, with
  manifest.json: [{name, file, input: {name, shape, dims}, output: {name, shape}, ...}].

Usage: /usr/bin/python3 scripts/export-zoo.py [--out DIR] [--print-dir] [--force] [--only NAME,...]
Needs python3-torch, python3-torchvision, python3-onnx (scripts/setup-system.sh installs them).
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torchvision

from export_common import default_out_dir, export_seeded, remove_stale_exports, write_exports
from torchvision.models.video.resnet import BasicBlock as VideoBasicBlock, Conv3DSimple

OPSET = 13


class SegmentationOut(nn.Module):
    """torchvision's segmentation models return {'out': ..., 'aux': ...}: export the 'out' map only."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


class SeparableConv2d(nn.Module):
    """Xception's separable convolution: a depthwise 3x3 (group = channels) then a pointwise 1x1."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class XceptionBlock(nn.Module):
    """An Xception block (Chollet 2017): [ReLU] -> SepConv -> BN repeated, ending in a 3x3 stride-2
    MaxPool when it downsamples, plus a skip that is a strided 1x1 Conv + BN when the shape changes,
    else the identity."""

    def __init__(self, cin: int, cout: int, reps: int, stride: int, start_with_relu: bool):
        super().__init__()
        layers = []
        c = cin
        for i in range(reps):
            if i > 0 or start_with_relu:
                layers.append(nn.ReLU(inplace=False))
            layers += [SeparableConv2d(c, cout), nn.BatchNorm2d(cout)]
            c = cout
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, padding=1))
        self.body = nn.Sequential(*layers)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return self.body(x) + (x if self.skip is None else self.skip(x))


class MiniXception(nn.Module):
    """Xception's structure at reduced width and depth: the entry flow's strided stem and three
    downsampling blocks, two middle-flow blocks (three ReLU-SepConv-BN each, identity skip), the
    exit flow's separable convs, global pooling and a classifier."""

    def __init__(self, num_classes: int = 100):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        )
        self.entry = nn.Sequential(
            XceptionBlock(32, 64, 2, 2, start_with_relu=False),
            XceptionBlock(64, 128, 2, 2, start_with_relu=True),
            XceptionBlock(128, 182, 2, 2, start_with_relu=True),
        )
        self.middle = nn.Sequential(*[XceptionBlock(182, 182, 3, 1, start_with_relu=True) for _ in range(2)])
        self.exit = nn.Sequential(
            XceptionBlock(182, 256, 2, 2, start_with_relu=True),
            SeparableConv2d(256, 384), nn.BatchNorm2d(384), nn.ReLU(),
            SeparableConv2d(384, 512), nn.BatchNorm2d(512), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.exit(self.middle(self.entry(self.stem(x))))
        return self.fc(torch.flatten(x, 1))


class DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        )


class UNet(nn.Module):
    """A small U-Net (Ronneberger et al. 2015, with padded convs and BatchNorm as is common today):
    three 2x MaxPool downsamplings, then 2x2 stride-2 ConvTranspose upsamplings, each
    concatenated (channel axis) with the encoder's feature map of the same size, and a 1x1 head."""

    def __init__(self, cin: int = 3, classes: int = 2, width: int = 16):
        super().__init__()
        w = [width, 2 * width, 4 * width, 8 * width]
        self.enc = nn.ModuleList([DoubleConv(cin, w[0]), DoubleConv(w[0], w[1]), DoubleConv(w[1], w[2])])
        self.bottom = DoubleConv(w[2], w[3])
        self.up = nn.ModuleList([nn.ConvTranspose2d(w[i + 1], w[i], 2, stride=2) for i in (2, 1, 0)])
        self.dec = nn.ModuleList([DoubleConv(2 * w[i], w[i]) for i in (2, 1, 0)])
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Conv2d(w[0], classes, 1)

    def forward(self, x):
        skips = []
        for enc in self.enc:
            x = enc(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottom(x)
        for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
            x = dec(torch.cat([up(x), skip], dim=1))
        return self.head(x)


class ResNet3dBlocks(nn.Module):
    """Two torchvision video-ResNet basic blocks (Conv3d 3x3x3 + BN3d + ReLU twice, residual add),
    the second one strided with a 1x1x1 Conv3d + BN3d downsample, then a global 3-D pool."""

    def __init__(self, c: int = 16):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(3, c, (3, 3, 3), padding=1, bias=False), nn.BatchNorm3d(c), nn.ReLU())
        down = nn.Sequential(nn.Conv3d(c, 2 * c, 1, stride=2, bias=False), nn.BatchNorm3d(2 * c))
        self.blocks = nn.Sequential(
            VideoBasicBlock(c, c, Conv3DSimple),
            VideoBasicBlock(c, 2 * c, Conv3DSimple, stride=2, downsample=down),
        )
        self.pool = nn.AdaptiveAvgPool3d(1)

    def forward(self, x):
        return torch.flatten(self.pool(self.blocks(self.stem(x))), 1)


tv = torchvision.models
seg = torchvision.models.segmentation

# name -> (builder(), input shape, notes)
MODELS = {
    "mobilenet_v2": (lambda: tv.mobilenet_v2(weights=None), [1, 3, 64, 64],
                     "torchvision MobileNet V2 (inverted residuals, depthwise convs, ReLU6 = Clip)"),
    "mobilenet_v3_small": (lambda: tv.mobilenet_v3_small(weights=None), [1, 3, 64, 64],
                           "torchvision MobileNet V3 small (SE blocks: GlobalAveragePool -> Conv -> Relu -> Conv -> HardSigmoid -> Mul; HardSwish)"),
    "mobilenet_v3_large": (lambda: tv.mobilenet_v3_large(weights=None), [1, 3, 64, 64],
                           "torchvision MobileNet V3 large (SE blocks, HardSwish)"),
    "shufflenet_v2_x1_0": (lambda: tv.shufflenet_v2_x1_0(weights=None), [1, 3, 64, 64],
                           "torchvision ShuffleNet V2 1.0x (chunk = Split, channel shuffle = Reshape -> Transpose -> Reshape)"),
    "efficientnet_b0": (lambda: tv.efficientnet_b0(weights=None), [1, 3, 64, 64],
                        "torchvision EfficientNet-B0 (SiLU = Sigmoid * x, SE blocks with SiLU/Sigmoid)"),
    "mnasnet1_0": (lambda: tv.mnasnet1_0(weights=None), [1, 3, 64, 64],
                   "torchvision MNASNet 1.0 (5x5 depthwise convs, mean over H, W = ReduceMean)"),
    "regnet_x_400mf": (lambda: tv.regnet_x_400mf(weights=None), [1, 3, 64, 64],
                       "torchvision RegNetX-400MF (grouped 3x3 convs, group width 16)"),
    "regnet_y_400mf": (lambda: tv.regnet_y_400mf(weights=None), [1, 3, 64, 64],
                       "torchvision RegNetY-400MF (grouped convs + SE with Sigmoid)"),
    "xception_mini": (lambda: MiniXception(), [1, 3, 96, 96],
                      "Xception-style net built here: separable convs (depthwise + pointwise), strided MaxPool, 1x1 strided skips"),
    "inception_v3": (lambda: tv.inception_v3(weights=None, aux_logits=False, init_weights=True), [1, 3, 75, 75],
                     "torchvision Inception V3 (aux_logits=False, init_weights=True; 75x75 is its smallest valid input): 1x7/7x1 convs, AveragePool count_include_pad, Concat"),
    "resnext50_32x4d": (lambda: tv.resnext50_32x4d(weights=None), [1, 3, 64, 64],
                        "torchvision ResNeXt-50 32x4d (grouped 3x3 convs, 32 groups)"),
    "fcn_resnet50": (lambda: SegmentationOut(seg.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=None)), [1, 3, 64, 64],
                     "torchvision FCN ResNet-50 (dilated layer3/4, output stride 8, bilinear Resize to the input size), 21 classes"),
    "deeplabv3_resnet50": (lambda: SegmentationOut(seg.deeplabv3_resnet50(weights=None, weights_backbone=None, aux_loss=None)), [1, 3, 64, 64],
                           "torchvision DeepLabV3 ResNet-50 (ASPP: dilations 12/24/36 + image pooling branch, Resize)"),
    "deeplabv3_mobilenet_v3_large": (
        lambda: SegmentationOut(seg.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None, aux_loss=None)), [1, 3, 96, 96],
        "torchvision DeepLabV3 MobileNet V3 large (dilated depthwise convs, ASPP, Resize)"),
    "lraspp_mobilenet_v3_large": (
        lambda: SegmentationOut(seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None)), [1, 3, 96, 96],
        "torchvision LR-ASPP MobileNet V3 large (Sigmoid attention branch, bilinear Resize of the low-res map)"),
    "unet": (lambda: UNet(), [1, 3, 64, 64],
             "small U-Net built here: 3 MaxPool downsamplings, ConvTranspose 2x2/2 upsamplings concatenated with the skips"),
    "resnet3d_blocks": (lambda: ResNet3dBlocks(), [1, 3, 4, 16, 16],
                        "two torchvision video-ResNet basic blocks (Conv3d + BatchNorm3d + ReLU, residual add, strided 1x1x1 downsample)"),
    "r3d_18": (lambda: tv.video.r3d_18(weights=None), [1, 3, 4, 32, 32],
               "torchvision R3D-18 (3-D ResNet-18, Conv3d throughout) on a 4-frame 32x32 clip"),
}


def export_one(name: str, out_dir: str, seed: int) -> dict:
    build, in_shape, notes = MODELS[name]
    bias_types = (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.Linear)
    # BatchNorm calibration batches of 2 at least: BatchNorm after a global pool (DeepLab's ASPP
    # pooling) needs more than one value per channel.
    return export_seeded("export-zoo", name, build, in_shape, out_dir, seed, notes, OPSET, bias_types, 2, {})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="output dir (default: $FOVEA_CACHE_DIR/zoo/<script hash>)")
    ap.add_argument("--print-dir", action="store_true", help="print the default output dir and exit")
    ap.add_argument("--force", action="store_true", help="re-export even if the manifest exists")
    ap.add_argument("--only", help="comma-separated model names (for debugging; needs --out)")
    args = ap.parse_args()
    out_dir = os.path.abspath(args.out or default_out_dir("zoo", __file__))
    if args.print_dir:
        print(out_dir)
        return 0
    names = list(MODELS)
    if args.only:
        if not args.out:
            ap.error("--only writes a partial manifest: give it an --out dir")
        names = args.only.split(",")
        unknown = [n for n in names if n not in MODELS]
        if unknown:
            ap.error(f"unknown model(s) {unknown}; known: {list(MODELS)}")
    manifest_path = os.path.join(out_dir, "manifest.json")
    if os.path.exists(manifest_path) and not args.force:
        print(f"[export-zoo] up to date: {manifest_path}")
        return 0

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    # Seeds follow the position in MODELS, so --only exports the same weights as a full run.

    def export_all(tmp: str) -> list:
        return [export_one(name, tmp, seed=2000 + list(MODELS).index(name)) for name in names]

    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    write_exports(__file__, out_dir, args.force, export_all, versions)
    if not args.out:
        remove_stale_exports(__file__, out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
