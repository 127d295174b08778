// Not (ONNX opset 1): elementwise logical negation of a bool tensor. Bools are u32 0/1 on the
// GPU; shaders/unary.wgsl's integer variant reads them as i32 (the same bits) and writes 1 - v.
import type { OpDef } from '../types.js';
import { sizeOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { grid } from '../../gpu/plan.js';
import { UNARY_WG } from '../activation/unary.js';
import { ShapeError } from '../../errors.js';

export const Not: OpDef<Record<string, never>> = {
  opType: 'Not',
  parse: () => ({}),
  infer: (inputs, _a, ctx) => {
    const x = inputs[0];
    if (!x) throw new ShapeError('input X is required', { op: ctx.node.opType, node: ctx.node.name });
    if (x.dtype !== 'bool') throw new ShapeError(`input type ${x.dtype} is not supported: Not takes bool tensors`, { op: ctx.node.opType, node: ctx.node.name });
    return [{ dtype: 'bool', shape: [...x.shape] }];
  },
  cpu: (inputs) => {
    const x = inputs[0]!;
    const y = makeHost('bool', x.dims);
    for (let i = 0; i < x.data.length; i++) y.data[i] = x.data[i] !== 0 ? 0 : 1;
    return [y];
  },
  gpu(k) {
    const n = sizeOf(k.outputs[0].shape);
    k.dispatch({
      shader: 'unary',
      variant: 'Not',
      defines: { WG: UNARY_WG, EXPR: 'select(1, 0, v != 0)', INT: true, S: 'i32' },
      bindings: { x: k.input(0), y: k.output(0) },
      uniforms: { n, alpha: 0, beta: 0, gamma: 0 },
      workgroups: grid(Math.ceil(n / UNARY_WG), k.limits),
    });
  },
};
