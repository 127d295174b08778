// HardSigmoid (ONNX opset 1/6): y = max(0, min(1, alpha * x + beta)); alpha 0.2, beta 0.5.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const HARD_SIGMOID_WGSL = 'max(0.0, min(1.0, alpha * v + beta))';

export const HardSigmoid = unaryOp({
  opType: 'HardSigmoid',
  parse: (ctx) => ({ alpha: attrFloat(ctx.node, 'alpha', 0.2), beta: attrFloat(ctx.node, 'beta', 0.5) }),
  wgsl: HARD_SIGMOID_WGSL,
  host: (v, a) => Math.max(0, Math.min(1, a.alpha! * v + a.beta!)),
});
