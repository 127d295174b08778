// Range (ONNX opset 11): [start, start+delta, …) while below (above, for a negative delta)
// limit; n = max(ceil((limit - start) / delta), 0). The three scalar inputs share one type,
// which the output takes. They must be constant (n fixes the output shape): host only.
import type { OpDef, TypeShape } from '../types.js';
import { isFloat } from '../../ir/types.js';
import { makeHost, scalarOf } from '../../ir/host-tensor.js';
import type { HostTensor } from '../../ir/types.js';
import { fail } from './util.js';

interface RangeAttrs {
  start: number;
  limit: number;
  delta: number;
}

function count(a: RangeAttrs, float: boolean): number {
  // The spec computes limit - start in the input type before dividing.
  const span = float ? Math.fround(a.limit - a.start) : a.limit - a.start;
  return Math.max(Math.ceil(span / a.delta), 0);
}

export const Range: OpDef<RangeAttrs> = {
  opType: 'Range',
  shapeInputs: [0, 1, 2],
  parse(ctx) {
    const read = (i: number, what: string): number => {
      const t: HostTensor | undefined = ctx.constant(i);
      if (!t) fail(ctx.node, `input ${i} ("${what}") must be constant: the output length is fixed when the session compiles`);
      if (t.data.length !== 1) fail(ctx.node, `input ${i} ("${what}") must be a scalar`);
      return scalarOf(t);
    };
    const a = { start: read(0, 'start'), limit: read(1, 'limit'), delta: read(2, 'delta') };
    if (a.delta === 0) fail(ctx.node, 'delta is 0');
    return a;
  },
  infer(inputs, a, ctx): TypeShape[] {
    const dtype = inputs[0]!.dtype;
    if (inputs.some((x) => x?.dtype !== dtype)) fail(ctx.node, 'start, limit and delta must have the same type');
    return [{ dtype, shape: [count(a, isFloat(dtype))] }];
  },
  cpu(inputs, a) {
    const dtype = inputs[0]!.dtype;
    const n = count(a, isFloat(dtype));
    const t = makeHost(dtype, [n]);
    for (let i = 0; i < n; i++) t.data[i] = a.start + i * a.delta;
    return [t];
  },
};
