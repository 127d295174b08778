// GlobalLpPool (ONNX opset 1/2/22): y[n, c] = (sum over every spatial position of |x|^p)^(1/p),
// output [N, C, 1, …, 1]. p is a float attribute in opset 1, an int (default 2) since opset 2.
// It is a reduction over the spatial axes with keepdims: the Reduce* machinery (math/reduce.ts,
// shaders/reduce.wgsl) runs it with p's map and final expressions.
import type { OpDef, TypeShape } from '../types.js';
import { isFloat } from '../../ir/types.js';
import { attrFloat } from '../attributes.js';
import { reduceOp, type ReduceAttrs, type ReduceDef } from '../math/reduce.js';
import { fail } from '../tensor/util.js';

interface GlobalLpPoolAttrs {
  p: number;
}

/** A WGSL f32 expression of a number. */
function lit(v: number): string {
  return `f32(${v})`;
}

/** The Reduce definition for one p: |v|^p summed, then the p-th root (exact forms for 1 and 2). */
function reduceFor(p: number): ReduceDef {
  const map = p === 1 ? 'abs(v)' : p === 2 ? 'v * v' : `select(pow(abs(v), ${lit(p)}), 0.0, v == 0.0)`;
  const final = p === 1 ? 'acc' : p === 2 ? 'sqrt(acc)' : `select(pow(acc, ${lit(1 / p)}), 0.0, acc == 0.0)`;
  return {
    opType: 'GlobalLpPool',
    axesInputSince: Infinity,
    init: 'T(0)',
    map,
    combine: 'acc + v',
    final,
    host: { init: 0, map: (v) => Math.abs(v) ** p, combine: (s, v) => s + v, final: (s) => s ** (1 / p) },
  };
}

function spatialAxes(rank: number): ReduceAttrs {
  return { axes: Array.from({ length: rank - 2 }, (_, i) => i + 2), keepdims: true, noop: false };
}

export const GlobalLpPool: OpDef<GlobalLpPoolAttrs> = {
  opType: 'GlobalLpPool',
  float16: true,
  packedF16: true,
  parse(ctx) {
    const p = attrFloat(ctx.node, 'p', 2);
    if (!(p > 0)) fail(ctx.node, `p = ${p} must be positive`);
    return { p };
  },
  infer(inputs, _a, ctx): TypeShape[] {
    const x = inputs[0];
    if (!x) fail(ctx.node, 'input X is required');
    if (!isFloat(x.dtype)) fail(ctx.node, `input type ${x.dtype} is not supported: this op takes float tensors`);
    if (x.shape.length < 3) fail(ctx.node, `the input must be [N, C, D1, ...], not rank ${x.shape.length}`, { X: x.shape });
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i < 2 ? d : 1)) }];
  },
  cpu(inputs, a, ctx) {
    return reduceOp(reduceFor(a.p)).cpu!(inputs, spatialAxes(inputs[0]!.dims.length), ctx);
  },
  gpu(k, a) {
    reduceOp(reduceFor(a.p)).gpu!(k, spatialAxes(k.inputs[0]!.shape.length));
  },
};
