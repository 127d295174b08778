// MatMulInteger (ONNX opset 10): int32 Y = (A - a_zero_point) x (B - b_zero_point), A and B uint8
// or int8. a_zero_point is per-tensor (per-row zero points of A are not implemented, as in
// onnxruntime); b_zero_point per-tensor or per column (1-D of N).
// Spec: https://onnx.ai/onnx/operators/onnx__MatMulInteger.html. Kernel: int-conv.ts.
import type { OpDef, TypeShape } from '../types.js';
import { emitIntConv, INT_CONV_ALGORITHMS, matMulGeometry } from './int-conv.js';
import { matMulShape } from './mat-mul-common.js';
import { checkQParams, fail, isQ8, need } from './util.js';

export const MatMulInteger: OpDef<Record<string, never>> = {
  opType: 'MatMulInteger',
  packedInt8: true,
  variants: INT_CONV_ALGORITHMS,
  parse: () => ({}),
  infer(inputs, _a, ctx): TypeShape[] {
    const a = need(ctx.node, inputs, 0, 'A');
    const b = need(ctx.node, inputs, 1, 'B');
    if (!isQ8(a.dtype) || !isQ8(b.dtype)) fail(ctx.node, `A and B must be int8 or uint8, got ${a.dtype} and ${b.dtype}`);
    const out = matMulShape(ctx.node, a, b);
    for (const [i, t, what, ch] of [[2, a, 'a', undefined], [3, b, 'b', b.shape[b.shape.length - 1]]] as const) {
      const zp = inputs[i];
      checkQParams(ctx.node, undefined, zp, what, { channels: ch, scaleless: true });
      if (zp && zp.dtype !== t.dtype) fail(ctx.node, `${what}_zero_point is ${zp.dtype} but ${what === 'a' ? 'A' : 'B'} is ${t.dtype}`);
    }
    return [{ dtype: 'int32', shape: out }];
  },
  gpu(k) {
    const [a, b, , bz] = k.inputs;
    emitIntConv(k, matMulGeometry(a!.shape, b!.shape), {
      x: 0, xZp: 2, w: 1, wZp: 3, perChannel: !!bz && bz.shape.length === 1 && bz.shape[0] > 1,
      xSigned: a!.dtype === 'int8', wSigned: b!.dtype === 'int8',
    });
  },
};
