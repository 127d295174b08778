#!/usr/bin/python3
"""Exports the zoo's U-Net (scripts/export-zoo.py) at its native segmentation size, 1024x1024, with
width 32: the decoder's last Concat is a 64-channel 1024^2 map, 256 MiB in float32 — above
lavapipe's 128 MiB maxStorageBufferBindingSize — for the precision benchmark (bench/precision.ts)
and the large-activation tests. Seeded weights, same scheme as the zoo (export_common.export_seeded).

Usage: /usr/bin/python3 scripts/export-unet-1024.py OUT_DIR   (writes OUT_DIR/unet1024.onnx)
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
spec = importlib.util.spec_from_file_location("export_zoo", os.path.join(HERE, "export-zoo.py"))
zoo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zoo)
from export_common import export_seeded  # noqa: E402


def main() -> int:
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    export_seeded("unet1024", "unet1024", lambda: zoo.UNet(width=32), [1, 3, 1024, 1024], out, seed=1024,
                  notes="zoo U-Net, width 32, at 1024x1024", opset=13, bias_types=(zoo.nn.Conv2d, zoo.nn.ConvTranspose2d),
                  bn_batch=2, export_options={})
    return 0


if __name__ == "__main__":
    sys.exit(main())
