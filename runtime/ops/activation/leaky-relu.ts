// LeakyRelu (ONNX opset 1/6/16): y = x for x >= 0, alpha * x otherwise; alpha defaults to 0.01.
// Opset 1 also had the legacy `consumed_inputs` attribute, which carries no meaning here.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';

/** The f32 expression of `v` (alpha/beta/gamma: the parameters), shared with the fused epilogue (epilogue.ts). */
export const LEAKY_RELU_WGSL = 'select(alpha * v, v, v >= 0.0)';

export const LeakyRelu = unaryOp({
  opType: 'LeakyRelu',
  parse: (ctx) => ({ alpha: attrFloat(ctx.node, 'alpha', 0.01) }),
  wgsl: LEAKY_RELU_WGSL,
  host: (v, a) => (v >= 0 ? v : a.alpha! * v),
});
