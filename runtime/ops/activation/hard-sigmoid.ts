// HardSigmoid (ONNX opset 1/6): y = max(0, min(1, alpha * x + beta)); alpha 0.2, beta 0.5.
import { unaryOp } from './unary.js';
import { attrFloat } from '../attributes.js';

export const HardSigmoid = unaryOp({
  opType: 'HardSigmoid',
  parse: (ctx) => ({ alpha: attrFloat(ctx.node, 'alpha', 0.2), beta: attrFloat(ctx.node, 'beta', 0.5) }),
  wgsl: 'max(0.0, min(1.0, alpha * v + beta))',
  host: (v, a) => Math.max(0, Math.min(1, a.alpha! * v + a.beta!)),
});
