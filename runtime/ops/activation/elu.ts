// Elu (ONNX opset 1/6): y = x for x > 0, alpha * (exp(x) - 1) otherwise; alpha defaults to 1.
// exp(x) may overflow to inf for large positive x, but that branch is never selected there.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const ELU_WGSL = 'select(alpha * (exp(min(v, 0.0)) - 1.0), v, v > 0.0)';

export const Elu = unaryOp({
  opType: 'Elu',
  parse: (ctx) => ({ alpha: attrFloat(ctx.node, 'alpha', 1) }),
  wgsl: ELU_WGSL,
  host: (v, a) => (v > 0 ? v : a.alpha! * (Math.exp(v) - 1)),
});
