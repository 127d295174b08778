// QGemm (onnxruntime contrib op, com.microsoft, since 1): quantized Gemm.
//   Y = alpha · a_scale · b_scale · ((A' - a_zp)(B' - b_zp) + C)         (float32, y_scale absent)
//   Y = saturate(round(that / y_scale) + y_zp)                            (8-bit, y_zp's type)
// A [M, K] (transA: [K, M]) and B [K, N] (transB: [N, K]) are int8 or uint8; a_scale / a_zp
// per-tensor; b_scale / b_zp per-tensor or per column (1-D of N); C optional int32, the bias in
// the product's scale with zero point 0, unidirectionally broadcast to [M, N] (scalar, [N], [1, N],
// [M, 1], [M, N]) and added to the int32 accumulator as onnxruntime's QGemm kernel does; there
// is no beta. Schema: onnxruntime/core/graph/contrib_ops/quantization_defs.cc (QGemm),
// docs/ContribOperators.md#com.microsoft.QGemm. Kernel: int-conv.ts (the integer GEMM).
import type { OpDef, TypeShape } from '../types.js';
import { attrFloat, attrInt } from '../attributes.js';
import { emitIntConv, type IntConvGeometry } from './int-conv.js';
import { MS_DOMAIN } from './eltwise.js';
import { checkQParams, fail, isQ8, need } from './util.js';

interface QGemmAttrs {
  transA: boolean;
  transB: boolean;
  alpha: number;
}

/** [M, K, N] of A' x B'. */
function dims(a: TypeShape, b: TypeShape, t: QGemmAttrs): [number, number, number] {
  const [M, K] = t.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [K2, N] = t.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  return [M, K === K2 ? K : -1, N];
}

/** C's strides per column and per row of Y, or undefined when C does not broadcast to [M, N]. */
function biasStrides(c: readonly number[], M: number, N: number): [number, number] | undefined {
  const [rows, cols] = c.length >= 2 ? [c[c.length - 2], c[c.length - 1]] : [1, c[0] ?? 1];
  if (c.length > 2 || (rows !== 1 && rows !== M) || (cols !== 1 && cols !== N)) return undefined;
  return [cols === N && N > 1 ? 1 : 0, rows === M && M > 1 ? cols : 0];
}

/** A' x B' as the integer kernel's 1-row image: M pixels of K channels, N output channels. */
function geometry(M: number, K: number, N: number, t: QGemmAttrs): IntConvGeometry {
  return {
    batch: 1, OC: N, MG: N, Cg: K, OH: 1, OW: M, IH: 1, IW: M, KH: 1, KW: 1,
    stride: [1, 1], pad: [0, 0], dil: [1, 1],
    xs: [0, t.transA ? M : 1, 0, t.transA ? 1 : K], ys: [0, 1, N],
    wl: { OC: N, Cg: K, KT: 1, o: t.transB ? K : 1, c: t.transB ? 1 : N, t: 0 },
  };
}

export const QGemm: OpDef<QGemmAttrs> = {
  opType: 'QGemm',
  packedInt8: true,
  domain: MS_DOMAIN,
  parse: (ctx) => ({ transA: attrInt(ctx.node, 'transA', 0) !== 0, transB: attrInt(ctx.node, 'transB', 0) !== 0, alpha: attrFloat(ctx.node, 'alpha', 1) }),
  infer(inputs, t, ctx): TypeShape[] {
    const n = ctx.node;
    const a = need(n, inputs, 0, 'A');
    const b = need(n, inputs, 3, 'B');
    if (!isQ8(a.dtype) || !isQ8(b.dtype)) fail(n, `A and B must be int8 or uint8, got ${a.dtype} and ${b.dtype}`);
    if (a.shape.length !== 2 || b.shape.length !== 2) fail(n, 'A and B must be 2-D', { A: a.shape, B: b.shape });
    const [M, K, N] = dims(a, b, t);
    if (K < 0) fail(n, `inner dimensions of A' and B' differ (transA ${+t.transA}, transB ${+t.transB})`, { A: a.shape, B: b.shape });
    checkQParams(n, inputs[1], inputs[2], 'a');
    checkQParams(n, inputs[4], inputs[5], 'b', { channels: N });
    if (inputs[2] && inputs[2].dtype !== a.dtype) fail(n, `a_zero_point is ${inputs[2].dtype} but A is ${a.dtype}`);
    if (inputs[5] && inputs[5].dtype !== b.dtype) fail(n, `b_zero_point is ${inputs[5].dtype} but B is ${b.dtype}`);
    const c = inputs[6];
    if (c && (c.dtype !== 'int32' || !biasStrides(c.shape, M, N))) fail(n, `C must be int32 and broadcast to [${M}, ${N}]`, { C: c.shape });
    const ys = inputs[7];
    if (!ys) {
      if (inputs[8]) fail(n, 'y_zero_point is given without y_scale');
      return [{ dtype: 'float32', shape: [M, N] }];
    }
    // The output's 8-bit type is y_zero_point's (type constraint TYZ): it must be given.
    if (!inputs[8]) fail(n, 'y_scale is given without y_zero_point (which sets the 8-bit output type)');
    checkQParams(n, ys, inputs[8], 'y');
    return [{ dtype: inputs[8].dtype, shape: [M, N] }];
  },
  gpu(k, t) {
    const [a, , , b, bs, , c, ys] = k.inputs;
    const [M, K, N] = dims(a!, b!, t);
    emitIntConv(k, geometry(M, K, N, t), {
      x: 0, xZp: 2, w: 3, wZp: 5, perChannel: bs!.shape.length === 1 && bs!.shape[0] > 1,
      xSigned: a!.dtype === 'int8', wSigned: b!.dtype === 'int8',
      qlinear: {
        xScale: 1, wScale: 4, yScale: ys ? 7 : undefined, yZp: ys ? 8 : undefined, signed: k.outputs[0].dtype === 'int8',
        bias: c ? 6 : undefined, biasStrides: c ? biasStrides(c.shape, M, N) : undefined, alpha: t.alpha,
      },
    });
  },
};
