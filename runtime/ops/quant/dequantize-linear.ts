// DequantizeLinear (ONNX opsets 10, 13, 19, 21): y = (x - x_zero_point) * x_scale, of the scale's
// type (float32; float16 from opset 19, computed in float32 and rounded once);
// x is int8, uint8 or int32 (the int32 form dequantizes biases; its zero point is 0 or absent),
// per-tensor or per-axis along `axis`. Spec: https://onnx.ai/onnx/operators/onnx__DequantizeLinear.html
import type { OpDef, TypeShape } from '../types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { roundToHalf } from '../../ir/half.js';
import { dispatchQLinear, hostQLinear, layoutOf, parseQLinear, type QLinearAttrs } from './linear-common.js';
import { fail, isQ8, need } from './util.js';

export const DequantizeLinear: OpDef<QLinearAttrs> = {
  opType: 'DequantizeLinear',
  packedInt8: true,
  float16: true,
  packedF16: true,
  parse: parseQLinear,
  infer(inputs, a, ctx): TypeShape[] {
    const x = need(ctx.node, inputs, 0, 'x');
    const scale = need(ctx.node, inputs, 1, 'x_scale');
    const zp = inputs[2];
    if (!isQ8(x.dtype) && x.dtype !== 'int32') fail(ctx.node, `x has type ${x.dtype}; Fovea dequantizes int8, uint8 and int32`);
    // The spec's type constraint: x and x_zero_point have one type.
    if (zp && zp.dtype !== x.dtype) fail(ctx.node, `x is ${x.dtype} but x_zero_point is ${zp.dtype}`);
    layoutOf(ctx.node, ctx.opset, x, scale, zp, a.axis);
    return [{ dtype: scale.dtype, shape: [...x.shape] }];
  },
  cpu(inputs, a, ctx) {
    const half = inputs[1]!.dtype === 'float16';
    const deq = (v: number, s: number, z: number) => (half ? roundToHalf : Math.fround)(Math.fround((v - z) * s));
    return [hostQLinear(ctx, inputs, a.axis, deq, makeHost(inputs[1]!.dtype, inputs[0]!.dims))];
  },
  gpu(k, a) {
    dispatchQLinear(k, a.axis, false);
  },
};
