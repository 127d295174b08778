// QLinearMatMul (ONNX opsets 10, 21): y = saturate(round((a - a_zp) x (b - b_zp) * a_scale *
// b_scale / y_scale) + y_zp), 8-bit operands (y's type is y_zero_point's), int32 accumulation;
// a and y per-tensor, b_scale / b_zero_point per-tensor or per column (1-D of N). B is 2-D, or
// batched with A's batch dims (mat-mul-common.ts). Spec: https://onnx.ai/onnx/operators/onnx__QLinearMatMul.html
import type { OpDef, TypeShape } from '../types.js';
import { emitIntConv, INT_CONV_ALGORITHMS, matMulGeometry } from './int-conv.js';
import { matMulShape } from './mat-mul-common.js';
import { checkQParams, fail, isQ8, need } from './util.js';

export const QLinearMatMul: OpDef<Record<string, never>> = {
  opType: 'QLinearMatMul',
  packedInt8: true,
  variants: INT_CONV_ALGORITHMS,
  parse: () => ({}),
  infer(inputs, _a, ctx): TypeShape[] {
    const n = ctx.node;
    const a = need(n, inputs, 0, 'a');
    const b = need(n, inputs, 3, 'b');
    if (!isQ8(a.dtype) || !isQ8(b.dtype)) fail(n, `a and b must be int8 or uint8, got ${a.dtype} and ${b.dtype}`);
    const out = matMulShape(n, a, b);
    checkQParams(n, inputs[1], inputs[2], 'a');
    checkQParams(n, inputs[4], inputs[5], 'b', { channels: b.shape[b.shape.length - 1] });
    checkQParams(n, inputs[6], inputs[7], 'y');
    if (inputs[2] && inputs[2].dtype !== a.dtype) fail(n, `a_zero_point is ${inputs[2].dtype} but a is ${a.dtype}`);
    if (inputs[5] && inputs[5].dtype !== b.dtype) fail(n, `b_zero_point is ${inputs[5].dtype} but b is ${b.dtype}`);
    return [{ dtype: inputs[7]?.dtype ?? 'uint8', shape: out }];
  },
  gpu(k) {
    const a = k.inputs[0]!;
    const b = k.inputs[3]!;
    const bs = k.inputs[4]!;
    emitIntConv(k, matMulGeometry(a.shape, b.shape), {
      x: 0, xZp: 2, w: 3, wZp: 5, perChannel: bs.shape.length === 1 && bs.shape[0] > 1,
      xSigned: a.dtype === 'int8', wSigned: b.dtype === 'int8',
      qlinear: { xScale: 1, wScale: 4, yScale: 6, yZp: 7, signed: k.outputs[0].dtype === 'int8' },
    });
  },
};
