// QuantizeLinear (ONNX opsets 10, 13, 19, 21): y = saturate(round(x / y_scale) + y_zero_point),
// rounding half to even; per-tensor (scalar scale) or per-axis (1-D scale along `axis`).
// The output type is the zero point's (uint8 when it is absent), or opset 21's output_dtype.
// Spec: https://onnx.ai/onnx/operators/onnx__QuantizeLinear.html
import type { OpDef, TypeShape } from '../types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { dispatchQLinear, hostQLinear, layoutOf, parseQLinear, type QLinearAttrs } from './linear-common.js';
import { fail, isQ8, need, qRange, roundEven } from './util.js';

export const QuantizeLinear: OpDef<QLinearAttrs> = {
  opType: 'QuantizeLinear',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: parseQLinear,
  infer(inputs, a, ctx): TypeShape[] {
    const x = need(ctx.node, inputs, 0, 'x');
    const scale = need(ctx.node, inputs, 1, 'y_scale');
    const zp = inputs[2];
    if (!['float32', 'float16', 'int32'].includes(x.dtype)) fail(ctx.node, `x has type ${x.dtype}; QuantizeLinear takes float32, float16 or int32`);
    if (zp && !isQ8(zp.dtype)) fail(ctx.node, `y_zero_point has type ${zp.dtype}; Fovea quantizes to int8 and uint8`);
    const dtype = zp?.dtype ?? a.outputDtype ?? 'uint8';
    if (zp && a.outputDtype && zp.dtype !== a.outputDtype) fail(ctx.node, `output_dtype ${a.outputDtype} differs from y_zero_point's type ${zp.dtype}`);
    layoutOf(ctx.node, ctx.opset, x, scale, zp, a.axis);
    // The spec's type constraint: a float x has the scale's type (float16 for both from opset 19).
    if (x.dtype !== 'int32' && x.dtype !== scale.dtype) fail(ctx.node, `x is ${x.dtype} but y_scale is ${scale.dtype}`);
    return [{ dtype, shape: [...x.shape] }];
  },
  cpu(inputs, a, ctx) {
    const x = inputs[0]!;
    const dtype = inputs[2]?.dtype ?? a.outputDtype ?? 'uint8';
    const [lo, hi] = qRange(dtype as 'int8' | 'uint8');
    const q = (v: number, s: number, z: number) => Math.min(hi, Math.max(lo, roundEven(Math.fround(v / s)) + z));
    return [hostQLinear(ctx, inputs, a.axis, q, makeHost(dtype, x.dims))];
  },
  gpu(k, a) {
    dispatchQLinear(k, a.axis, true);
  },
};
