// Selu (ONNX opset 1/6): y = gamma * x for x > 0, gamma * alpha * (exp(x) - 1) otherwise.
// Defaults from the spec: alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const SELU_WGSL = 'gamma * select(alpha * (exp(min(v, 0.0)) - 1.0), v, v > 0.0)';

export const Selu = unaryOp({
  opType: 'Selu',
  parse: (ctx) => ({
    alpha: attrFloat(ctx.node, 'alpha', 1.67326319217681884765625),
    gamma: attrFloat(ctx.node, 'gamma', 1.05070102214813232421875),
  }),
  wgsl: SELU_WGSL,
  host: (v, a) => a.gamma! * (v > 0 ? v : a.alpha! * (Math.exp(v) - 1)),
});
