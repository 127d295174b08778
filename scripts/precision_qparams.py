"""Quantization arithmetic shared by the int8 forms, following onnxruntime.quantization's defaults:

- activations: uint8, asymmetric. The calibrated range is widened to contain 0 (so that 0, the
  padding value, is exact), scale = (max - min) / 255, zero_point = round(-min / scale) clamped to
  [0, 255]; a zero range gives scale 1, zero point 0 (onnxruntime's compute_scale_zp).
- weights: int8, symmetric: scale = max|w| / 127, zero point 0, values in [-127, 127] (the range
  onnxruntime uses for symmetric int8, keeping -128 out so that the range is symmetric);
  per-tensor or per-channel along an axis (Conv output channels: axis 0). uint8 weights
  (QuantType.QUInt8) are asymmetric like activations.
- bias: int32, scale = input scale * weight scale (per channel), zero point 0, as QLinearConv and
  onnxruntime's QDQ bias quantization expect.
QuantizeLinear (ONNX spec): y = saturate(round_half_even(x / scale) + zero_point).
"""
import numpy as np
from onnx import TensorProto

UINT8, INT8, INT32 = TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32
NP = {UINT8: np.uint8, INT8: np.int8, INT32: np.int32}


def activation_qparams(rmin: float, rmax: float):
    """(scale float32 scalar, zero_point uint8 scalar) for a calibrated range."""
    rmin, rmax = min(float(rmin), 0.0), max(float(rmax), 0.0)
    if rmax == rmin:
        return np.float32(1.0), np.uint8(0)
    scale = np.float32((rmax - rmin) / 255.0)
    zp = np.clip(np.round(-rmin / scale), 0, 255).astype(np.uint8)
    return scale, zp


def quantize_weight(w: np.ndarray, qtype: int = INT8, axis=None):
    """Quantizes a weight tensor; axis=None for one scale, else one scale per slice along axis.
    Returns (q, scale, zero_point) with scale/zero_point scalars or 1-D arrays."""
    w = np.asarray(w, np.float32)
    if axis is None:
        lo, hi = np.minimum(w.min(initial=0.0), 0.0), np.maximum(w.max(initial=0.0), 0.0)
    else:
        red = tuple(d for d in range(w.ndim) if d != axis)
        lo, hi = np.minimum(w.min(axis=red), 0.0), np.maximum(w.max(axis=red), 0.0)
    if qtype == INT8:
        absmax = np.maximum(np.abs(lo), np.abs(hi))
        scale = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
        zp = np.zeros_like(scale, np.int8)
        qmin, qmax = -127, 127
    else:
        scale = np.where(hi > lo, (hi - lo) / 255.0, 1.0).astype(np.float32)
        zp = np.clip(np.round(-lo / scale), 0, 255).astype(np.uint8)
        qmin, qmax = 0, 255
    shape = [1] * w.ndim
    if axis is not None:
        shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)) + zp.reshape(shape).astype(np.int32), qmin, qmax)
    return q.astype(NP[qtype]), scale, zp


def quantize_bias(b: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """int32 bias for scale = x_scale * w_scale (scalar or per output channel)."""
    s = np.asarray(scale, np.float32)
    s = np.where(s > 0, s, 1.0)
    return np.clip(np.round(np.asarray(b, np.float64) / s), -(2 ** 31), 2 ** 31 - 1).astype(np.int32)


def quantize_array(x: np.ndarray, scale, zp) -> np.ndarray:
    """QuantizeLinear on the host, to uint8 (for constant operands of QLinearAdd/QLinearMul)."""
    return np.clip(np.round(np.asarray(x, np.float32) / scale) + int(zp), 0, 255).astype(np.uint8)
