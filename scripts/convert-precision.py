#!/usr/bin/python3
"""Converts an ONNX float32 model into the float16 and int8 forms that converters emit, one file per
form, each checked by onnx.checker and strict shape inference:

  fp16                  all float tensors float16, float16 I/O (onnxconverter-common
                        float16.convert_float_to_float16)
  fp16-keep-io          float32 I/O with Casts at the boundaries (keep_io_types=True)
  fp16-mixed            GlobalAveragePool, Softmax and the last Gemm/MatMul in float32, Casts
                        between (op_block_list / node_block_list)
  fp16-weights          float16 initializers each followed by Cast to float32; float32 compute
  int8-dynamic          onnxruntime.quantization.quantize_dynamic: DynamicQuantizeLinear +
                        ConvInteger / MatMulInteger, weights int8 per tensor
  int8-dynamic-pc       the same with per-channel weight scales
  int8-dynamic-u8       the same with uint8 (asymmetric) weights (QuantType.QUInt8)
  int8-qdq              quantize_static, QuantFormat.QDQ: Q/DQ pairs, int8 per-channel Conv weights
  int8-qoperator        quantize_static, QuantFormat.QOperator: QLinearConv, QLinearMatMul and
                        com.microsoft QGemm / QLinearAdd / QLinearGlobalAveragePool / ...

The static forms calibrate activation ranges (MinMax) by running the model on onnxruntime-node
(scripts/calibrate.mjs) over calibration inputs: a float32 .npy of [count, *input dims], or seeded
normal noise of --input-shape. All forms start from the same preprocessing (Constant nodes to
initializers, node names); the int8 forms also fold Conv+BatchNormalization as onnxruntime's
quant_pre_process does, and upgrade opset < 13 with onnx.version_converter.

Usage: /usr/bin/python3 scripts/convert-precision.py MODEL.onnx [--out DIR] [--forms a,b,...]
           [--calib FILE.npy | --input-shape 1,3,64,64] [--calib-count N] [--seed S]
Writes DIR/<model>.<form>.onnx (DIR defaults to the model's directory).
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from precision_dynamic import quantize_dynamic  # noqa: E402
from precision_fp16 import convert_float16, convert_float16_weights, mixed_block_lists  # noqa: E402
from precision_graph import calibrate, fuse_conv_batchnorm, graph_inputs, prepare  # noqa: E402
from precision_qdq import quantize_qdq  # noqa: E402
from precision_qop import quantize_qoperator  # noqa: E402
from precision_qparams import UINT8  # noqa: E402

FORMS = ["fp16", "fp16-keep-io", "fp16-mixed", "fp16-weights", "int8-dynamic", "int8-dynamic-pc", "int8-dynamic-u8", "int8-qdq", "int8-qoperator"]
STATIC = {"int8-qdq", "int8-qoperator"}


def convert(model: onnx.ModelProto, forms, samples=None, log=print) -> dict:
    """form -> converted ModelProto. `samples` (input name -> float32 [count, *dims]) are the
    calibration inputs, needed by the static forms and by opset upgrades (ranks of tensors)."""
    base = prepare(model)
    quant = prepare(base)
    fused = fuse_conv_batchnorm(quant)
    ranges = calibrate(quant, samples) if samples is not None and any(f.startswith("int8") for f in forms) else None
    ranks = {k: len(v["dims"]) for k, v in (ranges or {}).items()}
    out = {}
    for form in forms:
        t0 = time.time()
        if form == "fp16":
            m = convert_float16(base)
        elif form == "fp16-keep-io":
            m = convert_float16(base, keep_io_types=True)
        elif form == "fp16-mixed":
            m = convert_float16(base, True, *mixed_block_lists(base))
        elif form == "fp16-weights":
            m = convert_float16_weights(base)
        elif form == "int8-dynamic":
            m = quantize_dynamic(quant, ranks=ranks)
        elif form == "int8-dynamic-pc":
            m = quantize_dynamic(quant, per_channel=True, ranks=ranks)
        elif form == "int8-dynamic-u8":
            m = quantize_dynamic(quant, weight_type=UINT8, ranks=ranks)
        elif form in STATIC:
            if ranges is None:
                raise ValueError(f"{form} needs calibration inputs")
            m = (quantize_qdq if form == "int8-qdq" else quantize_qoperator)(quant, ranges)
        else:
            raise ValueError(f"unknown form {form}; known: {FORMS}")
        out[form] = m
        ops = sorted({n.op_type for n in m.graph.node})
        log(f"  {form}: {len(m.graph.node)} nodes ({', '.join(ops)}), {time.time() - t0:.1f} s" + (f", {fused} Conv+BN fused" if form.startswith("int8") and fused else ""))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="float32 ONNX model")
    ap.add_argument("--out", help="output dir (default: the model's dir)")
    ap.add_argument("--forms", default=",".join(FORMS), help=f"comma-separated forms (default: all): {', '.join(FORMS)}")
    ap.add_argument("--calib", help="calibration inputs: .npy float32 [count, *input dims] (single-input models)")
    ap.add_argument("--input-shape", help="input dims for seeded-normal calibration, e.g. 1,3,64,64 (default: the declared dims)")
    ap.add_argument("--calib-count", type=int, default=16, help="number of seeded-normal calibration samples (default 16)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    forms = args.forms.split(",")
    model = onnx.load(args.model)
    inputs = graph_inputs(model)
    if len(inputs) != 1:
        ap.error(f"calibration supports single-input models; this one has {[i.name for i in inputs]}")
    if args.calib:
        x = np.load(args.calib).astype(np.float32)
    else:
        if args.input_shape:
            dims = [int(d) for d in args.input_shape.split(",")]
        else:
            dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
            if not all(dims):
                ap.error("the model's input has free dims: give --input-shape")
        x = np.random.default_rng(args.seed).standard_normal((args.calib_count, *dims)).astype(np.float32)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.model))
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.model))[0]
    print(f"[convert-precision] {args.model}")
    for form, m in convert(model, forms, {inputs[0].name: x}).items():
        path = os.path.join(out_dir, f"{stem}.{form}.onnx")
        onnx.save(m, path)
        print(f"  -> {path} ({os.path.getsize(path) / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
