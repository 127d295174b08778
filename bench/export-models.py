"""Exports the benchmark models (torchvision architectures, seeded random weights: no hub is
reachable) to ONNX at 224x224, batch 1, into a cache dir outside the repo.
Usage: /usr/bin/python3 bench/export-models.py OUT_DIR [name ...]"""
import os
import sys

import torch
import torchvision

MODELS = {
    "squeezenet1_1": lambda: torchvision.models.squeezenet1_1(),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(),
    "resnet18": lambda: torchvision.models.resnet18(),
    "resnet50": lambda: torchvision.models.resnet50(),
    "vgg16": lambda: torchvision.models.vgg16(),
    "densenet121": lambda: torchvision.models.densenet121(),
    "googlenet": lambda: torchvision.models.googlenet(aux_logits=False, init_weights=True),
}


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        path = os.path.join(out, f"{name}.onnx")
        if os.path.exists(path):
            continue
        torch.manual_seed(0)
        model = MODELS[name]().eval()
        x = torch.randn(1, 3, 224, 224)
        tmp = path + ".tmp"
        torch.onnx.export(model, x, tmp, input_names=["input"], output_names=["output"], opset_version=13)
        os.replace(tmp, path)
        print(f"exported {name} -> {path}", flush=True)


if __name__ == "__main__":
    main()
