"""What scripts/export-models.py and scripts/export-zoo.py share: seeded weights that exercise
every path (random biases, calibrated BatchNorm statistics) and the model cache.

Exports live in $FOVEA_CACHE_DIR (default ~/.cache/fovea)/<subdir>/<hash>, the hash being that of
the export script and of this module (tests/util/exported-models.ts computes the same): a changed
script or cache rule exports anew, and older exports of the same script are removed.
(A Python module: imported by name, hence the underscore.)
"""
import hashlib
import json
import os
import shutil
import time

import onnx
import torch
import torch.nn as nn


def calibrate_batchnorm(model: nn.Module, in_shape, gen: torch.Generator, batch: int) -> int:
    """Gives every BatchNorm non-trivial eval-mode statistics. Purely random running stats make deep
    nets explode or vanish, so: estimate them from `batch`-sized random batches (train mode,
    cumulative average), then perturb them (mean shifted by ~0.2 std, var scaled by 0.5..2) and
    randomise the affine weight/bias, so that BN is neither the identity nor a no-op normaliser."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return 0
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative moving average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(batch, *in_shape[1:], generator=gen))
    model.eval()
    with torch.no_grad():
        for bn in bns:
            std = bn.running_var.sqrt()
            bn.running_mean += 0.2 * std * torch.randn(bn.running_mean.shape, generator=gen)
            bn.running_var *= torch.empty(bn.running_var.shape).uniform_(0.5, 2.0, generator=gen)
            if bn.affine:
                bn.weight.copy_(torch.empty(bn.weight.shape).uniform_(0.5, 1.5, generator=gen))
                bn.bias.copy_(0.1 * torch.randn(bn.bias.shape, generator=gen))
    return len(bns)


def randomize_biases(model: nn.Module, gen: torch.Generator, types: tuple) -> None:
    """torchvision initialises most Conv/Linear biases to zero, which would leave the bias path of
    Conv and Gemm untested: give the biases of modules of `types` small seeded random values."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, types) and m.bias is not None:
                m.bias.copy_(0.05 * torch.randn(m.bias.shape, generator=gen))


def declared_dims(value_info) -> list:
    return [d.dim_param if d.dim_param else d.dim_value for d in value_info.type.tensor_type.shape.dim]


def export_seeded(tag: str, name: str, build, in_shape, out_dir: str, seed: int, notes: str, opset: int,
                  bias_types: tuple, bn_batch: int, export_options: dict) -> dict:
    """Builds a model with seeded weights (build() after torch.manual_seed(seed); biases of
    `bias_types` randomised unless empty; BatchNorm calibrated on `bn_batch`-sized batches), exports
    it to out_dir/<name>.onnx in eval mode, checks it, and returns its manifest entry."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = build()
    if bias_types:
        randomize_biases(model, gen, bias_types)
    n_bn = calibrate_batchnorm(model, in_shape, gen, bn_batch)
    model.eval()
    x = torch.randn(*in_shape, generator=gen)
    with torch.no_grad():
        y = model(x)
    file = f"{name}.onnx"
    path = os.path.join(out_dir, file)
    t0 = time.time()
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      training=torch.onnx.TrainingMode.EVAL, **export_options)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    ops = sorted({n.op_type for n in proto.graph.node})
    params = sum(p.numel() for p in model.parameters())
    print(f"[{tag}] {name}: {params / 1e6:.2f}M params, {os.path.getsize(path) / 1e6:.1f} MB, "
          f"{len(proto.graph.node)} nodes ({', '.join(ops)}), output {list(y.shape)}, {time.time() - t0:.1f} s", flush=True)
    return {
        "name": name,
        "file": file,
        # shape: the feed the test uses; dims: as declared in the model (strings are free dims).
        "input": {"name": "input", "shape": list(in_shape), "dims": declared_dims(proto.graph.input[0])},
        "output": {"name": "output", "shape": list(y.shape)},
        "seed": seed,
        "params": params,
        "batchNorms": n_bn,
        "ops": ops,
        "notes": notes,
        "exportOptions": {"opset_version": opset, **export_options},
    }


def script_hash(script_file: str) -> str:
    h = hashlib.sha256()
    for path in (script_file, __file__):
        with open(os.path.abspath(path), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def default_out_dir(subdir: str, script_file: str) -> str:
    base = os.environ.get("FOVEA_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "fovea")
    return os.path.join(base, subdir, script_hash(script_file))


def write_exports(script_file: str, out_dir: str, force: bool, export_all, versions: dict) -> int:
    """Runs export_all(tmp_dir) -> manifest entries into a temporary sibling of out_dir and renames
    it when complete: an interrupted run never leaves a manifest next to missing models, and
    concurrent runs do not mix their files. Returns the number of models."""
    tag = os.path.splitext(os.path.basename(script_file))[0]
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = f"{out_dir}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    t0 = time.time()
    try:
        entries = export_all(tmp)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump({"script": os.path.basename(script_file), "hash": script_hash(script_file), **versions, "models": entries}, f, indent=1)
        if force:
            shutil.rmtree(out_dir, ignore_errors=True)
        try:
            os.rename(tmp, out_dir)
        except OSError:
            # Another run finished first (same hash, so the same models): keep its files.
            if not os.path.exists(os.path.join(out_dir, "manifest.json")):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"[{tag}] {len(entries)} models in {out_dir} ({time.time() - t0:.0f} s)")
    return len(entries)


def remove_stale_exports(script_file: str, current: str) -> None:
    """Exports of older versions of the script are never read again (the dir name is the hash) and
    weigh hundreds of MB each: remove them, recognising them by their manifest."""
    tag = os.path.splitext(os.path.basename(script_file))[0]
    parent = os.path.dirname(current)
    for entry in os.listdir(parent):
        path = os.path.join(parent, entry)
        if path == current or ".tmp-" in entry or not os.path.isdir(path):
            continue
        try:
            with open(os.path.join(path, "manifest.json")) as f:
                ours = json.load(f).get("script") == os.path.basename(script_file)
        except (OSError, ValueError):
            continue
        if ours:
            shutil.rmtree(path, ignore_errors=True)
            print(f"[{tag}] removed the stale export {path}")
