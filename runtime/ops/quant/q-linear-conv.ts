// QLinearConv (ONNX opset 10): y = saturate(round((conv(x - x_zp, w - w_zp) + B) * x_scale *
// w_scale / y_scale) + y_zp), x/w/y int8 or uint8 (y's type is y_zero_point's), int32 accumulation,
// optional int32 bias B (quantized with scale x_scale*w_scale, zero point 0). x and y are
// per-tensor; w_scale / w_zero_point per-tensor or per output channel (1-D of M).
// Spec: https://onnx.ai/onnx/operators/onnx__QLinearConv.html. Kernel: int-conv.ts.
import type { OpDef, TypeShape } from '../types.js';
import { convGeometry, convShape, parseIntConv, type IntConvAttrs } from './conv-common.js';
import { emitIntConv, INT_CONV_ALGORITHMS } from './int-conv.js';
import { checkQParams, fail, isQ8, need } from './util.js';

export const QLinearConv: OpDef<IntConvAttrs> = {
  opType: 'QLinearConv',
  packedInt8: true,
  variants: INT_CONV_ALGORITHMS,
  parse: parseIntConv,
  infer(inputs, a, ctx): TypeShape[] {
    const n = ctx.node;
    const x = need(n, inputs, 0, 'x');
    const w = need(n, inputs, 3, 'w');
    if (!isQ8(x.dtype) || !isQ8(w.dtype)) fail(n, `x and w must be int8 or uint8, got ${x.dtype} and ${w.dtype}`);
    const { out } = convShape(n, a, x, w);
    checkQParams(n, inputs[1], inputs[2], 'x');
    checkQParams(n, inputs[4], inputs[5], 'w', { channels: w.shape[0] });
    checkQParams(n, inputs[6], inputs[7], 'y');
    if (inputs[2] && inputs[2].dtype !== x.dtype) fail(n, `x_zero_point is ${inputs[2].dtype} but x is ${x.dtype}`);
    if (inputs[5] && inputs[5].dtype !== w.dtype) fail(n, `w_zero_point is ${inputs[5].dtype} but w is ${w.dtype}`);
    const bias = inputs[8];
    if (bias && (bias.dtype !== 'int32' || bias.shape.length !== 1 || bias.shape[0] !== w.shape[0])) {
      fail(n, `B must be int32 of shape [${w.shape[0]}]`, { B: bias.shape });
    }
    return [{ dtype: inputs[7]?.dtype ?? 'uint8', shape: out }];
  },
  gpu(k, a) {
    const x = k.inputs[0]!;
    const w = k.inputs[3]!;
    const ws = k.inputs[4]!;
    emitIntConv(k, convGeometry(k.node, a, x, w), {
      x: 0, xZp: 2, w: 3, wZp: 5, perChannel: ws.shape.length === 1 && ws.shape[0] > 1,
      xSigned: x.dtype === 'int8', wSigned: w.dtype === 'int8',
      qlinear: { xScale: 1, wScale: 4, yScale: 6, yZp: 7, signed: k.outputs[0].dtype === 'int8', bias: k.inputs[8] ? 8 : undefined },
    });
  },
};
