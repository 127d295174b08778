// Shared shape of the elementwise unary ops: same shape and dtype out, one dispatch of
// shaders/unary.wgsl with the op's WGSL expression of `v` (and alpha/beta/gamma uniforms).
// Each op file supplies its attributes, its expression and a host version for folding.
import type { OpContext, OpDef, TypeShape } from '../types.js';
import type { HostTensor } from '../../ir/types.js';
import { sizeOf } from '../../ir/types.js';
import { makeHost } from '../../ir/host-tensor.js';
import { grid } from '../../gpu/plan.js';

export interface UnaryParams {
  alpha?: number;
  beta?: number;
  gamma?: number;
}

export const UNARY_WG = 256;

export function unaryOp<A extends UnaryParams>(def: {
  opType: string;
  parse?: (ctx: OpContext) => A;
  /** WGSL expression of v (f32), alpha, beta, gamma. */
  wgsl: string;
  /** The same function on the host (constant folding, and the reference in unit tests). */
  host: (v: number, a: A) => number;
}): OpDef<A> {
  return {
    opType: def.opType,
    parse: def.parse ?? (() => ({}) as A),
    infer: (inputs: (TypeShape | undefined)[]) => [{ dtype: inputs[0]!.dtype, shape: [...inputs[0]!.shape] }],
    cpu: (inputs: (HostTensor | undefined)[], a: A) => {
      const x = inputs[0]!;
      const y = makeHost(x.dtype, x.dims);
      for (let i = 0; i < x.data.length; i++) y.data[i] = def.host(x.data[i], a);
      return [y];
    },
    gpu(k, a) {
      const n = sizeOf(k.outputs[0].shape);
      k.dispatch({
        shader: 'unary',
        variant: def.opType,
        defines: { WG: UNARY_WG, EXPR: def.wgsl },
        bindings: { x: k.input(0), y: k.output(0) },
        uniforms: { n, alpha: a.alpha ?? 0, beta: a.beta ?? 0, gamma: a.gamma ?? 0 },
        workgroups: grid(Math.ceil(n / UNARY_WG), k.limits),
      });
    },
  };
}
