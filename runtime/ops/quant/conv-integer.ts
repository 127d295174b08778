// ConvInteger (ONNX opset 10): int32 y = conv(x - x_zero_point, w - w_zero_point), x and w
// uint8 or int8, with Conv's attributes. x_zero_point is per-tensor; w_zero_point per-tensor or
// per output channel (1-D of M). Padding reads x_zero_point (a zero after the subtraction).
// Spec: https://onnx.ai/onnx/operators/onnx__ConvInteger.html. Kernel: int-conv.ts.
import type { OpDef, TypeShape } from '../types.js';
import { convGeometry, convShape, parseIntConv, type IntConvAttrs } from './conv-common.js';
import { emitIntConv, INT_CONV_ALGORITHMS } from './int-conv.js';
import { checkQParams, fail, isQ8, need } from './util.js';

export const ConvInteger: OpDef<IntConvAttrs> = {
  opType: 'ConvInteger',
  packedInt8: true,
  variants: INT_CONV_ALGORITHMS,
  parse: parseIntConv,
  infer(inputs, a, ctx): TypeShape[] {
    const x = need(ctx.node, inputs, 0, 'x');
    const w = need(ctx.node, inputs, 1, 'w');
    if (!isQ8(x.dtype) || !isQ8(w.dtype)) fail(ctx.node, `x and w must be int8 or uint8, got ${x.dtype} and ${w.dtype}`);
    const { out } = convShape(ctx.node, a, x, w);
    for (const [i, t, what, ch] of [[2, x, 'x', undefined], [3, w, 'w', w.shape[0]]] as const) {
      const zp = inputs[i];
      checkQParams(ctx.node, undefined, zp, what, { channels: ch, scaleless: true });
      if (zp && zp.dtype !== t.dtype) fail(ctx.node, `${what}_zero_point is ${zp.dtype} but ${what} is ${t.dtype}`);
    }
    return [{ dtype: 'int32', shape: out }];
  },
  gpu(k, a) {
    const [x, w, , wz] = k.inputs;
    emitIntConv(k, convGeometry(k.node, a, x!, w!), {
      x: 0, xZp: 2, w: 1, wZp: 3, perChannel: !!wz && wz.shape.length === 1 && wz.shape[0] > 1,
      xSigned: x!.dtype === 'int8', wSigned: w!.dtype === 'int8',
    });
  },
};
